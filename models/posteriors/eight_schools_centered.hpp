#pragma once
// Eight schools with the centred parameterization (posteriordb's eight_schools_centered), on the
// data of eight_schools-eight_schools_noncentered:
//
//   data { int<lower=0> J; array[J] real y; array[J] real<lower=0> sigma; }
//   parameters { array[J] real theta; real mu; real<lower=0> tau; }
//   model {
//     tau ~ cauchy(0, 5);  theta ~ normal(mu, tau);
//     y ~ normal(theta, sigma);  mu ~ normal(0, 5);
//   }
//
// The funnel between tau and theta makes this the classic hard case for HMC (divergences are
// expected). Normalization: every constant is kept (each `~` evaluated as `target += *_lpdf`), so
// the log density differs from Stan's log_prob by a constant that depends on the data only.
#include <cstddef>

#include "autodiff/vector.hpp"
#include "distributions/cauchy.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"
#include "models/posteriors/checks.hpp"

namespace tapir::models::posteriors {

struct EightSchoolsCentered {
  std::size_t J = 0;
  autodiff::Vector<double> y, sigma;

  // Reads J (an integer >= 0), y (J reals) and sigma (J reals > 0).
  static EightSchoolsCentered from_data(const Data& data) {
    EightSchoolsCentered m;
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
    const autodiff::Vector<S> theta = p.vector("theta", J);
    const S mu = p.real("mu");
    const S tau = p.lower("tau", 0.0);
    S lp = cauchy_lpdf(tau, 0.0, 5.0) + normal_lpdf(mu, 0.0, 5.0);
    if (J > 0) lp += normal_lpdf(theta, mu, tau) + normal_lpdf(y, theta, sigma);
    return lp;
  }
};

}  // namespace tapir::models::posteriors
