// The samplers of random.hpp. Methods and sources are named at each function.
#include "distributions/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

namespace tapir::distributions {

namespace {

constexpr double kLogSqrt2Pi = 0.918938533204672741780329736406;  // log(2 pi) / 2
constexpr double kPi = 3.14159265358979323846264338327950288;
constexpr double kMaxPoissonRate = 0x1.0p60;
constexpr std::int64_t kMaxBinomialN = (std::int64_t{1} << 53) - 1;

// ---- parameter checks ----

void check_finite(const char* fn, const char* arg, double v) {
  if (!std::isfinite(v)) throw_domain_error(fn, arg, v, "finite");
}
void check_positive_finite(const char* fn, const char* arg, double v) {
  if (!(v > 0.0 && std::isfinite(v))) throw_domain_error(fn, arg, v, "positive and finite");
}
void check_probability(const char* fn, const char* arg, double v) {
  if (!(v >= 0.0 && v <= 1.0)) throw_domain_error(fn, arg, v, "in [0, 1]");
}

[[noreturn]] void throw_shape(const char* fn, const char* arg, std::size_t rows, std::size_t cols,
                              std::size_t n) {
  std::ostringstream o;
  o << fn << ": " << arg << " is " << rows << "x" << cols << ", must be " << n << "x" << n
    << " to match mean of size " << n;
  throw size_error(o.str());
}
[[noreturn]] void throw_out_size(const char* fn, std::size_t size, std::size_t n) {
  std::ostringstream o;
  o << fn << ": out has size " << size << ", must have size " << n << " (the size of mean)";
  throw size_error(o.str());
}

// ---- gamma variates (shape a > 0, rate 1) ----

// Marsaglia & Tsang 2000, "A simple method for generating gamma variables", ACM TOMS 26(3):
// for a >= 1, d = a - 1/3, c = 1 / sqrt(9 d), x standard normal, v = (1 + c x)^3 > 0; accept d v
// if u < 1 - 0.0331 x^4 (squeeze) or log u < x^2 / 2 + d (1 - v + log v). Returns the accepted
// t = c x (the variate is d (1 + t)^3). With t, log v = 3 log1p(t) and 1 - v + log v is written as
// 3 (log1p(t) - t) - t^2 (3 + t), which keeps its accuracy for large d (small t).
double gamma_mt_t(Generator& g, double d, double c) {
  for (;;) {
    double x, t;
    do {
      x = standard_normal(g);
      t = c * x;
    } while (t <= -1.0);
    const double u = g.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return t;
    const double one_minus_v_plus_log_v = 3.0 * (std::log1p(t) - t) - t * t * (3.0 + t);
    if (std::log(u) < 0.5 * x2 + d * one_minus_v_plus_log_v) return t;
  }
}

// log of a Gamma(a, 1) variate for any a > 0: log d + 3 log1p(t) for a >= 1; for a < 1 the boost
// G(a + 1) U^(1/a) (Marsaglia & Tsang 2000, section 6) as log G(a + 1) + log(U) / a, which does
// not underflow however small a is.
double log_std_gamma(Generator& g, double a) {
  const double shape = a >= 1.0 ? a : a + 1.0;
  const double d = shape - 1.0 / 3.0;
  const double t = gamma_mt_t(g, d, 1.0 / std::sqrt(9.0 * d));
  const double lg = std::log(d) + 3.0 * std::log1p(t);
  if (a >= 1.0) return lg;
  return lg + std::log(g.uniform()) / a;
}

// A Gamma(a, 1) variate (underflows to 0 for tiny a where the exact value would).
double std_gamma(Generator& g, double a) {
  if (a < 1.0) return std::exp(log_std_gamma(g, a));
  const double d = a - 1.0 / 3.0;
  const double v = 1.0 + gamma_mt_t(g, d, 1.0 / std::sqrt(9.0 * d));
  return d * (v * v * v);
}

// ---- exact log probabilities for the rejection tests of PTRS and BTRS ----

// Loader 2000, "Fast and accurate computation of binomial probabilities":
// stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n / e)^n) for n >= 1; for n >= 16 the Stirling series
// 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9) (error < 2e-16 there).
double stirlerr(double n) {
  if (n < 16.0) return autodiff::lgamma(n + 1.0) - (n + 0.5) * std::log(n) + n - kLogSqrt2Pi;
  const double nn = n * n;
  constexpr double s0 = 1.0 / 12.0, s1 = 1.0 / 360.0, s2 = 1.0 / 1260.0, s3 = 1.0 / 1680.0,
                   s4 = 1.0 / 1188.0;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// Loader's deviance term bd0(x, m) = x log(x / m) + m - x >= 0, with diff = x - m given
// separately (accurately) by the caller. Near x = m it is summed as
// (x - m) v + 2 x sum_{j >= 1} v^(2j+1) / (2j + 1), v = (x - m) / (x + m), free of cancellation.
double bd0(double x, double m, double diff) {
  if (x == 0.0) return m;
  if (std::fabs(diff) < 0.1 * (x + m)) {
    const double v = diff / (x + m);
    const double v2 = v * v;
    double s = diff * v;
    double ej = 2.0 * x * v;
    for (int j = 1; j < 1000; ++j) {
      ej *= v2;
      const double s1 = s + ej / (2 * j + 1);
      if (s1 == s) return s1;
      s = s1;
    }
    return s;
  }
  return x * std::log(x / m) - diff;
}

// A positive double mean m held as an integer part plus a fraction, so that k - m is exact-ish
// for integers k beyond 2^53 and proposals k = floor(m + offset) are computed in integers.
struct SplitMean {
  std::int64_t whole;  // floor(hi)
  double frac;         // (hi - whole) + lo, in [-1, 2)
  double value;        // hi
  double diff(std::int64_t k) const { return static_cast<double>(k - whole) - frac; }
};

SplitMean split_mean(double hi, double lo) {
  const double w = std::floor(hi);
  return {static_cast<std::int64_t>(w), (hi - w) + lo, hi};
}

double poisson_log_pmf(std::int64_t k, const SplitMean& lam) {
  if (k == 0) return -lam.value;
  const double kd = static_cast<double>(k);
  return -stirlerr(kd) - bd0(kd, lam.value, lam.diff(k)) - 0.5 * std::log(2.0 * kPi * kd);
}

// n <= 2^53, 0 < p <= 1/2; np = n p as a split mean.
double binomial_log_pmf(std::int64_t k, std::int64_t n, double p, const SplitMean& np) {
  const double nd = static_cast<double>(n);
  if (k == 0) return nd * std::log1p(-p);
  if (k == n) return nd * std::log(p);
  const double kd = static_cast<double>(k), rd = static_cast<double>(n - k);
  const double diff = np.diff(k);  // k - np = -((n - k) - nq)
  const double nq = nd - np.value;
  return stirlerr(nd) - stirlerr(kd) - stirlerr(rd) - bd0(kd, np.value, diff) - bd0(rd, nq, -diff) -
         0.5 * std::log(2.0 * kPi * kd * (rd / nd));
}

// ---- Poisson ----

// Inversion by sequential (chop-down) search, rate < 10. A draw that the rounding of the running
// sum leaves unassigned (probability ~1e-16) is redrawn.
std::int64_t poisson_inversion(Generator& g, double rate) {
  const double p0 = std::exp(-rate);
  for (;;) {
    double u = g.uniform();
    std::int64_t k = 0;
    double pk = p0;
    while (u > pk) {
      u -= pk;
      ++k;
      pk *= rate / static_cast<double>(k);
      if (pk < std::numeric_limits<double>::min()) break;
    }
    if (u <= pk) return k;
  }
}

// PTRS, Hoermann 1993 (rate >= 10): the transformed rejection method with squeeze. Constants of
// the paper: b = 0.931 + 2.53 sqrt(lam), a = -0.059 + 0.02483 b,
// 1/alpha = 1.1239 + 1.1328 / (b - 3.4), v_r = 0.9277 - 3.6224 / (b - 2); proposal
// k = floor((2a/us + b) u + lam + 0.43), accepted if v / alpha / (a / us^2 + b) <= f(k). The
// squeeze (us >= 0.07, v <= v_r) is a shortcut inside the acceptance region.
std::int64_t poisson_ptrs(Generator& g, double lam) {
  const SplitMean m = split_mean(lam, 0.0);
  const double b = 0.931 + 2.53 * std::sqrt(lam);
  const double a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = std::log(1.1239 + 1.1328 / (b - 3.4));
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  const double whole = static_cast<double>(m.whole);
  for (;;) {
    const double u = g.uniform() - 0.5;
    const double v = g.uniform();
    const double us = 0.5 - std::fabs(u);
    const double offset = std::floor((2.0 * a / us + b) * u + m.frac + 0.43);
    if (!(offset >= -whole) || offset > 0x1.0p61) continue;  // k < 0 (or absurdly large)
    const std::int64_t k = m.whole + static_cast<std::int64_t>(offset);
    if (us >= 0.07 && v <= v_r) return k;
    if (us < 0.013 && v > us) continue;
    if (std::log(v) + log_inv_alpha - std::log(a / (us * us) + b) <= poisson_log_pmf(k, m))
      return k;
  }
}

// ---- binomial ----

// Inversion by sequential (chop-down) search, for p <= 1/2 and n p < 10.
std::int64_t binomial_inversion(Generator& g, std::int64_t n, double p) {
  const double nd = static_cast<double>(n);
  const double p0 = std::exp(nd * std::log1p(-p));
  const double r = p / (1.0 - p);
  for (;;) {
    double u = g.uniform();
    std::int64_t k = 0;
    double pk = p0;
    while (u > pk && k < n) {
      u -= pk;
      ++k;
      pk *= r * (static_cast<double>(n - k + 1) / static_cast<double>(k));
      if (pk < std::numeric_limits<double>::min()) break;
    }
    if (u <= pk) return k;
  }
}

// BTRS, Hoermann 1993 (p <= 1/2, n p >= 10): transformed rejection with squeeze. Constants of the
// paper: spq = sqrt(n p q), b = 1.15 + 2.53 spq, a = -0.0873 + 0.0248 b + 0.01 p,
// alpha = (2.83 + 5.1 / b) spq, v_r = 0.92 - 4.2 / b; proposal
// k = floor((2a/us + b) u + n p + 1/2), accepted if v alpha / (a / us^2 + b) <= f(k) / f(m) with
// m = floor((n + 1) p) the mode.
std::int64_t binomial_btrs(Generator& g, std::int64_t n, double p) {
  const double nd = static_cast<double>(n);
  const double q = 1.0 - p;
  const double hi = nd * p;
  const SplitMean np = split_mean(hi, std::fma(nd, p, -hi));
  const double spq = std::sqrt(hi * q);
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double log_alpha = std::log((2.83 + 5.1 / b) * spq);
  const double v_r = 0.92 - 4.2 / b;
  // Mode m = floor((n + 1) p), with (n + 1) p as an exact sum of two doubles.
  const double n1 = nd + 1.0;  // exact: n < 2^53
  const double mh = n1 * p, ml = std::fma(n1, p, -mh);
  double mf = std::floor(mh);
  if (mf == mh && ml < 0.0) mf -= 1.0;
  const std::int64_t m = std::min<std::int64_t>(static_cast<std::int64_t>(mf), n);
  const double log_fm = binomial_log_pmf(m, n, p, np);
  const double whole = static_cast<double>(np.whole);
  const double room = nd - whole;
  for (;;) {
    const double u = g.uniform() - 0.5;
    const double v = g.uniform();
    const double us = 0.5 - std::fabs(u);
    const double offset = std::floor((2.0 * a / us + b) * u + np.frac + 0.5);
    if (!(offset >= -whole) || offset > room) continue;  // k < 0 or k > n
    const std::int64_t k = np.whole + static_cast<std::int64_t>(offset);
    if (us >= 0.07 && v <= v_r) return k;
    if (std::log(v) + log_alpha - std::log(a / (us * us) + b) <=
        binomial_log_pmf(k, n, p, np) - log_fm)
      return k;
  }
}

std::int64_t binomial_small_p(Generator& g, std::int64_t n, double p) {  // p <= 1/2
  if (static_cast<double>(n) * p < 10.0) return binomial_inversion(g, n, p);
  return binomial_btrs(g, n, p);
}

}  // namespace

// ---- continuous ----

double normal(Generator& g, double mu, double sigma) {
  check_finite("normal", "mu", mu);
  check_positive_finite("normal", "sigma", sigma);
  return mu + sigma * standard_normal(g);
}

double uniform(Generator& g, double a, double b) {
  check_finite("uniform", "a", a);
  check_finite("uniform", "b", b);
  if (!(a < b)) throw_domain_error("uniform", "b", b, "greater than a");
  if (!std::isfinite(b - a)) throw_domain_error("uniform", "b - a", b - a, "finite");
  return a + (b - a) * g.uniform();
}

double exponential(Generator& g, double rate) {
  check_positive_finite("exponential", "rate", rate);
  return -std::log(g.uniform()) / rate;
}

double gamma(Generator& g, double shape, double rate) {
  check_positive_finite("gamma", "shape", shape);
  check_positive_finite("gamma", "rate", rate);
  return std_gamma(g, shape) / rate;
}

double chi_square(Generator& g, double nu) {
  check_positive_finite("chi_square", "nu", nu);
  return 2.0 * std_gamma(g, 0.5 * nu);
}

double inverse_gamma(Generator& g, double shape, double scale) {
  check_positive_finite("inverse_gamma", "shape", shape);
  check_positive_finite("inverse_gamma", "scale", scale);
  if (shape >= 1.0) return scale / std_gamma(g, shape);
  return std::exp(std::log(scale) - log_std_gamma(g, shape));
}

double beta(Generator& g, double a, double b) {
  check_positive_finite("beta", "a", a);
  check_positive_finite("beta", "b", b);
  const double la = log_std_gamma(g, a);
  const double lb = log_std_gamma(g, b);
  return autodiff::inv_logit(la - lb);
}

std::vector<double> dirichlet(Generator& g, std::span<const double> alpha) {
  for (double a : alpha) check_positive_finite("dirichlet", "alpha", a);
  std::vector<double> x(alpha.size());
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    x[i] = log_std_gamma(g, alpha[i]);
    top = std::max(top, x[i]);
  }
  double total = 0.0;
  for (double& v : x) {
    v = std::exp(v - top);
    total += v;
  }
  for (double& v : x) v /= total;
  return x;
}

double student_t(Generator& g, double nu, double mu, double sigma) {
  check_positive_finite("student_t", "nu", nu);
  check_finite("student_t", "mu", mu);
  check_positive_finite("student_t", "sigma", sigma);
  const double z = standard_normal(g);
  const double log_chi2 = 0.693147180559945309417232121458 + log_std_gamma(g, 0.5 * nu);
  return mu + sigma * z * std::exp(0.5 * (std::log(nu) - log_chi2));
}

double cauchy(Generator& g, double mu, double sigma) {
  check_finite("cauchy", "mu", mu);
  check_positive_finite("cauchy", "sigma", sigma);
  return mu + sigma * std::tan(kPi * (g.uniform() - 0.5));
}

double laplace(Generator& g, double mu, double sigma) {
  check_finite("laplace", "mu", mu);
  check_positive_finite("laplace", "sigma", sigma);
  const double w = g.uniform() - 0.5;  // exact, never 0
  // An exponential(1) variate; 1 - 2|w| is exact.
  const double e = -std::log1p(-2.0 * std::fabs(w));
  return w < 0.0 ? mu - sigma * e : mu + sigma * e;
}

double logistic(Generator& g, double mu, double sigma) {
  check_finite("logistic", "mu", mu);
  check_positive_finite("logistic", "sigma", sigma);
  return mu + sigma * autodiff::logit(g.uniform());
}

double lognormal(Generator& g, double mu, double sigma) {
  check_finite("lognormal", "mu", mu);
  check_positive_finite("lognormal", "sigma", sigma);
  return std::exp(mu + sigma * standard_normal(g));
}

double weibull(Generator& g, double shape, double scale) {
  check_positive_finite("weibull", "shape", shape);
  check_positive_finite("weibull", "scale", scale);
  return scale * std::pow(-std::log(g.uniform()), 1.0 / shape);
}

double half_normal(Generator& g, double sigma) {
  check_positive_finite("half_normal", "sigma", sigma);
  return sigma * std::fabs(standard_normal(g));
}

double half_cauchy(Generator& g, double sigma) {
  check_positive_finite("half_cauchy", "sigma", sigma);
  return sigma * std::tan(0.5 * kPi * g.uniform());
}

// ---- discrete ----

int bernoulli(Generator& g, double p) {
  check_probability("bernoulli", "p", p);
  return g.uniform() < p ? 1 : 0;
}

int bernoulli_logit(Generator& g, double alpha) {
  if (std::isnan(alpha)) throw_domain_error("bernoulli_logit", "alpha", alpha, "not NaN");
  return g.uniform() < autodiff::inv_logit(alpha) ? 1 : 0;
}

std::int64_t poisson(Generator& g, double rate) {
  if (!(rate >= 0.0 && rate <= kMaxPoissonRate))
    throw_domain_error("poisson", "rate", rate, "in [0, 2^60]");
  if (rate == 0.0) return 0;
  if (rate < 10.0) return poisson_inversion(g, rate);
  return poisson_ptrs(g, rate);
}

std::int64_t binomial(Generator& g, std::int64_t n, double p) {
  if (n < 0 || n > kMaxBinomialN) throw_domain_error("binomial", "n", n, "in [0, 2^53 - 1]");
  check_probability("binomial", "p", p);
  if (n == 0 || p == 0.0) return 0;
  if (p == 1.0) return n;
  if (p > 0.5) return n - binomial_small_p(g, n, 1.0 - p);  // 1 - p exact here
  return binomial_small_p(g, n, p);
}

std::int64_t negative_binomial(Generator& g, double mu, double phi) {
  if (!(mu >= 0.0 && std::isfinite(mu)))
    throw_domain_error("negative_binomial", "mu", mu, "nonnegative and finite");
  check_positive_finite("negative_binomial", "phi", phi);
  if (mu == 0.0) return 0;
  // Gamma(shape phi, rate phi / mu) = G(phi) mu / phi.
  const double rate = std::exp(log_std_gamma(g, phi) + std::log(mu) - std::log(phi));
  if (!(rate <= kMaxPoissonRate))
    throw_domain_error("negative_binomial", "gamma-mixed Poisson rate", rate,
                       "at most 2^60 (mu too large or phi too small)");
  return rate == 0.0 ? 0 : poisson(g, rate);
}

std::size_t categorical(Generator& g, std::span<const double> probabilities) {
  double total = 0.0;
  for (double w : probabilities) {
    if (!(w >= 0.0 && std::isfinite(w)))
      throw_domain_error("categorical", "probability", w, "nonnegative and finite");
    total += w;
  }
  if (!(total > 0.0 && std::isfinite(total)))
    throw_domain_error("categorical", "sum of probabilities", total, "positive and finite");
  double x = g.uniform() * total;
  std::size_t last = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    if (probabilities[i] > 0.0) {
      if (x < probabilities[i]) return i;
      x -= probabilities[i];
      last = i;
    }
  }
  return last;  // rounding left x past the end: the last category of positive probability
}

std::size_t categorical_logit(Generator& g, std::span<const double> logits) {
  double top = -std::numeric_limits<double>::infinity();
  for (double l : logits) {
    if (std::isnan(l) || l == std::numeric_limits<double>::infinity())
      throw_domain_error("categorical_logit", "logit", l, "finite or -inf");
    top = std::max(top, l);
  }
  if (top == -std::numeric_limits<double>::infinity())
    throw_domain_error("categorical_logit", "largest logit", top, "finite");
  double total = 0.0;
  for (double l : logits) total += std::exp(l - top);
  double x = g.uniform() * total;
  std::size_t last = 0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double w = std::exp(logits[i] - top);
    if (w > 0.0) {
      if (x < w) return i;
      x -= w;
      last = i;
    }
  }
  return last;
}

// ---- multivariate normal ----

void multivariate_normal(Generator& g, std::span<const double> mean,
                         const autodiff::Matrix<double>& L, std::span<double> out) {
  const std::size_t n = mean.size();
  if (L.rows() != n || L.cols() != n)
    throw_shape("multivariate_normal", "L", L.rows(), L.cols(), n);
  if (out.size() != n) throw_out_size("multivariate_normal", out.size(), n);
  for (double m : mean) check_finite("multivariate_normal", "mean", m);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) check_finite("multivariate_normal", "L", L(i, j));
  standard_normal(g, out);
  // out = mean + L z in place, bottom row first: row i reads z_0..z_i, not yet overwritten.
  for (std::size_t i = n; i-- > 0;) {
    const double* row = L.row(i);
    double s = 0.0;
    for (std::size_t j = 0; j <= i; ++j) s += row[j] * out[j];
    out[i] = mean[i] + s;
  }
}

std::vector<double> multivariate_normal(Generator& g, std::span<const double> mean,
                                        const autodiff::Matrix<double>& L) {
  std::vector<double> out(mean.size());
  multivariate_normal(g, mean, L, out);
  return out;
}

void multivariate_normal_precision(Generator& g, std::span<const double> mean,
                                   const autodiff::Matrix<double>& L, std::span<double> out) {
  const std::size_t n = mean.size();
  if (L.rows() != n || L.cols() != n)
    throw_shape("multivariate_normal_precision", "L", L.rows(), L.cols(), n);
  if (out.size() != n) throw_out_size("multivariate_normal_precision", out.size(), n);
  for (double m : mean) check_finite("multivariate_normal_precision", "mean", m);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) check_finite("multivariate_normal_precision", "L", L(i, j));
    check_positive_finite("multivariate_normal_precision", "diagonal of L", L(i, i));
  }
  standard_normal(g, out);
  // Solve L^T y = z in place by back substitution: y_i = (z_i - sum_{j > i} L_ji y_j) / L_ii.
  for (std::size_t i = n; i-- > 0;) {
    double s = out[i];
    for (std::size_t j = i + 1; j < n; ++j) s -= L(j, i) * out[j];
    out[i] = s / L(i, i);
  }
  for (std::size_t i = 0; i < n; ++i) out[i] += mean[i];
}

std::vector<double> multivariate_normal_precision(Generator& g, std::span<const double> mean,
                                                  const autodiff::Matrix<double>& L) {
  std::vector<double> out(mean.size());
  multivariate_normal_precision(g, mean, L, out);
  return out;
}

}  // namespace tapir::distributions
