#pragma once
// posteriordb arK-arK: an autoregressive model of order K.
//
//   data { int<lower=0> K; int<lower=0> T; array[T] real y; }
//   parameters { real alpha; array[K] real beta; real<lower=0> sigma; }
//   model {
//     alpha ~ normal(0, 10);  beta ~ normal(0, 10);  sigma ~ cauchy(0, 2.5);
//     for (t in (K + 1) : T) y[t] ~ normal(alpha + sum_k beta[k] * y[t - k], sigma);
//   }
//
// The loop over t is vectorized: the lagged values form a (T - K) x K data matrix, so the
// likelihood is one matrix-vector product, one broadcast addition and ONE normal_lpdf node.
// Normalization: every constant is kept (each `~` evaluated as `target += *_lpdf`), so the log
// density differs from Stan's log_prob of model.stan by a constant that depends on the data only.
#include <cstddef>
#include <vector>

#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/vector.hpp"
#include "distributions/cauchy.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models::posteriors {

struct ArK {
  std::size_t K = 0;               // order
  std::size_t T = 0;               // length of the series
  autodiff::Vector<double> y_next;  // y[K + 1], ..., y[T]
  autodiff::Matrix<double> lags;    // (T - K) x K: row t - K - 1, column k - 1 holds y[t - k]

  // Reads K, T (integers >= 0) and y (T reals).
  static ArK from_data(const Data& data) {
    ArK m;
    const Size K = data.dimension("K");
    const Size T = data.dimension("T");
    const std::vector<double> y = data.reals("y", T);
    m.K = K;
    m.T = T;
    const std::size_t n = m.T > m.K ? m.T - m.K : 0;
    m.y_next = autodiff::Vector<double>(n);
    m.lags = autodiff::Matrix<double>(n, m.K);
    for (std::size_t r = 0; r < n; ++r) {
      m.y_next[r] = y[r + m.K];
      for (std::size_t k = 0; k < m.K; ++k) m.lags(r, k) = y[r + m.K - k - 1];
    }
    return m;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    using distributions::cauchy_lpdf;
    using distributions::normal_lpdf;
    const S alpha = p.real("alpha");
    const autodiff::Vector<S> beta = p.vector("beta", K);
    const S sigma = p.lower("sigma", 0.0);
    S lp = normal_lpdf(alpha, 0.0, 10.0) + cauchy_lpdf(sigma, 0.0, 2.5);
    if (K > 0) lp += normal_lpdf(beta, 0.0, 10.0);
    if (y_next.size() > 0) {
      if (K > 0)
        lp += normal_lpdf(y_next, autodiff::multiply(lags, beta) + alpha, sigma);
      else
        lp += normal_lpdf(y_next, alpha, sigma);
    }
    return lp;
  }
};

}  // namespace tapir::models::posteriors
