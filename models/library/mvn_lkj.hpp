#pragma once
// A multivariate normal with unknown mean, scales and correlation, and an LKJ prior on the
// correlation's Cholesky factor (Stan User's Guide, "Multivariate priors for hierarchical models";
// the NumPyro form in advanced-inference.md, "Cholesky for Covariance Matrices"):
//
//   mu_k ~ normal(0, location_scale)                 k = 1..K
//   sigma_k ~ half_normal(scale_scale)               sigma_k > 0
//   L_Omega ~ lkj_corr_cholesky(eta)                 Cholesky factor of the correlation matrix Omega
//   y_n ~ multi_normal_cholesky(mu, diag(sigma) L_Omega)   n = 1..N
//
// Parameters, in order: mu (K), sigma (K, positive), L_Omega (cholesky_corr, K (K - 1) / 2 free
// values). Output: Omega = L_Omega L_Omega^T (K x K), computed for the draws only. Data: y, N x K
// (one observation per row). Defaults as in the NumPyro example: location_scale 5, scale_scale 1,
// eta 2.
//
// simulate_multi_normal(key, N, mu, sigma, Omega) draws N rows from normal(mu, diag(sigma) Omega
// diag(sigma)) (Omega a correlation matrix, factored by Cholesky).
#include <cstddef>
#include <string>
#include <vector>

// multi_normal.hpp first: see the report on the include order of normal.hpp and multi_normal.hpp.
#include "distributions/multi_normal.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "distributions/half_normal.hpp"
#include "distributions/lkj_corr_cholesky.hpp"
#include "distributions/normal.hpp"
#include "distributions/random.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

struct MultiNormalLKJ {
  Matrix<double> y;  // N x K
  double eta = 2.0;
  double location_scale = 5.0;
  double scale_scale = 1.0;

  std::size_t dimension_k() const { return y.cols(); }

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    const std::size_t K = y.cols();
    if (K == 0) throw size_error("MultiNormalLKJ: the data have no columns (K = 0)");
    const Vector<T> mu = p.vector("mu", K);
    const Vector<T> sigma = p.positive("sigma", K);
    const Matrix<T> L = p.cholesky_corr("L_Omega", K);
    if (p.mode() == ReaderMode::write || p.mode() == ReaderMode::discover) {
      Matrix<T> omega(K, K);
      for (std::size_t i = 0; i < K; ++i)
        for (std::size_t j = 0; j < K; ++j) {
          T s = 0.0;
          for (std::size_t m = 0; m <= std::min(i, j); ++m) s += L(i, m) * L(j, m);
          omega(i, j) = s;
        }
      p.output("Omega", omega);
    }
    // The covariance's Cholesky factor diag(sigma) L (lower triangle only is read).
    Matrix<T> L_sigma(K, K, T(0.0));
    for (std::size_t i = 0; i < K; ++i)
      for (std::size_t j = 0; j <= i; ++j) L_sigma(i, j) = sigma[i] * L(i, j);
    T lp = distributions::normal_lpdf(mu, 0.0, location_scale) + distributions::half_normal_lpdf(sigma, scale_scale) +
           distributions::lkj_corr_cholesky_lpdf(L, eta);
    if (y.rows() > 0) lp += distributions::multi_normal_cholesky_lpdf(y, mu, L_sigma);
    return lp;
  }
};

// N draws (rows) from the multivariate normal with mean mu and covariance diag(sigma) Omega diag(sigma).
inline Matrix<double> simulate_multi_normal(distributions::Key key, std::size_t rows, const std::vector<double>& mu,
                                            const std::vector<double>& sigma, const Matrix<double>& omega) {
  const std::size_t K = mu.size();
  if (sigma.size() != K || omega.rows() != K || omega.cols() != K)
    throw size_error("simulate_multi_normal: mu has size " + std::to_string(K) + ", sigma " +
                     std::to_string(sigma.size()) + ", Omega is " + std::to_string(omega.rows()) + "x" +
                     std::to_string(omega.cols()));
  Matrix<double> L = autodiff::cholesky_decompose(omega);
  for (std::size_t i = 0; i < K; ++i)
    for (std::size_t j = 0; j < K; ++j) L(i, j) = j <= i ? sigma[i] * L(i, j) : 0.0;
  distributions::Generator g(key);
  Matrix<double> y(rows, K);
  std::vector<double> draw(K);
  for (std::size_t n = 0; n < rows; ++n) {
    distributions::multivariate_normal(g, mu, L, draw);
    for (std::size_t k = 0; k < K; ++k) y(n, k) = draw[k];
  }
  return y;
}

}  // namespace tapir::models
