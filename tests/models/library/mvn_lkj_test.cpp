// The multivariate normal with an LKJ prior on its correlation (models/library/mvn_lkj.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "model_checks.hpp"
#include "models/library/mvn_lkj.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;

namespace {

const double log_2pi = std::log(2 * std::numbers::pi);

Matrix<double> correlation3() {
  Matrix<double> o(3, 3);
  const double v[9] = {1.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 1.0};
  for (int i = 0; i < 9; ++i) o.data()[i] = v[i];
  return o;
}

// log of the LKJ normalizing constant from the paper's product form (Lewandowski, Kurowicka & Joe
// 2009, section 3.2): c_K = prod_{k=1}^{K-1} [2^{2 eta - 2 + K - k} B(b_k, b_k)]^{K - k},
// b_k = eta + (K - k - 1) / 2.
double log_lkj_constant(int K, double eta) {
  double c = 0.0;
  for (int k = 1; k <= K - 1; ++k) {
    const double b = eta + (K - k - 1) / 2.0;
    const double log_beta = 2 * std::lgamma(b) - std::lgamma(2 * b);
    c += (K - k) * ((2 * eta - 2 + K - k) * std::log(2.0) + log_beta);
  }
  return c;
}

// The model's density at constrained values, by hand (no Jacobian).
double by_hand(const Matrix<double>& y, const std::vector<double>& mu, const std::vector<double>& sigma,
               const Matrix<double>& L, double eta) {
  const int K = 3;
  double lp = 0.0;
  for (int k = 0; k < K; ++k) {
    lp += -0.5 * std::pow(mu[k] / 5.0, 2) - std::log(5.0) - 0.5 * log_2pi;
    lp += std::log(2.0) - 0.5 * sigma[k] * sigma[k] - 0.5 * log_2pi;  // half_normal(1)
  }
  // LKJ on the Cholesky factor: sum_{k=2}^K (K - k + 2 eta - 2) log L_kk - log c_K (1-based k).
  for (int k = 2; k <= K; ++k) lp += (K - k + 2 * eta - 2) * std::log(L(k - 1, k - 1));
  lp -= log_lkj_constant(K, eta);
  // Multivariate normal with covariance factor diag(sigma) L: forward substitution.
  for (std::size_t n = 0; n < y.rows(); ++n) {
    double z[3], q = 0.0;
    for (int i = 0; i < K; ++i) {
      double r = y(n, i) - mu[i];
      for (int j = 0; j < i; ++j) r -= sigma[i] * L(i, j) * z[j];
      z[i] = r / (sigma[i] * L(i, i));
      q += z[i] * z[i];
      lp -= std::log(sigma[i] * L(i, i));
    }
    lp += -0.5 * q - 1.5 * log_2pi;
  }
  return lp;
}

}  // namespace

TEST_CASE("multivariate normal with LKJ prior: names, density against the closed form") {
  const Matrix<double> y = simulate_multi_normal(distributions::make_key(9), 25, {1.0, -1.0, 0.5}, {0.5, 2.0, 1.0},
                                                 correlation3());
  const MultiNormalLKJ mvn{.y = y};
  const Model m(mvn, "mvn_lkj");
  CHECK(m.dimension() == 3 + 3 + 3);
  REQUIRE(m.parameters().size() == 3);
  CHECK(m.parameters()[2].name == "L_Omega");
  CHECK(m.parameters()[2].dims == std::vector<std::size_t>{3, 3});
  REQUIRE(m.outputs().size() == 1);
  CHECK(m.outputs()[0].name == "Omega");
  CHECK(m.constrained_names(NameStyle::stan).back() == "Omega[3,3]");

  const std::vector<double> x = model_checks::test_point(9, 0.7);
  const std::vector<double> c = m.constrain(x);
  REQUIRE(c.size() == 3 + 3 + 9 + 9);
  const std::vector<double> mu(c.begin(), c.begin() + 3), sigma(c.begin() + 3, c.begin() + 6);
  Matrix<double> L(3, 3);
  for (int i = 0; i < 9; ++i) L.data()[i] = c[6 + i];
  CHECK(m.log_density(x, false) == doctest::Approx(by_hand(y, mu, sigma, L, 2.0)).epsilon(1e-12));
  // Omega = L L^T: a correlation matrix.
  for (int i = 0; i < 3; ++i) CHECK(c[15 + 4 * i] == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(c[15 + 1] == doctest::Approx(L(1, 0)).epsilon(1e-14));
  CHECK(c[15 + 5] == doctest::Approx(L(1, 0) * L(2, 0) + L(1, 1) * L(2, 1)).epsilon(1e-14));
  // Other concentrations.
  const MultiNormalLKJ flat{.y = y, .eta = 1.0};
  CHECK(Model(flat).log_density(x, false) == doctest::Approx(by_hand(y, mu, sigma, L, 1.0)).epsilon(1e-12));
  // The log-Jacobian: sigma = exp(u) gives sum u; the correlation factor's tanh construction gives
  // sum log(1 - z^2) over its three canonical partial correlations z = tanh(u), plus
  // (1/2) log(1 - L_31^2) for L_32 = z sqrt(1 - L_31^2).
  double log_j = x[3] + x[4] + x[5];
  for (int q = 6; q < 9; ++q) log_j += std::log1p(-std::pow(std::tanh(x[q]), 2));
  log_j += 0.5 * std::log1p(-L(2, 0) * L(2, 0));
  CHECK(m.log_density(x) - m.log_density(x, false) == doctest::Approx(log_j).epsilon(1e-12));
}

TEST_CASE("multivariate normal with LKJ prior: derivatives through the handle, round trip") {
  const Matrix<double> y = simulate_multi_normal(distributions::make_key(2), 12, {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0},
                                                 correlation3());
  const MultiNormalLKJ mvn{.y = y};
  const Model m(mvn);
  for (double scale : {0.3, 1.1}) {
    const std::vector<double> x = model_checks::test_point(9, scale);
    model_checks::check_handle_derivatives(m, x, 1e-6, 4);
    model_checks::check_definition_derivatives(mvn, x);
    model_checks::check_round_trip(m, x, 1e-11);
  }
}

TEST_CASE("simulate_multi_normal: reproducible, mean and correlation within CLT bounds") {
  const std::vector<double> mu = {1.0, -2.0, 0.5}, sigma = {0.5, 2.0, 1.0};
  const Matrix<double> omega = correlation3();
  const std::size_t n = 20000;
  const Matrix<double> y = simulate_multi_normal(distributions::make_key(77), n, mu, sigma, omega);
  const Matrix<double> again = simulate_multi_normal(distributions::make_key(77), n, mu, sigma, omega);
  CHECK(y(123, 2) == again(123, 2));
  double mean[3] = {0, 0, 0};
  for (std::size_t r = 0; r < n; ++r)
    for (int k = 0; k < 3; ++k) mean[k] += y(r, k) / static_cast<double>(n);
  for (int k = 0; k < 3; ++k) CHECK(std::abs(mean[k] - mu[k]) < 4 * sigma[k] / std::sqrt(static_cast<double>(n)));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < i; ++j) {
      double sij = 0, sii = 0, sjj = 0;
      for (std::size_t r = 0; r < n; ++r) {
        const double a = y(r, i) - mean[i], b = y(r, j) - mean[j];
        sij += a * b;
        sii += a * a;
        sjj += b * b;
      }
      const double rho = sij / std::sqrt(sii * sjj), target = omega(i, j);
      CHECK(std::abs(rho - target) < 4 * (1 - target * target) / std::sqrt(static_cast<double>(n)));
    }
  CHECK_THROWS_AS(simulate_multi_normal(distributions::make_key(1), 3, {0.0, 0.0}, {1.0}, omega), tapir::size_error);
}
