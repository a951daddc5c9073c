// CorrCholesky: Stan's formula computed independently, constraints (unit rows, L L^T a correlation
// matrix), round trips, log|det J| against the Jacobian of u -> the strictly lower entries, push-
// forward densities integrating to 1 (K = 2 in 1-D, K = 3 in 3-D), derivatives in every mode.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "test_helpers.hpp"

using namespace bijector_test;
using namespace tapir::distributions::bijectors;

namespace {

// Stan Reference Manual, Cholesky factors of correlation matrices, straight from the formula:
// z = tanh(y) in row-major order over the strictly lower triangle;
// L(i, j) = z_ij sqrt(1 - sum_{j'<j} L(i, j')^2), L(i, i) = sqrt(1 - sum_{j<i} L(i, j)^2);
// log|J| = sum log(1 - z^2) + sum_{i>j} (1/2) log(1 - sum_{j'<j} L(i, j')^2).
Image<double> stan_corr_cholesky(const std::vector<double>& y, std::size_t K) {
  Image<double> r{std::vector<double>(K * K, 0.0), 0.0};
  r.x[0] = 1.0;
  std::size_t k = 0;
  for (std::size_t i = 1; i < K; ++i) {
    double ss = 0.0;
    for (std::size_t j = 0; j < i; ++j) {
      const double z = std::tanh(y[k++]);
      r.lad += std::log(1.0 - z * z) + 0.5 * std::log(1.0 - ss);
      r.x[i * K + j] = z * std::sqrt(1.0 - ss);
      ss += r.x[i * K + j] * r.x[i * K + j];
    }
    r.x[i * K + i] = std::sqrt(1.0 - ss);
  }
  return r;
}

// Cholesky factor of a symmetric matrix (row-major); false if a pivot is not positive.
bool cholesky(const std::vector<double>& a, std::size_t K, std::vector<double>& L) {
  L.assign(K * K, 0.0);
  for (std::size_t i = 0; i < K; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[i * K + j];
      for (std::size_t k = 0; k < j; ++k) s -= L[i * K + k] * L[j * K + k];
      if (i == j) {
        if (!(s > 0.0)) return false;
        L[i * K + i] = std::sqrt(s);
      } else {
        L[i * K + j] = s / L[j * K + j];
      }
    }
  return true;
}

std::vector<double> times_transpose(const std::vector<double>& L, std::size_t K) {
  std::vector<double> c(K * K, 0.0);
  for (std::size_t i = 0; i < K; ++i)
    for (std::size_t j = 0; j < K; ++j)
      for (std::size_t k = 0; k < K; ++k) c[i * K + j] += L[i * K + k] * L[j * K + k];
  return c;
}

// The Cholesky factor of a random correlation matrix: A A^T + I/10 scaled to unit diagonal.
std::vector<double> random_corr_cholesky(std::mt19937_64& g, std::size_t K) {
  std::normal_distribution<double> n;
  std::vector<double> A(K * K), S(K * K, 0.0), C(K * K), L;
  for (double& e : A) e = n(g);
  S = times_transpose(A, K);
  for (std::size_t i = 0; i < K; ++i) S[i * K + i] += 0.1;
  for (std::size_t i = 0; i < K; ++i)
    for (std::size_t j = 0; j < K; ++j) C[i * K + j] = S[i * K + j] / std::sqrt(S[i * K + i] * S[j * K + j]);
  REQUIRE(cholesky(C, K, L));
  return L;
}

std::vector<std::size_t> strictly_lower(std::size_t K) {
  std::vector<std::size_t> r;
  for (std::size_t i = 1; i < K; ++i)
    for (std::size_t j = 0; j < i; ++j) r.push_back(i * K + j);
  return r;
}

double abs_sum(const std::vector<double>& u) {
  double s = 0.0;
  for (double e : u) s += std::abs(e);
  return s;
}

}  // namespace

TEST_CASE("corr_cholesky: K = 1 and K = 2 in closed form") {
  const Image<double> one = push(CorrCholesky{}, std::vector<double>{});
  CHECK(one.x == std::vector<double>{1.0});
  CHECK(one.lad == 0.0);
  for (double u : {-2.0, 0.0, 0.3, 4.0}) {
    const Image<double> two = push(CorrCholesky{}, std::vector<double>{u});
    CHECK(two.x[0] == 1.0);
    CHECK(two.x[1] == 0.0);
    CHECK(two.x[2] == doctest::Approx(std::tanh(u)).epsilon(1e-15));
    CHECK(two.x[3] == doctest::Approx(1.0 / std::cosh(u)).epsilon(1e-14));
    CHECK(two.lad == doctest::Approx(-2.0 * std::log(std::cosh(u))).epsilon(1e-14));
  }
}

TEST_CASE("corr_cholesky: forward_matrix gives the K x K factor") {
  const std::vector<double> u = {0.3, -1.2, 0.8};
  double lad = 0.0;
  const Matrix<double> L = CorrCholesky{}.forward_matrix(std::span<const double>(u), lad);
  const Image<double> img = push(CorrCholesky{}, u);
  REQUIRE(L.rows() == 3);
  REQUIRE(L.cols() == 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(L(i, j) == img.x[i * 3 + j]);
  CHECK(lad == img.lad);
}

TEST_CASE("corr_cholesky: values and log|det J| match Stan's formula") {
  std::mt19937_64 g(31);
  for (std::size_t K = 2; K <= 6; ++K)
    for (int rep = 0; rep < 3; ++rep) {
      const std::vector<double> u = uniform(g, K * (K - 1) / 2, -2.0, 2.0);
      const Image<double> img = push(CorrCholesky{}, u), ref = stan_corr_cholesky(u, K);
      for (std::size_t k = 0; k < K * K; ++k) CHECK(img.x[k] == doctest::Approx(ref.x[k]).epsilon(1e-12));
      CHECK(img.lad == doctest::Approx(ref.lad).epsilon(1e-12));
    }
}

TEST_CASE("corr_cholesky: a Cholesky factor of a correlation matrix") {
  std::mt19937_64 g(32);
  for (std::size_t K = 2; K <= 7; ++K)
    for (double scale : {1.0, 3.0, 20.0}) {
      const Image<double> img = push(CorrCholesky{}, uniform(g, K * (K - 1) / 2, -scale, scale));
      const std::vector<double>& L = img.x;
      CHECK(std::isfinite(img.lad));
      for (std::size_t i = 0; i < K; ++i) {
        double norm2 = 0.0;
        for (std::size_t j = 0; j < K; ++j) {
          if (j > i) CHECK(L[i * K + j] == 0.0);
          norm2 += L[i * K + j] * L[i * K + j];
        }
        CHECK(L[i * K + i] > 0.0);
        CHECK(std::abs(norm2 - 1.0) <= 8 * eps * K);
      }
      const std::vector<double> C = times_transpose(L, K);
      for (std::size_t i = 0; i < K; ++i) {
        CHECK(std::abs(C[i * K + i] - 1.0) <= 8 * eps * K);
        for (std::size_t j = 0; j < K; ++j) CHECK(std::abs(C[i * K + j]) <= 1.0 + 8 * eps * K);
      }
      if (scale <= 3.0) {  // well away from singular: positive definite, and L is its Cholesky factor
        std::vector<double> L2;
        REQUIRE(cholesky(C, K, L2));
        for (std::size_t k = 0; k < K * K; ++k) CHECK(L2[k] == doctest::Approx(L[k]).epsilon(1e-10));
      }
    }
}

TEST_CASE("corr_cholesky: round trips u -> x -> u and x -> u -> x") {
  std::mt19937_64 g(33);
  const Bijector b = CorrCholesky{};
  for (std::size_t K = 2; K <= 6; ++K) {
    const std::size_t m = K * (K - 1) / 2;
    for (int rep = 0; rep < 3; ++rep) {
      const std::vector<double> u = uniform(g, m, -3.0, 3.0);
      check_round_trip_u(b, u, 4 + 2 * abs_sum(u));
    }
    const std::vector<double> big = uniform(g, m, -12.0, 12.0);
    check_round_trip_u(b, big, 4 + 2 * abs_sum(big));
    for (int rep = 0; rep < 3; ++rep) check_round_trip_x(b, random_corr_cholesky(g, K), 1e-12);
  }
}

TEST_CASE("corr_cholesky: log|det J| equals the log-determinant of the Jacobian of u -> the strictly lower entries") {
  std::mt19937_64 g(34);
  const Bijector b = CorrCholesky{};
  for (std::size_t K = 2; K <= 5; ++K)
    for (int rep = 0; rep < 3; ++rep) check_log_det(b, uniform(g, K * (K - 1) / 2, -2.0, 2.0), strictly_lower(K));
}

TEST_CASE("corr_cholesky: derivatives through Var, and double, Var and Dual agree") {
  std::mt19937_64 g(35);
  const Bijector b = CorrCholesky{};
  for (std::size_t K : {2, 3, 4}) {
    INFO("K = ", K);
    const std::size_t m = K * (K - 1) / 2;
    check_forward_derivatives(b, uniform(g, m, -1.5, 1.5));
    check_modes(b, uniform(g, m, -2.0, 2.0));
    check_modes(b, uniform(g, m, -15.0, 15.0));
  }
}

TEST_CASE("corr_cholesky: push-forward densities of N(0, I) integrate to 1") {
  const Bijector b = CorrCholesky{};
  // K = 2: the free entry w = L(1, 0) in (-1, 1).
  const std::size_t n = 20000;
  double mass = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double w = -1.0 + 2.0 * (k + 0.5) / n;
    mass += pushforward_density(b, {1.0, 0.0, w, std::sqrt(1.0 - w * w)}) * 2.0 / n;
  }
  CHECK(mass == doctest::Approx(1.0).epsilon(1e-6));
  // K = 3: free entries (a, c, d) = (L10, L20, L21) with a, c in (-1, 1) and d in (-r, r),
  // r = sqrt(1 - c^2). The density piles up in thin layers at the boundary (|u| = 3 is
  // 1 - |z| ~ 5e-3), so each coordinate uses tanh-sinh quadrature on (-1, 1) (nodes
  // tanh(pi/2 sinh t), trapezoid in t), with d = r y.
  const QuadratureRule q = tanh_sinh(-1.0, 1.0);
  const std::vector<double>& nodes = q.x;
  const std::vector<double>& weights = q.w;
  double mass3 = 0.0, tanh_part_only = 0.0;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    for (std::size_t j = 0; j < nodes.size(); ++j) {
      const double a = nodes[i], c = nodes[j], r = std::sqrt(1.0 - c * c);
      for (std::size_t k = 0; k < nodes.size(); ++k) {
        const double d = r * nodes[k], w = weights[i] * weights[j] * weights[k] * r;
        const std::vector<double> L = {1.0, 0.0, 0.0, a, std::sqrt(1.0 - a * a), 0.0, c, d,
                                       std::sqrt(std::max(0.0, 1.0 - c * c - d * d))};
        mass3 += pushforward_density(b, L) * w;
        // Without the (1/2) log(1 - sum L^2) terms of the Jacobian the mass is not 1.
        const std::vector<double> u = pull(b, L);
        double lad_tanh = 0.0;
        for (double e : u) lad_tanh += std::log(1.0 - std::tanh(e) * std::tanh(e));
        if (std::isfinite(lad_tanh)) tanh_part_only += std::exp(std_normal_log_density(u) - lad_tanh) * w;
      }
    }
  CHECK(mass3 == doctest::Approx(1.0).epsilon(1e-8));
  CHECK(std::abs(tanh_part_only - 1.0) > 1e-2);
}

TEST_CASE("corr_cholesky: Var forward records one node per row plus a fixed number") {
  std::vector<std::size_t> counts;
  for (std::size_t K : {6, 20}) {
    NestedScope scope;
    std::vector<Var> u;
    for (std::size_t k = 0; k < K * (K - 1) / 2; ++k) u.push_back(Var::independent(0.01 * static_cast<double>(k) - 0.5));
    const std::size_t before = scope.tape().statements();
    push(Bijector(CorrCholesky{}), u);
    counts.push_back(scope.tape().statements() - before);
  }
  CHECK(counts[1] - counts[0] == 20 - 6);
}

TEST_CASE("corr_cholesky: sizes and inverse errors") {
  const CorrCholesky b;
  CHECK(b.constrained_size(0) == 1);
  CHECK(b.constrained_size(1) == 4);
  CHECK(b.constrained_size(6) == 16);
  CHECK(b.unconstrained_size(9) == 3);
  CHECK(b.unconstrained_size(1) == 0);
  CHECK_THROWS_WITH_AS(b.constrained_size(2), "corr_cholesky: unconstrained size 2 is not K(K-1)/2 for any K", tapir::size_error);
  CHECK_THROWS_AS(b.unconstrained_size(8), tapir::size_error);
  CHECK_THROWS_AS(b.unconstrained_size(0), tapir::size_error);
  CHECK_THROWS_WITH_AS(pull(b, {1.0, 0.1, 0.0, 1.0}), "corr_cholesky inverse: x[1] is 0.10000000000000001, must be 0 (above the diagonal)",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(pull(b, {1.0, 0.0, 0.6, -0.8}), "corr_cholesky inverse: x[3] is -0.80000000000000004, must be >= 0 (on the diagonal)",
                       tapir::domain_error);
  CHECK_THROWS_AS(pull(b, {1.0, 0.0, 0.6, 0.7}), tapir::domain_error);
  CHECK(pull(b, {1.0, 0.0, 0.6, 0.8})[0] == doctest::Approx(std::atanh(0.6)).epsilon(1e-15));
}
