// kl_divergence_normal, kl_divergence_multi_normal_cholesky, kl_divergence_multi_normal: mpmath
// reference values (including nearly equal distributions), KL(p, p) = 0 and KL >= 0, seeded Monte
// Carlo estimates of E_p[log p - log q] within a CLT tolerance, the multivariate forms against the
// scalar closed form, exact gradients and Hessian-vector products in every Var/data combination,
// and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "distributions/kl_divergence.hpp"
#include "distributions/multi_normal.hpp"
#include "distributions/random.hpp"
#include "multivariate_harness.hpp"
#include "multivariate_vectors.hpp"

namespace {

using namespace tapir::autodiff;
using tapir::distributions::kl_divergence_multi_normal;
using tapir::distributions::kl_divergence_multi_normal_cholesky;
using tapir::distributions::kl_divergence_normal;
using tapir::distributions::multi_normal_cholesky_lpdf;


Matrix<double> to_matrix(const std::vector<double>& flat, std::size_t k) {
  Matrix<double> m(k, k);
  for (std::size_t i = 0; i < k * k; ++i) m.data()[i] = flat[i];
  return m;
}

// A lower-triangular matrix from its lower entries (row-major), Vars from x or data.
template <bool IsVar, class T>
auto lower_arg(const Vector<T>& x, std::size_t& off, const std::vector<double>& flat, std::size_t k) {
  std::vector<double> e;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j) e.push_back(flat[i * k + j]);
  const auto v = arg<IsVar>(x, off, e);
  using S = typename std::decay_t<decltype(v)>::Scalar;
  Matrix<S> m(k, k, S(0.0));
  std::size_t p = 0;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j) m(i, j) = v[p++];
  return m;
}
std::vector<double> lower_entries(const std::vector<double>& flat, std::size_t k) {
  std::vector<double> e;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j) e.push_back(flat[i * k + j]);
  return e;
}

// ---- values ----------------------------------------------------------------------------------------

TEST_CASE("kl_divergence_normal matches the closed form in mpmath, also for nearly equal normals") {
  double worst = 0.0, sum = 0.0;
  std::vector<double> m1, s1, m2, s2;
  for (const auto& c : mv_vectors::kl_normal) {
    const double got = kl_divergence_normal(c.mu1, c.sigma1, c.mu2, c.sigma2);
    if (c.expected == 0.0) {
      CHECK(got == 0.0);
    } else {
      const double err = std::abs(got - c.expected) / c.expected;
      worst = std::max(worst, err);
      CHECK_MESSAGE(err <= 1e-14, "(" << c.mu1 << ", " << c.sigma1 << ", " << c.mu2 << ", " << c.sigma2 << "): " << got
                                      << " vs " << c.expected);
    }
    sum += c.expected;
    m1.push_back(c.mu1);
    s1.push_back(c.sigma1);
    m2.push_back(c.mu2);
    s2.push_back(c.sigma2);
  }
  MESSAGE("kl_divergence_normal: " << mv_vectors::kl_normal.size() << " cases, worst relative error " << worst);
  // Vectors of independent normals: the sum; a recorded node and forward mode give the same value.
  const double v = kl_divergence_normal(Vector<double>(m1), Vector<double>(s1), m2, s2);
  close(v, sum, 1e-15, "vector sum");
  auto f = [&](const auto& x) { return kl_divergence_normal(x, Vector<double>(s1), m2, s2); };
  close(value_and_gradient(f, m1).value, v, 1e-15, "Var");
  close(directional_derivative(f, m1, m1).value, v, 1e-15, "Dual");
  // Broadcast scalars.
  double bsum = 0.0;
  for (std::size_t i = 0; i < m1.size(); ++i) bsum += kl_divergence_normal(m1[i], 0.7, 0.2, s2[i]);
  close(kl_divergence_normal(Vector<double>(m1), 0.7, 0.2, Vector<double>(s2)), bsum, 1e-14, "broadcast");
}

TEST_CASE("kl_divergence_multi_normal_cholesky matches mpmath; the covariance form agrees") {
  double worst = 0.0;
  for (const auto& c : mv_vectors::kl_multi_normal) {
    const Matrix<double> L1 = to_matrix(c.L1, c.k), L2 = to_matrix(c.L2, c.k);
    const Vector<double> mu1(c.mu1), mu2(c.mu2);
    const double got = kl_divergence_multi_normal_cholesky(mu1, L1, mu2, L2);
    const double err = std::abs(got - c.expected) / std::max(c.expected, c.scale);
    worst = std::max(worst, std::abs(got - c.expected) / c.expected);
    CHECK_MESSAGE(err <= 1e-14, "k " << c.k << ": " << got << " vs " << c.expected);
    // From the covariances S = L L^T.
    Matrix<double> S1 = multiply(L1, transpose(L1)), S2 = multiply(L2, transpose(L2));
    for (std::size_t i = 0; i < c.k; ++i)
      for (std::size_t j = 0; j < i; ++j) {
        S1(j, i) = S1(i, j);
        S2(j, i) = S2(i, j);
      }
    close(kl_divergence_multi_normal(mu1, S1, mu2, S2), c.expected, 1e-12, "covariance form");
    // KL(p, p) = 0 exactly; KL(q, p) > 0.
    CHECK(kl_divergence_multi_normal_cholesky(mu1, L1, mu1, L1) == 0.0);
    CHECK(kl_divergence_multi_normal_cholesky(mu2, L2, mu1, L1) > 0.0);
  }
  MESSAGE("kl_divergence_multi_normal_cholesky: " << mv_vectors::kl_multi_normal.size()
                                                 << " cases, worst relative error " << worst);
  CHECK(worst <= 1e-12);
}

TEST_CASE("diagonal covariances: the multivariate KL is the sum of the scalar closed forms") {
  const std::vector<double> m1{0.3, -1.0, 2.0, 0.0}, s1{0.5, 1.2, 2.0, 0.9}, m2{0.0, -0.5, 1.0, 0.1},
      s2{0.8, 1.0, 3.0, 0.9};
  Matrix<double> L1(4, 4, 0.0), L2(4, 4, 0.0);
  double sum = 0.0;
  for (std::size_t i = 0; i < 4; ++i) {
    L1(i, i) = s1[i];
    L2(i, i) = s2[i];
    sum += kl_divergence_normal(m1[i], s1[i], m2[i], s2[i]);
  }
  close(kl_divergence_multi_normal_cholesky(Vector<double>(m1), L1, Vector<double>(m2), L2), sum, 1e-15, "diagonal");
  close(kl_divergence_normal(Vector<double>(m1), Vector<double>(s1), Vector<double>(m2), Vector<double>(s2)), sum,
        1e-15, "vector form");
  // Entries above the diagonal are ignored (L is read from its lower triangle).
  Matrix<double> junk = L1;
  junk(0, 3) = 7.0;
  close(kl_divergence_multi_normal_cholesky(Vector<double>(m1), junk, Vector<double>(m2), L2), sum, 1e-15,
        "upper triangle ignored");
}

TEST_CASE("KL(p, p) = 0 and KL >= 0") {
  tapir::distributions::Generator g(tapir::distributions::make_key(17));
  for (int rep = 0; rep < 200; ++rep) {
    const double a = 3.0 * (g.uniform() - 0.5), b = std::exp(2.0 * (g.uniform() - 0.5)), c = 3.0 * (g.uniform() - 0.5),
                 d = std::exp(2.0 * (g.uniform() - 0.5));
    CHECK(kl_divergence_normal(a, b, a, b) == 0.0);
    CHECK(kl_divergence_normal(a, b, c, d) >= 0.0);
    // Nearly equal scales: still nonnegative and ~ (relative difference)^2.
    const double e = b * (1.0 + 1e-6 * (g.uniform() - 0.5));
    const double u = (b - e) / e, kl = kl_divergence_normal(a, b, a, e);
    CHECK(kl >= 0.0);
    CHECK(std::abs(kl - (u * u - u * u * u / 3.0)) <= 1e-6 * u * u + 1e-300);
  }
  const Matrix<double> L = to_matrix(mv_vectors::kl_multi_normal[5].L1, 3);
  const Vector<double> mu(mv_vectors::kl_multi_normal[5].mu1);
  CHECK(kl_divergence_multi_normal_cholesky(mu, L, mu, L) == 0.0);
}

// ---- Monte Carlo -----------------------------------------------------------------------------------

// The mean and standard error of n draws.
struct Estimate {
  double mean, se;
};
template <class F>
Estimate monte_carlo(std::size_t n, F draw) {
  double s = 0.0, s2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = draw();
    s += v;
    s2 += v * v;
  }
  const double nd = static_cast<double>(n), mean = s / nd;
  return {mean, std::sqrt((s2 / nd - mean * mean) / (nd - 1.0))};
}

TEST_CASE("Monte Carlo: E_p[log p - log q] agrees with the closed forms within 5 standard errors") {
  using tapir::distributions::Generator;
  using tapir::distributions::make_key;
  using tapir::distributions::standard_normal;
  constexpr double half_log_two_pi = 0.91893853320467274178032973640561764;
  auto log_normal = [&](double x, double m, double s) {
    const double z = (x - m) / s;
    return -0.5 * z * z - std::log(s) - half_log_two_pi;
  };
  // Scalars.
  {
    Generator g(make_key(2024));
    const double m1 = 0.4, s1 = 0.7, m2 = -0.3, s2 = 1.3;
    const Estimate e = monte_carlo(200000, [&] {
      const double x = m1 + s1 * standard_normal(g);
      return log_normal(x, m1, s1) - log_normal(x, m2, s2);
    });
    const double kl = kl_divergence_normal(m1, s1, m2, s2);
    CHECK_MESSAGE(std::abs(e.mean - kl) <= 5.0 * e.se, "scalar: MC " << e.mean << " +- " << e.se << ", closed form " << kl);
    CHECK(e.se < 0.01 * kl);  // the check is sharp
  }
  // Multivariate: K = 3 and K = 4 cases of the vectors.
  for (std::size_t idx : {4u, 7u}) {
    const auto& c = mv_vectors::kl_multi_normal[idx];
    const std::size_t k = c.k;
    const Matrix<double> L1 = to_matrix(c.L1, k), L2 = to_matrix(c.L2, k);
    const Vector<double> mu1(c.mu1), mu2(c.mu2);
    Generator g(make_key(99 + idx));
    Vector<double> x(k), z(k);
    const Estimate e = monte_carlo(100000, [&] {
      for (std::size_t i = 0; i < k; ++i) z[i] = standard_normal(g);
      for (std::size_t i = 0; i < k; ++i) {
        double s = mu1[i];
        for (std::size_t j = 0; j <= i; ++j) s += L1(i, j) * z[j];
        x[i] = s;
      }
      return multi_normal_cholesky_lpdf(x, mu1, L1) - multi_normal_cholesky_lpdf(x, mu2, L2);
    });
    const double kl = kl_divergence_multi_normal_cholesky(mu1, L1, mu2, L2);
    CHECK_MESSAGE(std::abs(e.mean - kl) <= 5.0 * e.se,
                  "k " << k << ": MC " << e.mean << " +- " << e.se << ", closed form " << kl);
    CHECK(e.se < 0.02 * kl);
    MESSAGE("k " << k << ": MC " << e.mean << " +- " << e.se << ", closed form " << kl);
  }
}

// ---- derivatives ---------------------------------------------------------------------------------

template <bool M1, bool S1, bool M2, bool S2>
void kl_normal_combo(bool vectors) {
  const std::vector<double> m1 = vectors ? std::vector<double>{0.3, -1.0, 2.0} : std::vector<double>{0.3},
                            s1 = vectors ? std::vector<double>{0.5, 1.2, 2.0} : std::vector<double>{0.5},
                            m2{-0.2}, s2{0.9};
  std::vector<double> x;
  if (M1) x.insert(x.end(), m1.begin(), m1.end());
  if (S1) x.insert(x.end(), s1.begin(), s1.end());
  if (M2) x.insert(x.end(), m2.begin(), m2.end());
  if (S2) x.insert(x.end(), s2.begin(), s2.end());
  auto f = [&, vectors](const auto& xv) {
    using T = typename std::decay_t<decltype(xv)>::Scalar;
    std::size_t off = 0;
    const auto a = arg<M1>(xv, off, m1);
    const auto b = arg<S1>(xv, off, s1);
    const auto c = arg<M2>(xv, off, m2);
    const auto d = arg<S2>(xv, off, s2);
    // The prior's parameters are broadcast scalars; the variational ones vectors (or scalars).
    if (vectors) return T(kl_divergence_normal(a, b, c[0], d[0]));
    return T(kl_divergence_normal(a[0], b[0], c[0], d[0]));
  };
  check_function(std::string("kl_divergence_normal: ") + (M1 ? "mu1 " : "") + (S1 ? "sigma1 " : "") +
                     (M2 ? "mu2 " : "") + (S2 ? "sigma2 " : "") + (vectors ? "(vectors)" : "(scalars)"),
                 erase(f), x);
}

TEST_CASE("kl_divergence_normal: derivatives in every combination") {
  for (bool vectors : {false, true}) {
    kl_normal_combo<true, false, false, false>(vectors);
    kl_normal_combo<false, true, false, false>(vectors);
    kl_normal_combo<true, true, false, false>(vectors);
    kl_normal_combo<false, false, true, true>(vectors);
    kl_normal_combo<true, true, true, true>(vectors);
  }
  kl_normal_combo<false, true, false, true>(false);
}

template <bool M1, bool L1v, bool M2, bool L2v, bool Covariance>
void kl_mvn_combo(const mv_vectors::KlMultiNormalCase& c) {
  const std::size_t k = c.k;
  auto cov = [k](const std::vector<double>& l) {
    std::vector<double> s(k * k, 0.0);
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j)
        for (std::size_t m = 0; m <= std::min(i, j); ++m) s[i * k + j] += l[i * k + m] * l[j * k + m];
    return s;
  };
  const std::vector<double> a1 = Covariance ? cov(c.L1) : c.L1, a2 = Covariance ? cov(c.L2) : c.L2;
  std::vector<double> x;
  if (M1) x.insert(x.end(), c.mu1.begin(), c.mu1.end());
  if (L1v) {
    const auto e = lower_entries(a1, k);
    x.insert(x.end(), e.begin(), e.end());
  }
  if (M2) x.insert(x.end(), c.mu2.begin(), c.mu2.end());
  if (L2v) {
    const auto e = lower_entries(a2, k);
    x.insert(x.end(), e.begin(), e.end());
  }
  auto f = [&, k](const auto& xv) {
    std::size_t off = 0;
    const auto m1 = arg<M1>(xv, off, c.mu1);
    auto l1 = lower_arg<L1v>(xv, off, a1, k);
    const auto m2 = arg<M2>(xv, off, c.mu2);
    auto l2 = lower_arg<L2v>(xv, off, a2, k);
    if constexpr (Covariance) {
      for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < i; ++j) {
          l1(j, i) = l1(i, j);
          l2(j, i) = l2(i, j);
        }
      return kl_divergence_multi_normal(m1, l1, m2, l2);
    } else {
      return kl_divergence_multi_normal_cholesky(m1, l1, m2, l2);
    }
  };
  check_function(std::string(Covariance ? "kl_divergence_multi_normal: " : "kl_divergence_multi_normal_cholesky: ") +
                     (M1 ? "mu1 " : "") + (L1v ? "L1 " : "") + (M2 ? "mu2 " : "") + (L2v ? "L2 " : "") + "var, k " +
                     std::to_string(k),
                 erase(f), x);
}

TEST_CASE("multivariate KL: derivatives in every combination") {
  const auto& c = mv_vectors::kl_multi_normal[4];  // k = 3
  REQUIRE(c.k == 3);
  kl_mvn_combo<true, false, false, false, false>(c);
  kl_mvn_combo<false, true, false, false, false>(c);
  kl_mvn_combo<true, true, false, false, false>(c);
  kl_mvn_combo<false, false, true, true, false>(c);
  kl_mvn_combo<true, true, true, true, false>(c);
  kl_mvn_combo<true, true, false, false, true>(c);
  kl_mvn_combo<true, true, true, true, true>(c);
}

// ---- errors --------------------------------------------------------------------------------------

TEST_CASE("errors name the function and the argument") {
  using tapir::domain_error;
  using tapir::size_error;
  check_throws<domain_error>([] { kl_divergence_normal(0.0, 0.0, 0.0, 1.0); },
                             {"kl_divergence_normal", "scale sigma1", "positive finite"});
  check_throws<domain_error>([] { kl_divergence_normal(0.0, 1.0, 0.0, -1.0); },
                             {"kl_divergence_normal", "scale sigma2", "-1"});
  check_throws<domain_error>([] { kl_divergence_normal(std::numeric_limits<double>::infinity(), 1.0, 0.0, 1.0); },
                             {"kl_divergence_normal", "location mu1"});
  check_throws<domain_error>([] { kl_divergence_normal(Vector<double>{0.0, 1.0}, Vector<double>{1.0, -2.0}, 0.0, 1.0); },
                             {"kl_divergence_normal", "scale sigma1[1]"});
  check_throws<size_error>([] { kl_divergence_normal(Vector<double>{0.0, 1.0}, Vector<double>{1.0, 2.0, 3.0}, 0.0, 1.0); },
                           {"kl_divergence_normal", "mu1", "sigma1", "2", "3"});
  Matrix<double> L(2, 2, 0.0);
  L(0, 0) = 1.0;
  L(1, 0) = 0.5;
  L(1, 1) = 2.0;
  const Vector<double> mu{0.0, 1.0};
  Matrix<double> bad = L;
  bad(1, 1) = 0.0;
  check_throws<domain_error>([&] { kl_divergence_multi_normal_cholesky(mu, L, mu, bad); },
                             {"kl_divergence_multi_normal_cholesky", "Cholesky factor L2[1,1]", "positive"});
  check_throws<domain_error>([&] { kl_divergence_multi_normal_cholesky(mu, bad, mu, L); },
                             {"kl_divergence_multi_normal_cholesky", "Cholesky factor L1[1,1]"});
  check_throws<domain_error>(
      [&] { kl_divergence_multi_normal_cholesky(Vector<double>{std::nan(""), 0.0}, L, mu, L); },
      {"kl_divergence_multi_normal_cholesky", "location mu1[0]"});
  check_throws<size_error>([&] { kl_divergence_multi_normal_cholesky(Vector<double>{0.0}, L, mu, L); },
                           {"kl_divergence_multi_normal_cholesky", "size of location mu1", "1", "2"});
  check_throws<size_error>([&] { kl_divergence_multi_normal_cholesky(mu, L, mu, Matrix<double>(3, 3, 1.0)); },
                           {"kl_divergence_multi_normal_cholesky", "Cholesky factor L1", "Cholesky factor L2"});
  check_throws<size_error>([&] { kl_divergence_multi_normal_cholesky(mu, Matrix<double>(2, 3, 1.0), mu, L); },
                           {"kl_divergence_multi_normal_cholesky", "Cholesky factor L1", "2x3"});
  Matrix<double> S(2, 2, 1.0);  // singular
  Matrix<double> I(2, 2, 0.0);
  I(0, 0) = I(1, 1) = 1.0;
  check_throws<domain_error>([&] { kl_divergence_multi_normal(mu, I, mu, S); },
                             {"kl_divergence_multi_normal", "covariance Sigma2", "not positive definite"});
  Matrix<double> A = I;
  A(0, 1) = 0.3;
  check_throws<domain_error>([&] { kl_divergence_multi_normal(mu, A, mu, I); },
                             {"kl_divergence_multi_normal", "covariance Sigma1[0,1]", "symmetric"});
}

}  // namespace
