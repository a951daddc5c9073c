#pragma once
// posteriordb sblrc-blr: Bayesian linear regression.
//
//   data { int<lower=0> N; int<lower=0> D; matrix[N, D] X; vector[N] y; }
//   parameters { vector[D] beta; real<lower=0> sigma; }
//   model {
//     target += normal_lpdf(beta | 0, 10);
//     target += normal_lpdf(sigma | 0, 10);
//     target += normal_lpdf(y | X * beta, sigma);
//   }
//
// The likelihood is one matrix-vector product node and ONE normal_lpdf node. Every statement is a
// `target +=`, which keeps all constants in Stan too: the log density equals Stan's log_prob.
#include <cstddef>

#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/vector.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models::posteriors {

struct Blr {
  std::size_t N = 0, D = 0;
  autodiff::Matrix<double> X;  // N x D
  autodiff::Vector<double> y;

  // Reads N, D (integers >= 0), X (N rows of D reals) and y (N reals).
  static Blr from_data(const Data& data) {
    Blr m;
    const Size N = data.dimension("N");
    const Size D = data.dimension("D");
    m.N = N;
    m.D = D;
    m.X = data.matrix("X", N, D);
    m.y = data.vector("y", N);
    return m;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    using distributions::normal_lpdf;
    const autodiff::Vector<S> beta = p.vector("beta", D);
    const S sigma = p.lower("sigma", 0.0);
    S lp = normal_lpdf(sigma, 0.0, 10.0);
    if (D > 0) lp += normal_lpdf(beta, 0.0, 10.0);
    if (N > 0) {
      if (D > 0)
        lp += normal_lpdf(y, autodiff::multiply(X, beta), sigma);
      else
        lp += normal_lpdf(y, 0.0, sigma);
    }
    return lp;
  }
};

}  // namespace tapir::models::posteriors
