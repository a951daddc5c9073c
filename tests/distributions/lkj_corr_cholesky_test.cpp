// lkj_corr_cholesky_lpdf: the density integrates to 1 (tanh-sinh quadrature over the free
// coordinates of L for K = 2, and over the canonical partial correlations for K = 3), the
// normalizing constant against the paper's form (computed here) and mpmath vectors, propto, exact
// gradients and Hessian-vector products in every Var/data combination, closed-form derivatives,
// and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "autodiff/special_functions.hpp"
#include "distributions/lkj_corr_cholesky.hpp"
#include "multivariate_harness.hpp"
#include "multivariate_vectors.hpp"

namespace {

using namespace tapir::autodiff;
using tapir::distributions::lkj_corr_cholesky_lpdf;
using tapir::distributions::lkj_log_normalizing_constant;


Matrix<double> to_matrix(const std::vector<double>& flat, std::size_t k) {
  Matrix<double> m(k, k);
  for (std::size_t i = 0; i < k * k; ++i) m.data()[i] = flat[i];
  return m;
}

// ---- tanh-sinh quadrature on (-1, 1) (Takahasi and Mori 1974) ----------------------------------

// Nodes x_i, their distances to the nearer end 1 - |x_i| (exact even where x_i rounds to +-1) and
// weights, for step h and |t| <= t_max.
struct Nodes {
  std::vector<double> x, gap, w;
};
Nodes tanh_sinh(double h, double t_max) {
  Nodes q;
  const double half_pi = 0.5 * std::numbers::pi;
  const int m = static_cast<int>(t_max / h);
  for (int i = -m; i <= m; ++i) {
    const double t = h * i, u = half_pi * std::sinh(std::abs(t));
    const double gap = 2.0 / (std::exp(2.0 * u) + 1.0);  // 1 - tanh(u)
    const double ch = std::cosh(u);
    q.x.push_back(t < 0 ? -(1.0 - gap) : 1.0 - gap);
    q.gap.push_back(gap);
    q.w.push_back(h * half_pi * std::cosh(t) / (ch * ch));
  }
  return q;
}
// 1 - x^2 from the distance to the nearer end.
double one_minus_sq(double gap) { return gap * (2.0 - gap); }

// ---- normalization -----------------------------------------------------------------------------

TEST_CASE("K = 2: the density of the correlation r = L21 is (1 - r^2)^(eta - 1) / c_2 and integrates to 1") {
  const Nodes q = tanh_sinh(1.0 / 32.0, 5.0);
  double worst = 0.0;
  for (double eta : {0.3, 0.5, 1.0, 1.5, 2.5, 7.0, 40.0}) {
    double total = 0.0;
    for (std::size_t i = 0; i < q.x.size(); ++i) {
      Matrix<double> L(2, 2, 0.0);
      L(0, 0) = 1.0;
      L(1, 0) = q.x[i];
      L(1, 1) = std::sqrt(one_minus_sq(q.gap[i]));
      if (!(L(1, 1) > 0.0)) continue;
      const double lp = lkj_corr_cholesky_lpdf(L, eta);
      total += q.w[i] * std::exp(lp);
      // The density of r itself: (1 - r^2)^(eta - 1) / B(1/2, eta).
      if (i % 16 == 0)
        close(lp, (eta - 1.0) * std::log(one_minus_sq(q.gap[i])) - lbeta(0.5, eta), 1e-13, "K = 2 density");
    }
    worst = std::max(worst, std::abs(total - 1.0));
    CHECK_MESSAGE(std::abs(total - 1.0) <= 1e-12, "eta " << eta << ": integral " << total);
  }
  MESSAGE("K = 2: worst |integral - 1| = " << worst);
}

TEST_CASE("K = 3: the density integrates to 1 over the canonical partial correlations") {
  // Independent of the library's constant: z = (z21, z31, z32) in (-1, 1)^3 gives
  //   L21 = z21, L31 = z31, L32 = z32 sqrt(1 - z31^2),
  // the free coordinates of L, with Jacobian |d(L21, L31, L32) / dz| = sqrt(1 - z31^2).
  const Nodes q = tanh_sinh(1.0 / 12.0, 3.6);
  const std::size_t m = q.x.size();
  double worst = 0.0;
  for (double eta : {0.5, 1.0, 2.0, 4.5}) {
    double total = 0.0;
    Matrix<double> L(3, 3, 0.0);
    L(0, 0) = 1.0;
    for (std::size_t a = 0; a < m; ++a) {
      const double s1 = one_minus_sq(q.gap[a]);
      L(1, 0) = q.x[a];
      L(1, 1) = std::sqrt(s1);
      for (std::size_t b = 0; b < m; ++b) {
        const double s2 = one_minus_sq(q.gap[b]);
        const double jac = std::sqrt(s2);
        L(2, 0) = q.x[b];
        for (std::size_t c = 0; c < m; ++c) {
          const double s3 = one_minus_sq(q.gap[c]);
          L(2, 1) = q.x[c] * jac;
          L(2, 2) = std::sqrt(s2 * s3);
          if (!(L(1, 1) > 0.0 && L(2, 2) > 0.0)) continue;
          total += q.w[a] * q.w[b] * q.w[c] * jac * std::exp(lkj_corr_cholesky_lpdf(L, eta));
        }
      }
    }
    worst = std::max(worst, std::abs(total - 1.0));
    CHECK_MESSAGE(std::abs(total - 1.0) <= 1e-12, "eta " << eta << ": integral " << total);
  }
  MESSAGE("K = 3: worst |integral - 1| = " << worst);
}

TEST_CASE("the normalizing constant equals the paper's product form and the mpmath vectors") {
  // Lewandowski, Kurowicka and Joe 2009: c_K = prod_{k=1}^{K-1} [2^(2 eta - 2 + K - k) B(b, b)]^(K-k),
  // b = eta + (K - k - 1) / 2, computed here with lgamma.
  auto paper = [](std::size_t K, double eta) {
    double s = 0.0;
    for (std::size_t k = 1; k < K; ++k) {
      const double kk = static_cast<double>(K - k), b = eta + (kk - 1.0) / 2.0;
      s += kk * ((2.0 * eta - 2.0 + kk) * std::numbers::ln2 + 2.0 * tapir::autodiff::lgamma(b) -
                 tapir::autodiff::lgamma(2.0 * b));
    }
    return s;
  };
  for (std::size_t K : {1u, 2u, 3u, 4u, 6u, 10u})
    for (double eta : {0.3, 1.0, 2.5, 10.0}) {
      const double want = paper(K, eta), got = lkj_log_normalizing_constant(K, eta);
      CHECK_MESSAGE(std::abs(got - want) <= 1e-12 * std::max(1.0, std::abs(want)),
                    "K " << K << ", eta " << eta << ": " << got << " vs " << want);
    }
  double worst_c = 0.0, worst = 0.0, worst_rel = 0.0;
  for (const auto& cs : mv_vectors::lkj) {
    const double c = lkj_log_normalizing_constant(cs.k, cs.eta);
    const double err_c = std::abs(c - cs.log_c) / std::max(1.0, std::abs(cs.log_c));
    worst_c = std::max(worst_c, err_c);
    CHECK_MESSAGE(err_c <= 1e-14, "K " << cs.k << ", eta " << cs.eta << ": log c " << c << " vs " << cs.log_c);
    const Matrix<double> L = to_matrix(cs.L, cs.k);
    const double got = lkj_corr_cholesky_lpdf(L, cs.eta);
    const double err = std::abs(got - cs.expected) / std::max({std::abs(cs.expected), cs.scale, 1e-300});
    worst = std::max(worst, err);
    if (cs.expected != 0.0) worst_rel = std::max(worst_rel, std::abs(got - cs.expected) / std::abs(cs.expected));
    CHECK_MESSAGE(err <= 1e-14, "K " << cs.k << ", eta " << cs.eta << ": " << got << " vs " << cs.expected);
    // The same value recorded and in forward mode.
    auto f = [&](const auto& e) { return lkj_corr_cholesky_lpdf(L, e[0]); };
    CHECK(value_and_gradient(f, std::vector<double>{cs.eta}).value == got);
    CHECK(directional_derivative(f, std::vector<double>{cs.eta}, std::vector<double>{1.0}).value == got);
  }
  MESSAGE("lkj: " << mv_vectors::lkj.size() << " cases, worst error of log c_K " << worst_c << ", of the density "
                  << worst << " relative to the terms' size, " << worst_rel << " relative to the value");
  CHECK(worst_rel <= 1e-12);
}

// ---- propto ------------------------------------------------------------------------------------

TEST_CASE("propto drops exactly the terms of data arguments") {
  const auto& cs = mv_vectors::lkj[4 * 7 + 3];  // K = 5
  REQUIRE(cs.k == 5);
  const Matrix<double> L = to_matrix(cs.L, 5);
  const double eta = 1.7;
  CHECK(lkj_corr_cholesky_lpdf<true>(L, eta) == 0.0);
  // L Var, eta data: the constant is dropped.
  Matrix<Var> lv(5, 5);
  for (std::size_t i = 0; i < 25; ++i) lv.data()[i] = Var(L.data()[i]);
  close(lkj_corr_cholesky_lpdf(lv, eta).value() - lkj_corr_cholesky_lpdf<true>(lv, eta).value(),
        -lkj_log_normalizing_constant(5, eta), 1e-14, "L Var");
  // eta Var, L data: the Jacobian terms (K - k) log L_kk are dropped.
  double jac = 0.0;
  for (std::size_t k = 2; k <= 5; ++k) jac += static_cast<double>(5 - k) * std::log(L(k - 1, k - 1));
  const Var ev(eta);
  close(lkj_corr_cholesky_lpdf(L, ev).value() - lkj_corr_cholesky_lpdf<true>(L, ev).value(), jac, 1e-14, "eta Var");
  const Dual<double> ed(eta, 1.0);
  const Dual<double> full = lkj_corr_cholesky_lpdf(L, ed), pro = lkj_corr_cholesky_lpdf<true>(L, ed);
  close(full.val - pro.val, jac, 1e-14, "eta Dual");
  close(full.tan, pro.tan, 1e-15, "eta Dual derivative");
  // K = 1: the density of L = (1) is 1.
  CHECK(lkj_corr_cholesky_lpdf(Matrix<double>(1, 1, 1.0), 3.0) == 0.0);
}

// ---- derivatives -------------------------------------------------------------------------------

// L from its strictly lower entries (row-major), each row completed to unit norm by its diagonal:
// finite-difference steps stay on the set of Cholesky factors of correlation matrices.
template <class T>
Matrix<T> corr_factor(const Vector<T>& x, std::size_t off, std::size_t K) {
  Matrix<T> L(K, K, T(0.0));
  L(0, 0) = 1.0;
  for (std::size_t i = 1; i < K; ++i) {
    T rest = 1.0;
    for (std::size_t j = 0; j < i; ++j) {
      L(i, j) = x[off++];
      rest = rest - L(i, j) * L(i, j);
    }
    L(i, i) = sqrt(rest);
  }
  return L;
}

template <bool LVar, bool EtaVar>
void lkj_combo(std::size_t K, const std::vector<double>& lower, double eta) {
  const std::string tag = std::string("L ") + (LVar ? "var" : "data") + ", eta " + (EtaVar ? "var" : "data") +
                          ", K " + std::to_string(K);
  std::vector<double> x;
  if (LVar) x = lower;
  if (EtaVar) x.push_back(eta);
  const Matrix<double> ld = corr_factor(Vector<double>(lower), 0, K);
  auto f = [&, K](const auto& xv) {
    using T = typename std::decay_t<decltype(xv)>::Scalar;
    if constexpr (LVar && EtaVar)
      return lkj_corr_cholesky_lpdf(corr_factor(xv, 0, K), xv[lower.size()]);
    else if constexpr (LVar)
      return lkj_corr_cholesky_lpdf(corr_factor(xv, 0, K), eta);
    else
      return T(lkj_corr_cholesky_lpdf(ld, xv[0]));
  };
  check_function(tag, erase(f), x);
}

TEST_CASE("lkj_corr_cholesky_lpdf: derivatives in every combination") {
  const std::vector<double> l4{0.3, -0.2, 0.4, 0.1, 0.5, -0.3};  // K = 4: rows of norm < 1
  for (double eta : {0.6, 1.0, 3.5}) {
    lkj_combo<true, false>(4, l4, eta);
    lkj_combo<false, true>(4, l4, eta);
    lkj_combo<true, true>(4, l4, eta);
  }
  lkj_combo<true, true>(2, {0.7}, 2.0);
  lkj_combo<false, true>(1, {}, 2.0);
}

TEST_CASE("derivatives in the diagonal and in eta equal the closed forms") {
  // d/dL_kk = (K - k + 2 eta - 2) / L_kk (k 1-based), d/deta = 2 sum log L_kk - d/deta log c_K with
  // d/deta log c_K = sum_m m (psi(b_m) - psi(b_m + 1/2)), b_m = eta + (m - 1)/2, and
  // d2/deta2 = -sum_m m (psi'(b_m) - psi'(b_m + 1/2)), d2/dL_kk deta = 2 / L_kk.
  const auto& cs = mv_vectors::lkj[5 * 7 + 2];  // K = 7
  const std::size_t K = cs.k;
  REQUIRE(K == 7);
  const double eta = 2.3;
  std::vector<double> x;
  for (std::size_t k = 0; k < K; ++k) x.push_back(cs.L[k * K + k]);
  x.push_back(eta);
  auto f = [&](const auto& xv) {
    using T = typename std::decay_t<decltype(xv)>::Scalar;
    Matrix<T> L(K, K, T(0.0));
    for (std::size_t i = 0; i < K; ++i)
      for (std::size_t j = 0; j < i; ++j) L(i, j) = cs.L[i * K + j];
    for (std::size_t k = 0; k < K; ++k) L(k, k) = xv[k];
    return lkj_corr_cholesky_lpdf(L, xv[K]);
  };
  const ValueGradientHessian r = hessian(erase(f), x);
  double sum_log = 0.0, dc = 0.0, d2c = 0.0;
  for (std::size_t k = 1; k < K; ++k) sum_log += std::log(x[k]);
  for (std::size_t m = 1; m < K; ++m) {
    const double b = eta + 0.5 * static_cast<double>(m - 1), md = static_cast<double>(m);
    dc += md * (digamma(b) - digamma(b + 0.5));
    d2c += md * (trigamma(b) - trigamma(b + 0.5));
  }
  close(r.gradient[0], 0.0, 1e-15, "d/dL_11");
  for (std::size_t k = 1; k < K; ++k) {
    const double c = static_cast<double>(K) - static_cast<double>(k + 1) + 2.0 * eta - 2.0;
    close(r.gradient[k], c / x[k], 1e-14, "d/dL_kk");
    close(r.hessian(k, k), -c / (x[k] * x[k]), 1e-14, "d2/dL_kk^2");
    close(r.hessian(k, K), 2.0 / x[k], 1e-14, "d2/dL_kk deta");
    close(r.hessian(K, k), 2.0 / x[k], 1e-14, "d2/deta dL_kk");
  }
  close(r.gradient[K], 2.0 * sum_log - dc, 1e-13, "d/deta");
  close(r.hessian(K, K), -d2c, 1e-13, "d2/deta2");
}

// ---- errors --------------------------------------------------------------------------------------

TEST_CASE("errors name the function and the argument") {
  using tapir::domain_error;
  using tapir::size_error;
  Matrix<double> L(3, 3, 0.0);
  L(0, 0) = 1.0;
  L(1, 0) = 0.6;
  L(1, 1) = 0.8;
  L(2, 0) = 0.0;
  L(2, 1) = 0.6;
  L(2, 2) = 0.8;
  CHECK(std::isfinite(lkj_corr_cholesky_lpdf(L, 2.0)));
  check_throws<domain_error>([&] { lkj_corr_cholesky_lpdf(L, 0.0); },
                             {"lkj_corr_cholesky_lpdf", "shape eta", "positive finite"});
  check_throws<domain_error>([&] { lkj_corr_cholesky_lpdf(L, -1.0); }, {"lkj_corr_cholesky_lpdf", "shape eta", "-1"});
  check_throws<domain_error>([&] { lkj_corr_cholesky_lpdf(L, std::nan("")); }, {"lkj_corr_cholesky_lpdf", "shape eta"});
  check_throws<domain_error>([&] { lkj_corr_cholesky_lpdf(L, Var(-0.5)); }, {"lkj_corr_cholesky_lpdf", "shape eta"});
  check_throws<domain_error>([&] { lkj_corr_cholesky_lpdf(L, std::numeric_limits<double>::infinity()); },
                             {"lkj_corr_cholesky_lpdf", "shape eta"});
  Matrix<double> bad = L;
  bad(1, 1) = -0.8;
  check_throws<domain_error>([&] { lkj_corr_cholesky_lpdf(bad, 2.0); },
                             {"lkj_corr_cholesky_lpdf", "Cholesky factor L[1,1]", "positive"});
  bad = L;
  bad(2, 2) = 0.9;
  check_throws<domain_error>([&] { lkj_corr_cholesky_lpdf(bad, 2.0); },
                             {"lkj_corr_cholesky_lpdf", "row 2 of Cholesky factor L", "correlation matrix"});
  check_throws<size_error>([&] { lkj_corr_cholesky_lpdf(Matrix<double>(3, 2, 0.5), 2.0); },
                           {"lkj_corr_cholesky_lpdf", "Cholesky factor L", "3x2"});
  check_throws<size_error>([&] { lkj_corr_cholesky_lpdf(Matrix<double>(0, 0), 2.0); },
                           {"lkj_corr_cholesky_lpdf", "0x0"});
}

}  // namespace
