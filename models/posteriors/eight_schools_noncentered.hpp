#pragma once
// posteriordb eight_schools-eight_schools_noncentered: the eight schools hierarchical model with
// the non-centred parameterization.
//
//   data { int<lower=0> J; array[J] real y; array[J] real<lower=0> sigma; }
//   parameters { vector[J] theta_trans; real mu; real<lower=0> tau; }
//   transformed parameters { vector[J] theta = theta_trans * tau + mu; }
//   model {
//     theta_trans ~ normal(0, 1);  y ~ normal(theta, sigma);
//     mu ~ normal(0, 5);  tau ~ cauchy(0, 5);
//   }
//
// theta is written with the draws (an output). Normalization: every constant is kept (each `~`
// evaluated as `target += *_lpdf`), so the log density differs from Stan's log_prob of model.stan
// by a constant that depends on the data only.
#include <cstddef>

#include "autodiff/vector.hpp"
#include "distributions/cauchy.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"
#include "models/posteriors/checks.hpp"

namespace tapir::models::posteriors {

struct EightSchoolsNoncentered {
  std::size_t J = 0;
  autodiff::Vector<double> y, sigma;

  // Reads J (an integer >= 0), y (J reals) and sigma (J reals > 0: Stan declares them >= 0, and
  // normal(theta, 0) is not a density).
  static EightSchoolsNoncentered from_data(const Data& data) {
    EightSchoolsNoncentered m;
    const Size J = data.dimension("J");
    m.J = J;
    m.y = data.vector("y", J);
    m.sigma = data.vector("sigma", J, {.lower = 0.0});
    detail::require_positive_elements("sigma", m.sigma, "the standard error of y");
    return m;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    using distributions::cauchy_lpdf;
    using distributions::normal_lpdf;
    const autodiff::Vector<S> theta_trans = p.vector("theta_trans", J);
    const S mu = p.real("mu");
    const S tau = p.lower("tau", 0.0);
    const autodiff::Vector<S> theta = theta_trans * tau + mu;
    p.output("theta", theta);
    S lp = normal_lpdf(mu, 0.0, 5.0) + cauchy_lpdf(tau, 0.0, 5.0);
    if (J > 0) lp += normal_lpdf(theta_trans, 0.0, 1.0) + normal_lpdf(y, theta, sigma);
    return lp;
  }
};

}  // namespace tapir::models::posteriors
