#pragma once
// posteriordb gp_pois_regr-gp_regr: Gaussian-process regression with a squared-exponential kernel.
//
//   data { int<lower=1> N; array[N] real x; vector[N] y; }
//   parameters { real<lower=0> rho; real<lower=0> alpha; real<lower=0> sigma; }
//   model {
//     matrix[N, N] cov = gp_exp_quad_cov(x, alpha, rho) + diag_matrix(rep_vector(sigma, N));
//     matrix[N, N] L_cov = cholesky_decompose(cov);
//     rho ~ gamma(25, 4);  alpha ~ normal(0, 2);  sigma ~ normal(0, 1);
//     y ~ multi_normal_cholesky(rep_vector(0, N), L_cov);
//   }
//
// gp_exp_quad_cov(x, alpha, rho)[i, j] = alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2)); note that the
// model adds sigma (not sigma^2) to the diagonal. The covariance is built from single-node matrix
// operations on the precomputed squared distances: (D2 * (-1 / (2 rho^2))) -> exp -> * alpha^2,
// plus I * sigma, then cholesky_decompose and multi_normal_cholesky_lpdf.
// Normalization: every constant is kept (each `~` evaluated as `target += *_lpdf`), so the log
// density differs from Stan's log_prob of model.stan by a constant (data only).
// (The data file also holds k, the counts of gp_pois_regr's Poisson model; this model ignores it.)
#include <cstddef>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/vector.hpp"
#include "distributions/gamma.hpp"
#include "distributions/multi_normal.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"
#include "models/posteriors/checks.hpp"

namespace tapir::models::posteriors {

struct GpRegr {
  std::size_t N = 0;
  std::vector<double> x;
  autodiff::Vector<double> y;
  autodiff::Matrix<double> squared_distance;  // (x_i - x_j)^2
  autodiff::Matrix<double> identity;
  autodiff::Vector<double> zero;  // the mean, rep_vector(0, N)

  // Reads N (an integer >= 1), x (N reals) and y (N reals).
  static GpRegr from_data(const Data& data) {
    GpRegr m;
    const Size N = data.dimension("N");
    if (N.value() < 1) detail::data_error("N", 0, 0.0, ">= 1");
    m.N = N;
    m.x = data.reals("x", N);
    m.y = data.vector("y", N);
    m.squared_distance = autodiff::Matrix<double>(m.N, m.N, 0.0);
    m.identity = autodiff::Matrix<double>(m.N, m.N, 0.0);
    for (std::size_t i = 0; i < m.N; ++i) {
      m.identity(i, i) = 1.0;
      for (std::size_t j = 0; j < m.N; ++j) {
        const double d = m.x[i] - m.x[j];
        m.squared_distance(i, j) = d * d;
      }
    }
    m.zero = autodiff::Vector<double>(m.N, 0.0);
    return m;
  }

  // gp_exp_quad_cov(x, alpha, rho) + diag_matrix(rep_vector(sigma, N)).
  template <class S>
  autodiff::Matrix<S> covariance(const S& rho, const S& alpha, const S& sigma) const {
    const S neg_half_inv_rho2 = -0.5 / (rho * rho);
    return exp(squared_distance * neg_half_inv_rho2) * (alpha * alpha) + identity * sigma;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    using distributions::gamma_lpdf;
    using distributions::multi_normal_cholesky_lpdf;
    using distributions::normal_lpdf;
    const S rho = p.lower("rho", 0.0);
    const S alpha = p.lower("alpha", 0.0);
    const S sigma = p.lower("sigma", 0.0);
    const autodiff::Matrix<S> L_cov = autodiff::cholesky_decompose(covariance(rho, alpha, sigma));
    return gamma_lpdf(rho, 25.0, 4.0) + normal_lpdf(alpha, 0.0, 2.0) + normal_lpdf(sigma, 0.0, 1.0) +
           multi_normal_cholesky_lpdf(y, zero, L_cov);
  }
};

}  // namespace tapir::models::posteriors
