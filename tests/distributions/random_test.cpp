// distributions/random.hpp: the Philox4x32-10 known-answer vectors published with Random123
// (Salmon et al. 2011), the key derivation (split, fold_in, make_key) and its stream layout,
// reproducibility across threads, and every sampler against its exact distribution: sample mean
// and variance within CLT tolerances (5 standard errors, the variance's from the sample fourth
// moment), a one-sample Kolmogorov-Smirnov test against the exact CDF for continuous samplers and
// a chi-square test against the exact pmf for discrete ones, both at level 1e-3, with fixed keys.
// The regularized incomplete gamma and beta functions the CDFs need are implemented below
// (series and Lentz continued fractions) and checked against SciPy values.
#include "distributions/random.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/special_functions.hpp"

using namespace tapir::distributions;
namespace ad = tapir::autodiff;
using tapir::autodiff::Matrix;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;
constexpr std::size_t kN = 20000;    // continuous samplers (KS)
constexpr std::size_t kNd = 200000;  // discrete samplers (chi-square): cheap draws, more power

// A fixed key per test case.
Generator gen(std::uint64_t id) { return Generator(fold_in(make_key(20240501), id)); }

template <class F>
std::vector<double> draw(Generator g, std::size_t n, F f) {
  std::vector<double> xs(n);
  for (double& x : xs) x = f(g);
  return xs;
}
template <class F>
std::vector<std::int64_t> draw_counts(Generator g, std::size_t n, F f) {
  std::vector<std::int64_t> xs(n);
  for (auto& x : xs) x = static_cast<std::int64_t>(f(g));
  return xs;
}

// ---- regularized incomplete gamma and beta (test-side reference CDFs) ----

// P(a, x) = gamma(a, x) / Gamma(a): the power series for x < a + 1, else 1 - Q with Q from
// Legendre's continued fraction, evaluated by the modified Lentz method.
double gamma_pq(double a, double x, bool upper) {
  if (x <= 0.0) return upper ? 1.0 : 0.0;
  if (x == kInf) return upper ? 0.0 : 1.0;
  const double front = std::exp(-x + a * std::log(x) - ad::lgamma(a));
  if (x < a + 1.0) {
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return upper ? 1.0 - front * sum : front * sum;
  }
  constexpr double tiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) break;
  }
  return upper ? front * h : 1.0 - front * h;
}
double gamma_p(double a, double x) { return gamma_pq(a, x, false); }
double gamma_q(double a, double x) { return gamma_pq(a, x, true); }

// Continued fraction for I_x(a, b) (DLMF 8.17.22), modified Lentz.
double beta_cf(double a, double b, double x) {
  constexpr double tiny = 1e-300;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m < 100000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) break;
  }
  return h;
}
// I_x(a, b), the Beta(a, b) CDF.
double beta_i(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double front = std::exp(a * std::log(x) + b * std::log1p(-x) - ad::lbeta(a, b));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_cf(a, b, x) / a;
  return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

double student_t_cdf(double nu, double t) {
  const double tail = 0.5 * beta_i(0.5 * nu, 0.5, nu / (nu + t * t));
  return t < 0.0 ? tail : 1.0 - tail;
}

// ---- test statistics ----

// Kolmogorov-Smirnov statistic of the sample against a continuous CDF.
template <class Cdf>
double ks_statistic(std::vector<double> xs, Cdf cdf) {
  std::sort(xs.begin(), xs.end());
  const double n = static_cast<double>(xs.size());
  double d = 0.0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    d = std::max({d, (static_cast<double>(i) + 1.0) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}
// Kolmogorov's asymptotic critical value at level alpha = 1e-3: sqrt(-log(alpha / 2) / 2) /
// sqrt(n).
double ks_critical(std::size_t n) {
  return std::sqrt(-0.5 * std::log(0.5e-3)) / std::sqrt(static_cast<double>(n));
}
template <class Cdf>
void check_ks(const std::vector<double>& xs, Cdf cdf) {
  const double d = ks_statistic(xs, cdf);
  INFO("KS statistic " << d << ", critical value " << ks_critical(xs.size()));
  CHECK(d < ks_critical(xs.size()));
}

// Sample mean within 5 standard errors of `mean`; sample variance within 5 standard errors of
// `var`, its standard error sqrt((m4 - s^4) / n) from the sample fourth central moment.
void check_moments(const std::vector<double>& xs, double mean, double var) {
  const double n = static_cast<double>(xs.size());
  double m = 0.0;
  for (double x : xs) m += x;
  m /= n;
  double s2 = 0.0, m4 = 0.0;
  for (double x : xs) {
    const double d2 = (x - m) * (x - m);
    s2 += d2;
    m4 += d2 * d2;
  }
  s2 /= n - 1.0;
  m4 /= n;
  INFO("sample mean " << m << " vs " << mean << "; sample variance " << s2 << " vs " << var);
  CHECK(std::fabs(m - mean) < 5.0 * std::sqrt(var / n));
  CHECK(std::fabs(s2 - var) < 5.0 * std::sqrt(std::max(m4 - s2 * s2, 0.0) / n));
}
void check_moments(const std::vector<std::int64_t>& ks, double mean, double var) {
  check_moments(std::vector<double>(ks.begin(), ks.end()), mean, var);
}

// Chi-square goodness of fit of integer draws against pmf(k), k = 0, 1, ...: consecutive values are
// merged into cells of expected count >= 10, the mass beyond the largest draw joins the last cell.
// Returns the p-value Q(df / 2, X^2 / 2).
template <class Pmf>
double chi_square_pvalue(const std::vector<std::int64_t>& ks, Pmf pmf) {
  const std::int64_t kmax = *std::max_element(ks.begin(), ks.end());
  REQUIRE(*std::min_element(ks.begin(), ks.end()) >= 0);
  std::vector<double> counts(static_cast<std::size_t>(kmax) + 1, 0.0);
  for (auto k : ks) counts[static_cast<std::size_t>(k)] += 1.0;
  const double n = static_cast<double>(ks.size());
  std::vector<double> obs, exp;
  double o = 0.0, e = 0.0, total_e = 0.0;
  for (std::int64_t k = 0; k <= kmax; ++k) {
    const double ek = n * pmf(k);
    o += counts[static_cast<std::size_t>(k)];
    e += ek;
    total_e += ek;
    if (e >= 10.0) {
      obs.push_back(o);
      exp.push_back(e);
      o = e = 0.0;
    }
  }
  e += std::max(n - total_e, 0.0);
  if (e >= 10.0 || obs.empty()) {
    obs.push_back(o);
    exp.push_back(e);
  } else {
    obs.back() += o;
    exp.back() += e;
  }
  double x2 = 0.0;
  for (std::size_t i = 0; i < obs.size(); ++i) x2 += (obs[i] - exp[i]) * (obs[i] - exp[i]) / exp[i];
  const double df = static_cast<double>(obs.size()) - 1.0;
  if (df < 1.0) return 1.0;
  return gamma_q(0.5 * df, 0.5 * x2);
}
template <class Pmf>
void check_chi_square(const std::vector<std::int64_t>& ks, Pmf pmf) {
  const double p = chi_square_pvalue(ks, pmf);
  INFO("chi-square p-value " << p);
  CHECK(p > 1e-3);
}

double poisson_pmf(double lam, std::int64_t k) {
  const double kd = static_cast<double>(k);
  return std::exp(-lam + kd * std::log(lam) - ad::lgamma(kd + 1.0));
}
double binomial_pmf(std::int64_t n, double p, std::int64_t k) {
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  if (k > n) return 0.0;
  double l = ad::lchoose(nd, kd);
  if (k > 0) l += kd * std::log(p);
  if (k < n) l += (nd - kd) * std::log1p(-p);
  return std::exp(l);
}

}  // namespace

// ------------------------------------------------------------------------------------------------

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors") {
  using C = std::array<std::uint32_t, 4>;
  CHECK(philox4x32_10({0, 0, 0, 0}, {0, 0}) == C{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
        C{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        C{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("the stream layout: counter (word index / 2, key.w1), cipher key key.w0") {
  const Key k{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  Generator g(k);
  for (std::uint64_t block = 0; block < 3; ++block) {
    const auto out =
        philox4x32_10({static_cast<std::uint32_t>(block), 0u, 0x76543210u, 0xfedcba98u},
                      {0x89abcdefu, 0x01234567u});
    CHECK(g.next_u64() == (std::uint64_t{out[0]} | std::uint64_t{out[1]} << 32));
    CHECK(g.next_u64() == (std::uint64_t{out[2]} | std::uint64_t{out[3]} << 32));
  }
  // split children are the blocks with tag 1 in the top two bits of the counter's low half.
  const auto out =
      philox4x32_10({2u, 0x40000000u, 0x76543210u, 0xfedcba98u}, {0x89abcdefu, 0x01234567u});
  const Key child = split(k, 3)[2];
  CHECK(child.w0 == (std::uint64_t{out[0]} | std::uint64_t{out[1]} << 32));
  CHECK(child.w1 == (std::uint64_t{out[2]} | std::uint64_t{out[3]} << 32));
  // make_key: counter (seed, 0), cipher key sqrt(2)'s fractional bits.
  const auto root = philox4x32_10({7u, 0u, 0u, 0u}, {0xf3bcc908u, 0x6a09e667u});
  CHECK(make_key(7) == Key{std::uint64_t{root[0]} | std::uint64_t{root[1]} << 32,
                           std::uint64_t{root[2]} | std::uint64_t{root[3]} << 32});
}

TEST_CASE("Generator is a uniform_random_bit_generator and drives <random>") {
  static_assert(std::uniform_random_bit_generator<Generator>);
  Generator g = gen(1);
  std::uniform_int_distribution<int> die(1, 6);
  int counts[7] = {};
  for (int i = 0; i < 6000; ++i) ++counts[die(g)];
  for (int f = 1; f <= 6; ++f) CHECK(std::abs(counts[f] - 1000) < 5 * 29);  // sd ~ 28.9
  std::vector<int> v(20);
  std::iota(v.begin(), v.end(), 0);
  std::shuffle(v.begin(), v.end(), g);
  CHECK(std::is_permutation(
      v.begin(), v.end(),
      std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
          .begin()));
}

TEST_CASE(
    "keys: same key same stream; split, fold_in and make_key give distinct keys and streams") {
  const Key root = make_key(42);
  CHECK(make_key(42) == root);
  Generator a(root), b(root);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next_u64() == b.next_u64());

  // split: prefix property, pair form, distinctness.
  const auto five = split(root, 5);
  const auto three = split(root, 3);
  CHECK(std::equal(three.begin(), three.end(), five.begin()));
  const auto [s0, s1] = split(root);
  CHECK(s0 == five[0]);
  CHECK(s1 == five[1]);
  CHECK(split(root, 0).empty());

  std::set<std::pair<std::uint64_t, std::uint64_t>> keys;
  auto insert = [&](Key k) { return keys.insert({k.w0, k.w1}).second; };
  CHECK(insert(root));
  for (const Key& k : split(root, 2000)) CHECK(insert(k));
  for (std::uint64_t i = 0; i < 2000; ++i) CHECK(insert(fold_in(root, i)));
  for (std::uint64_t i : {std::uint64_t{1} << 32, (std::uint64_t{1} << 32) + 1, ~std::uint64_t{0},
                          std::uint64_t{1} << 63})
    CHECK(insert(fold_in(root, i)));
  for (std::uint64_t s = 0; s < 2000; ++s)
    if (s != 42) CHECK(insert(make_key(s)));
  CHECK(fold_in(root, 5) == fold_in(root, 5));
  CHECK(!(fold_in(root, 5) == fold_in(five[0], 5)));

  // Streams of different keys differ from the first word on (all 64-bit first words distinct).
  std::set<std::uint64_t> first_words;
  for (const Key& k : split(root, 2000)) CHECK(first_words.insert(Generator(k).next_u64()).second);

  // Streams of sibling keys are uncorrelated: correlation of their uniforms within 5 / sqrt(n).
  Generator x(fold_in(root, 0)), y(fold_in(root, 1));
  const int n = 200000;
  double sxy = 0.0;
  for (int i = 0; i < n; ++i) sxy += (x.uniform() - 0.5) * (y.uniform() - 0.5);
  CHECK(std::fabs(sxy / n * 12.0) < 5.0 / std::sqrt(n));
}

TEST_CASE("discard and position: O(1) skip, copies replay") {
  Generator g(make_key(3));
  std::vector<std::uint64_t> words(11);
  for (auto& w : words) w = g.next_u64();
  CHECK(g.position() == 11);
  for (std::uint64_t skip = 0; skip < 10; ++skip) {
    Generator h(make_key(3));
    h.discard(skip);
    CHECK(h.position() == skip);
    CHECK(h.next_u64() == words[skip]);
    CHECK(h.next_u64() == words[skip + 1]);
  }
  Generator h(make_key(3));
  h.next_u64();
  h.discard(3);  // from an odd position to an even one
  CHECK(h.next_u64() == words[4]);
  Generator copy = h;
  CHECK(copy.next_u64() == h.next_u64());
  CHECK(copy.key() == make_key(3));
}

TEST_CASE("uniform is in the open interval (0, 1)") {
  Generator g = gen(2);
  double lo = 1.0, hi = 0.0, sum = 0.0;
  const int n = 1000000;
  for (int i = 0; i < n; ++i) {
    const double u = g.uniform();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
  }
  CHECK(lo > 0.0);
  CHECK(hi < 1.0);
  CHECK(std::fabs(sum / n - 0.5) < 5.0 * std::sqrt(1.0 / 12.0 / n));
  // The extreme words map strictly inside: (m + 1/2) 2^-53 for the top 53 bits m.
  CHECK((static_cast<double>(std::uint64_t{0} >> 11) + 0.5) * 0x1.0p-53 == 0x1.0p-54);
  CHECK((static_cast<double>(~std::uint64_t{0} >> 11) + 0.5) * 0x1.0p-53 == 1.0 - 0x1.0p-54);
  check_ks(draw(gen(3), kN, [](Generator& h) { return h.uniform(); }), [](double u) { return u; });
}

TEST_CASE("threads: per-unit keys give bit-identical results whatever the thread count") {
  // A "chain" draws a mix of samplers with variable and fixed word consumption.
  auto chain = [](Key k) {
    Generator g(k);
    std::vector<double> out;
    for (int i = 0; i < 200; ++i) {
      out.push_back(standard_normal(g));
      out.push_back(gamma(g, 0.7, 2.0));
      out.push_back(static_cast<double>(poisson(g, 30.0)));
      out.push_back(beta(g, 0.4, 3.0));
      out.push_back(static_cast<double>(binomial(g, 500, 0.3)));
    }
    return out;
  };
  const Key root = make_key(777);
  const std::size_t chains = 24;
  for (int derivation = 0; derivation < 2; ++derivation) {
    const std::vector<Key> keys = [&] {
      if (derivation == 0) return split(root, chains);
      std::vector<Key> ks;
      for (std::size_t c = 0; c < chains; ++c) ks.push_back(fold_in(root, c));
      return ks;
    }();
    std::vector<std::vector<double>> serial(chains);
    for (std::size_t c = 0; c < chains; ++c) serial[c] = chain(keys[c]);
    for (unsigned threads : {1u, 2u, 3u, 5u, 8u}) {
      std::vector<std::vector<double>> parallel(chains);
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          for (std::size_t c = t; c < chains; c += threads) parallel[c] = chain(keys[c]);
        });
      for (auto& th : pool) th.join();
      CAPTURE(threads);
      CHECK(parallel == serial);  // bitwise: no NaN in these draws
    }
    for (std::size_t c = 1; c < chains; ++c) CHECK(serial[c] != serial[0]);
  }
}

TEST_CASE("reference CDFs of this test agree with SciPy") {
  // scipy.special.gammainc / betainc and scipy.stats.t.cdf (SciPy 1.10).
  CHECK(gamma_p(0.05, 1e-3) == doctest::Approx(0.72717922905292254).epsilon(1e-12));
  CHECK(gamma_p(30, 25) == doctest::Approx(0.18210391597745509).epsilon(1e-12));
  CHECK(gamma_p(1e4, 1e4 + 50) == doctest::Approx(0.69234244070256568).epsilon(1e-10));
  CHECK(gamma_p(2.5, 7.0) == doctest::Approx(0.98439058389973311).epsilon(1e-12));
  CHECK(gamma_p(0.5, 0.2) == doctest::Approx(0.47291074313446196).epsilon(1e-12));
  CHECK(beta_i(0.1, 0.2, 0.3) == doctest::Approx(0.62284335472031715).epsilon(1e-12));
  CHECK(beta_i(100, 30, 0.75) == doctest::Approx(0.29214284029441523).epsilon(1e-11));
  CHECK(beta_i(2, 5, 0.2) == doctest::Approx(0.34464000000000006).epsilon(1e-12));
  CHECK(beta_i(0.5, 0.5, 0.9) == doctest::Approx(0.79516723530086619).epsilon(1e-12));
  CHECK(beta_i(0.3, 7.5, 0.01) == doctest::Approx(0.49762913904712375).epsilon(1e-12));
  CHECK(student_t_cdf(2.5, -1.3) == doctest::Approx(0.15024339463535397).epsilon(1e-12));
  CHECK(student_t_cdf(30, 4.0) == doctest::Approx(0.99980907718195811).epsilon(1e-12));
}

// ---- continuous samplers ----

TEST_CASE("standard_normal, normal, lognormal, half_normal") {
  {
    Generator g = gen(10);
    std::vector<double> xs(200000);
    standard_normal(g, xs);
    check_moments(xs, 0.0, 1.0);
    xs.resize(kN);
    check_ks(xs, [](double x) { return ad::Phi(x); });
  }
  {
    auto xs = draw(gen(11), kN, [](Generator& g) { return normal(g, 1.5, 2.5); });
    check_moments(xs, 1.5, 6.25);
    check_ks(xs, [](double x) { return ad::Phi((x - 1.5) / 2.5); });
  }
  {
    const double mu = 0.3, s = 0.5;
    auto xs = draw(gen(12), kN, [&](Generator& g) { return lognormal(g, mu, s); });
    check_moments(xs, std::exp(mu + s * s / 2), std::expm1(s * s) * std::exp(2 * mu + s * s));
    check_ks(xs, [&](double x) { return ad::Phi((std::log(x) - mu) / s); });
  }
  {
    auto xs = draw(gen(13), kN, [](Generator& g) { return half_normal(g, 2.0); });
    check_moments(xs, 2.0 * std::sqrt(2.0 / kPi), 4.0 * (1.0 - 2.0 / kPi));
    check_ks(xs, [](double x) { return std::erf(x / 2.0 / std::sqrt(2.0)); });
  }
}

TEST_CASE("uniform(a, b), exponential, laplace, logistic, weibull") {
  {
    auto xs = draw(gen(20), kN, [](Generator& g) { return uniform(g, -2.0, 3.0); });
    check_moments(xs, 0.5, 25.0 / 12.0);
    check_ks(xs, [](double x) { return (x + 2.0) / 5.0; });
    CHECK(*std::min_element(xs.begin(), xs.end()) > -2.0);
    CHECK(*std::max_element(xs.begin(), xs.end()) < 3.0);
  }
  {
    auto xs = draw(gen(21), kN, [](Generator& g) { return exponential(g, 0.7); });
    check_moments(xs, 1 / 0.7, 1 / 0.49);
    check_ks(xs, [](double x) { return -std::expm1(-0.7 * x); });
  }
  {
    auto xs = draw(gen(22), kN, [](Generator& g) { return laplace(g, -1.0, 0.5); });
    check_moments(xs, -1.0, 2 * 0.25);
    check_ks(xs, [](double x) {
      return x < -1.0 ? 0.5 * std::exp((x + 1.0) / 0.5) : 1.0 - 0.5 * std::exp(-(x + 1.0) / 0.5);
    });
  }
  {
    auto xs = draw(gen(23), kN, [](Generator& g) { return logistic(g, 2.0, 1.5); });
    check_moments(xs, 2.0, 2.25 * kPi * kPi / 3.0);
    check_ks(xs, [](double x) { return ad::inv_logit((x - 2.0) / 1.5); });
  }
  std::uint64_t id = 24;
  for (auto [k, lam] : {std::pair{1.7, 2.0}, std::pair{0.5, 1.0}}) {
    CAPTURE(k);
    auto xs = draw(gen(id++), kN, [&](Generator& g) { return weibull(g, k, lam); });
    const double m1 = lam * std::tgamma(1 + 1 / k), m2 = lam * lam * std::tgamma(1 + 2 / k);
    check_moments(xs, m1, m2 - m1 * m1);
    check_ks(xs, [&](double x) { return -std::expm1(-std::pow(x / lam, k)); });
  }
}

TEST_CASE("cauchy, half_cauchy, student_t") {
  check_ks(draw(gen(30), kN, [](Generator& g) { return cauchy(g, 1.0, 2.0); }),
           [](double x) { return 0.5 + std::atan((x - 1.0) / 2.0) / kPi; });
  check_ks(draw(gen(31), kN, [](Generator& g) { return half_cauchy(g, 1.5); }),
           [](double x) { return 2.0 / kPi * std::atan(x / 1.5); });
  std::uint64_t id = 32;
  for (double nu : {0.5, 1.0, 2.5, 5.0, 30.0}) {
    CAPTURE(nu);
    auto xs = draw(gen(id++), kN, [&](Generator& g) { return student_t(g, nu, -0.5, 1.5); });
    check_ks(xs, [&](double x) { return student_t_cdf(nu, (x + 0.5) / 1.5); });
    if (nu > 4.0) check_moments(xs, -0.5, 2.25 * nu / (nu - 2.0));
  }
}

TEST_CASE("gamma for any shape > 0, chi_square, inverse_gamma") {
  std::uint64_t id = 40;
  for (auto [a, rate] :
       {std::pair{0.02, 1.0}, std::pair{0.3, 2.0}, std::pair{0.999, 1.0}, std::pair{1.0, 0.5},
        std::pair{2.5, 3.0}, std::pair{30.0, 1.0}, std::pair{1e4, 100.0}}) {
    CAPTURE(a);
    auto xs = draw(gen(id++), kN, [&](Generator& g) { return gamma(g, a, rate); });
    check_moments(xs, a / rate, a / (rate * rate));
    check_ks(xs, [&](double x) { return gamma_p(a, rate * x); });
  }
  {
    // tiny shape: values underflow towards 0 but never become negative or NaN; mean a.
    auto xs = draw(gen(id++), 200000, [](Generator& g) { return gamma(g, 1e-3, 1.0); });
    CHECK(std::all_of(xs.begin(), xs.end(), [](double x) { return x >= 0.0 && std::isfinite(x); }));
    check_moments(xs, 1e-3, 1e-3);
  }
  {
    auto xs = draw(gen(id++), kN, [](Generator& g) { return chi_square(g, 3.5); });
    check_moments(xs, 3.5, 7.0);
    check_ks(xs, [](double x) { return gamma_p(1.75, 0.5 * x); });
  }
  for (double a : {0.5, 3.0, 6.0}) {
    CAPTURE(a);
    auto xs = draw(gen(id++), kN, [&](Generator& g) { return inverse_gamma(g, a, 2.0); });
    check_ks(xs, [&](double x) { return gamma_q(a, 2.0 / x); });
    if (a > 4.0) check_moments(xs, 2.0 / (a - 1.0), 4.0 / ((a - 1.0) * (a - 1.0) * (a - 2.0)));
  }
}

TEST_CASE("beta, including small shapes") {
  std::uint64_t id = 60;
  for (auto [a, b] : {std::pair{0.1, 0.2}, std::pair{0.5, 0.5}, std::pair{2.0, 5.0},
                      std::pair{100.0, 30.0}, std::pair{1.0, 1.0}, std::pair{0.05, 3.0}}) {
    CAPTURE(a);
    CAPTURE(b);
    auto xs = draw(gen(id++), kN, [&](Generator& g) { return beta(g, a, b); });
    check_moments(xs, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1.0)));
    check_ks(xs, [&](double x) { return beta_i(a, b, x); });
  }
  {
    // Both shapes tiny: Ga and Gb both underflow in linear space, yet no 0/0.
    const double a = 1e-3, b = 2e-3;
    auto xs = draw(gen(id++), kN, [&](Generator& g) { return beta(g, a, b); });
    CHECK(std::all_of(xs.begin(), xs.end(), [](double x) { return x >= 0.0 && x <= 1.0; }));
    check_moments(xs, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1.0)));
  }
}

TEST_CASE("dirichlet: marginals are Beta(alpha_i, alpha_0 - alpha_i); small alpha") {
  const std::vector<double> alpha{0.3, 1.0, 2.5, 6.0};
  const double a0 = 9.8;
  Generator g = gen(70);
  std::vector<std::vector<double>> cols(alpha.size());
  for (std::size_t s = 0; s < kN; ++s) {
    const auto x = dirichlet(g, alpha);
    REQUIRE(x.size() == alpha.size());
    CHECK(std::fabs(std::accumulate(x.begin(), x.end(), 0.0) - 1.0) < 1e-14);
    for (std::size_t i = 0; i < x.size(); ++i) cols[i].push_back(x[i]);
  }
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    CAPTURE(i);
    const double a = alpha[i], b = a0 - a;
    check_moments(cols[i], a / a0, a * b / (a0 * a0 * (a0 + 1.0)));
    check_ks(cols[i], [&](double x) { return beta_i(a, b, x); });
  }
  const std::vector<double> tiny{1e-3, 2e-3, 0.01};
  std::vector<double> first;
  for (std::size_t s = 0; s < kN; ++s) {
    const auto x = dirichlet(g, tiny);
    CHECK(std::all_of(x.begin(), x.end(), [](double v) { return v >= 0.0 && v <= 1.0; }));
    CHECK(std::fabs(x[0] + x[1] + x[2] - 1.0) < 1e-14);
    first.push_back(x[0]);
  }
  const double t0 = 0.013;
  check_moments(first, 1e-3 / t0, 1e-3 * (t0 - 1e-3) / (t0 * t0 * (t0 + 1.0)));
}

TEST_CASE("multivariate_normal: sample covariance vs L L^T; precision form vs (L L^T)^-1") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Matrix<double> L(3, 3, nan);  // the upper triangle is never read
  L(0, 0) = 2.0;
  L(1, 0) = 0.5;
  L(1, 1) = 1.5;
  L(2, 0) = -1.0;
  L(2, 1) = 0.3;
  L(2, 2) = 0.8;
  const std::vector<double> mean{1.0, -2.0, 0.5};
  auto llt = [&](const Matrix<double>& A) {  // lower A: A A^T
    Matrix<double> S(3, 3, 0.0);
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        for (std::size_t k = 0; k <= std::min(i, j); ++k) S(i, j) += A(i, k) * A(j, k);
    return S;
  };
  auto check_sample = [&](Generator g, bool precision, const Matrix<double>& sigma) {
    const std::size_t n = 50000;
    std::vector<std::vector<double>> xs(n);
    for (auto& x : xs)
      x = precision ? multivariate_normal_precision(g, mean, L) : multivariate_normal(g, mean, L);
    double m[3] = {};
    for (const auto& x : xs)
      for (int i = 0; i < 3; ++i) m[i] += x[i] / static_cast<double>(n);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(std::fabs(m[i] - mean[i]) < 5.0 * std::sqrt(sigma(i, i) / n));
      for (std::size_t j = 0; j < 3; ++j) {
        double c = 0.0;
        for (const auto& x : xs) c += (x[i] - m[i]) * (x[j] - m[j]);
        c /= static_cast<double>(n - 1);
        const double se = std::sqrt((sigma(i, i) * sigma(j, j) + sigma(i, j) * sigma(i, j)) / n);
        CAPTURE(i);
        CAPTURE(j);
        CHECK(std::fabs(c - sigma(i, j)) < 5.0 * se);
      }
    }
    std::vector<double> x2;
    for (const auto& x : xs) x2.push_back(x[2]);
    x2.resize(kN);
    check_ks(x2, [&](double v) { return ad::Phi((v - mean[2]) / std::sqrt(sigma(2, 2))); });
  };
  check_sample(gen(80), false, llt(L));
  // (L L^T)^-1 = L^-T L^-1 with L^-1 lower triangular by forward substitution.
  Matrix<double> Linv(3, 3, 0.0);
  for (std::size_t j = 0; j < 3; ++j) {
    Linv(j, j) = 1.0 / L(j, j);
    for (std::size_t i = j + 1; i < 3; ++i) {
      double s = 0.0;
      for (std::size_t k = j; k < i; ++k) s += L(i, k) * Linv(k, j);
      Linv(i, j) = -s / L(i, i);
    }
  }
  Matrix<double> cov(3, 3, 0.0);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 3; ++k) cov(i, j) += Linv(k, i) * Linv(k, j);
  check_sample(gen(81), true, cov);

  // Caller storage, and the one-dimensional case equals normal().
  Generator g1 = gen(82), g2 = gen(82);
  std::vector<double> out(3);
  multivariate_normal(g1, mean, L, out);
  CHECK(out == multivariate_normal(g2, mean, L));
  Matrix<double> one(1, 1, 3.0);
  Generator h1 = gen(83), h2 = gen(83);
  // (Equal up to rounding: the compiler may contract mu + sigma z into an fma in one of them.)
  CHECK(multivariate_normal(h1, std::vector<double>{2.0}, one)[0] ==
        doctest::Approx(normal(h2, 2.0, 3.0)).epsilon(1e-15));
}

// ---- discrete samplers ----

TEST_CASE("bernoulli, bernoulli_logit") {
  auto ks = draw_counts(gen(90), kNd, [](Generator& g) { return bernoulli(g, 0.3); });
  check_moments(ks, 0.3, 0.21);
  check_chi_square(ks, [](std::int64_t k) { return k == 0 ? 0.7 : k == 1 ? 0.3 : 0.0; });
  Generator g = gen(91);
  for (int i = 0; i < 1000; ++i) {
    CHECK(bernoulli(g, 0.0) == 0);
    CHECK(bernoulli(g, 1.0) == 1);
    CHECK(bernoulli_logit(g, -kInf) == 0);
    CHECK(bernoulli_logit(g, kInf) == 1);
  }
  const double p = ad::inv_logit(-1.2);
  ks = draw_counts(gen(92), kNd, [](Generator& h) { return bernoulli_logit(h, -1.2); });
  check_moments(ks, p, p * (1 - p));
}

TEST_CASE("poisson: inversion below rate 10, PTRS above, exact for huge rates") {
  std::uint64_t id = 100;
  for (double lam : {0.5, 7.0, 9.99, 10.0, 40.0, 1e4}) {
    CAPTURE(lam);
    auto ks = draw_counts(gen(id++), kNd, [&](Generator& g) { return poisson(g, lam); });
    check_moments(ks, lam, lam);
    check_chi_square(ks, [&](std::int64_t k) { return poisson_pmf(lam, k); });
  }
  Generator g = gen(id++);
  for (int i = 0; i < 100; ++i) CHECK(poisson(g, 0.0) == 0);
  // Huge rates: standardized draws against the normal limit (skewness 1 / sqrt(lam) < 1e-6, far
  // below the KS resolution), and moments; also rates above 2^53 where doubles skip integers.
  for (double lam : {1e12, 0x1.0p55 + 3.0, 0x1.0p60}) {
    CAPTURE(lam);
    const auto whole = static_cast<std::int64_t>(lam);
    std::vector<double> z;
    std::set<std::int64_t> low_bits;
    Generator h = gen(id++);
    for (std::size_t i = 0; i < kN; ++i) {
      const std::int64_t k = poisson(h, lam);
      low_bits.insert(k & 7);
      z.push_back(static_cast<double>(k - whole) / std::sqrt(lam));
    }
    CHECK(low_bits.size() == 8);  // every residue mod 8: integers beyond 2^53 are all reachable
    check_moments(z, (lam - static_cast<double>(whole)) / std::sqrt(lam), 1.0);
    check_ks(z, [](double x) { return ad::Phi(x); });
  }
}

TEST_CASE("binomial: inversion for small n min(p, q), BTRS for large; symmetry in p") {
  std::uint64_t id = 120;
  for (auto [n, p] : {std::pair<std::int64_t, double>{20, 0.3},
                      {1000, 0.004},
                      {50, 0.9},
                      {100, 0.5},
                      {1000000, 0.3},
                      {2000, 0.97},
                      {40, 0.26},
                      {10000, 0.001}}) {
    CAPTURE(n);
    CAPTURE(p);
    auto ks = draw_counts(gen(id++), kNd, [&](Generator& g) { return binomial(g, n, p); });
    const double nd = static_cast<double>(n);
    check_moments(ks, nd * p, nd * p * (1 - p));
    check_chi_square(ks, [&](std::int64_t k) { return binomial_pmf(n, p, k); });
    CHECK(*std::max_element(ks.begin(), ks.end()) <= n);
  }
  Generator g = gen(id++);
  for (int i = 0; i < 100; ++i) {
    CHECK(binomial(g, 0, 0.5) == 0);
    CHECK(binomial(g, 17, 0.0) == 0);
    CHECK(binomial(g, 17, 1.0) == 17);
  }
  // Huge n: standardized draws against the normal limit.
  for (auto [n, p] : {std::pair<std::int64_t, double>{1000000000000000, 0.3},
                      {(std::int64_t{1} << 53) - 1, 0.5}}) {
    CAPTURE(n);
    const double nd = static_cast<double>(n), sd = std::sqrt(nd * p * (1 - p));
    Generator h = gen(id++);
    std::vector<double> z;
    for (std::size_t i = 0; i < kN; ++i)
      z.push_back((static_cast<double>(binomial(h, n, p)) - nd * p) / sd);
    check_moments(z, 0.0, 1.0);
    check_ks(z, [](double x) { return ad::Phi(x); });
  }
}

TEST_CASE("negative_binomial(mu, phi) = Stan's neg_binomial_2") {
  std::uint64_t id = 140;
  for (auto [mu, phi] :
       {std::pair{3.0, 0.5}, std::pair{50.0, 10.0}, std::pair{0.2, 2.0}, std::pair{500.0, 4.0}}) {
    CAPTURE(mu);
    CAPTURE(phi);
    auto ks =
        draw_counts(gen(id++), kNd, [&](Generator& g) { return negative_binomial(g, mu, phi); });
    check_moments(ks, mu, mu + mu * mu / phi);
    check_chi_square(ks, [&](std::int64_t k) {
      const double kd = static_cast<double>(k);
      return std::exp(ad::lgamma(kd + phi) - ad::lgamma(kd + 1) - ad::lgamma(phi) +
                      phi * std::log(phi / (mu + phi)) + kd * std::log(mu / (mu + phi)));
    });
  }
  Generator g1 = gen(id), g2 = gen(id);
  CHECK(neg_binomial_2(g1, 4.0, 2.0) == negative_binomial(g2, 4.0, 2.0));
  CHECK(negative_binomial(g1, 0.0, 2.0) == 0);
}

TEST_CASE("categorical and categorical_logit") {
  {
    const std::vector<double> w{0.1, 0.0, 0.5, 0.4};
    auto ks = draw_counts(gen(150), kNd, [&](Generator& g) { return categorical(g, w); });
    CHECK(std::count(ks.begin(), ks.end(), 1) == 0);
    check_chi_square(ks,
                     [&](std::int64_t k) { return k < 4 ? w[static_cast<std::size_t>(k)] : 0.0; });
  }
  {
    const std::vector<double> w{1.0, 2.0, 3.0};  // unnormalized weights
    auto ks = draw_counts(gen(151), kNd, [&](Generator& g) { return categorical(g, w); });
    check_chi_square(
        ks, [&](std::int64_t k) { return k < 3 ? w[static_cast<std::size_t>(k)] / 6.0 : 0.0; });
  }
  {
    const std::vector<double> l{0.5, -kInf, 2.0, -1.0, 700.0 - 700.0};
    double z = 0.0;
    for (double v : l) z += std::exp(v);
    auto ks = draw_counts(gen(152), kNd, [&](Generator& g) { return categorical_logit(g, l); });
    CHECK(std::count(ks.begin(), ks.end(), 1) == 0);
    check_chi_square(ks, [&](std::int64_t k) {
      return k < 5 ? std::exp(l[static_cast<std::size_t>(k)]) / z : 0.0;
    });
    // Shifting every logit by a constant changes nothing (the same draws).
    std::vector<double> shifted = l;
    for (double& v : shifted) v += 800.0;
    Generator g1 = gen(153), g2 = gen(153);
    for (int i = 0; i < 1000; ++i)
      CHECK(categorical_logit(g1, l) == categorical_logit(g2, shifted));
  }
  Generator g = gen(154);
  const std::vector<double> single{2.5};
  CHECK(categorical(g, single) == 0);
  CHECK(categorical_logit(g, single) == 0);
}

TEST_CASE("parameter checks throw tapir::domain_error naming the sampler and argument") {
  Generator g = gen(160);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const tapir::domain_error& e) {
      return std::string(e.what());
    }
    return std::string("no throw");
  };
  CHECK(message([&] { gamma(g, -1.0, 1.0); }) == "gamma: shape is -1, must be positive and finite");
  CHECK(message([&] { normal(g, 0.0, 0.0); }) == "normal: sigma is 0, must be positive and finite");
  CHECK(message([&] { poisson(g, -2.0); }) == "poisson: rate is -2, must be in [0, 2^60]");
  CHECK(message([&] { binomial(g, 5, 1.5); }) == "binomial: p is 1.5, must be in [0, 1]");
  CHECK_THROWS_AS(normal(g, nan, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(uniform(g, 1.0, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(uniform(g, -1e308, 1e308), tapir::domain_error);
  CHECK_THROWS_AS(exponential(g, 0.0), tapir::domain_error);
  CHECK_THROWS_AS(gamma(g, 1.0, kInf), tapir::domain_error);
  CHECK_THROWS_AS(chi_square(g, -1.0), tapir::domain_error);
  CHECK_THROWS_AS(inverse_gamma(g, 1.0, 0.0), tapir::domain_error);
  CHECK_THROWS_AS(beta(g, 0.0, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(beta(g, 1.0, nan), tapir::domain_error);
  CHECK_THROWS_AS(dirichlet(g, std::vector<double>{1.0, -1.0}), tapir::domain_error);
  CHECK_THROWS_AS(student_t(g, 0.0, 0.0, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(cauchy(g, 0.0, -1.0), tapir::domain_error);
  CHECK_THROWS_AS(laplace(g, kInf, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(logistic(g, 0.0, nan), tapir::domain_error);
  CHECK_THROWS_AS(lognormal(g, 0.0, -1.0), tapir::domain_error);
  CHECK_THROWS_AS(weibull(g, 0.0, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(half_normal(g, -1.0), tapir::domain_error);
  CHECK_THROWS_AS(half_cauchy(g, 0.0), tapir::domain_error);
  CHECK_THROWS_AS(bernoulli(g, -0.1), tapir::domain_error);
  CHECK_THROWS_AS(bernoulli_logit(g, nan), tapir::domain_error);
  CHECK_THROWS_AS(poisson(g, nan), tapir::domain_error);
  CHECK_THROWS_AS(poisson(g, 0x1.0p61), tapir::domain_error);
  CHECK_THROWS_AS(binomial(g, -1, 0.5), tapir::domain_error);
  CHECK_THROWS_AS(binomial(g, std::int64_t{1} << 53, 0.5), tapir::domain_error);
  CHECK_THROWS_AS(negative_binomial(g, -1.0, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(negative_binomial(g, 1.0, 0.0), tapir::domain_error);
  CHECK_THROWS_AS(categorical(g, std::vector<double>{0.0, 0.0}), tapir::domain_error);
  CHECK_THROWS_AS(categorical(g, std::vector<double>{0.5, -0.1}), tapir::domain_error);
  CHECK_THROWS_AS(categorical(g, std::vector<double>{}), tapir::domain_error);
  CHECK_THROWS_AS(categorical_logit(g, std::vector<double>{-kInf, -kInf}), tapir::domain_error);
  CHECK_THROWS_AS(categorical_logit(g, std::vector<double>{0.0, kInf}), tapir::domain_error);
  CHECK_THROWS_AS(categorical_logit(g, std::vector<double>{0.0, nan}), tapir::domain_error);
  Matrix<double> L(2, 2, 0.0);
  L(0, 0) = L(1, 1) = 1.0;
  CHECK_THROWS_AS(multivariate_normal(g, std::vector<double>{0.0, 0.0, 0.0}, L), tapir::size_error);
  std::vector<double> out(3);
  CHECK_THROWS_AS(multivariate_normal(g, std::vector<double>{0.0, 0.0}, L, out), tapir::size_error);
  CHECK_THROWS_AS(multivariate_normal(g, std::vector<double>{0.0, nan}, L), tapir::domain_error);
  L(1, 1) = 0.0;
  CHECK_THROWS_AS(multivariate_normal_precision(g, std::vector<double>{0.0, 0.0}, L),
                  tapir::domain_error);
  CHECK_NOTHROW(multivariate_normal(g, std::vector<double>{0.0, 0.0}, L));  // singular covariance
}
