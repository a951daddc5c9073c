#pragma once
// posteriordb kilpisjarvi_mod-kilpisjarvi: a linear trend in summer temperatures at Kilpisjarvi,
// with priors given as data.
//
//   data {
//     int<lower=0> N; vector[N] x; vector[N] y; real xpred;
//     real pmualpha; real psalpha; real pmubeta; real psbeta;
//   }
//   parameters { real alpha; real beta; real<lower=0> sigma; }
//   model {
//     alpha ~ normal(pmualpha, psalpha);  beta ~ normal(pmubeta, psbeta);
//     y ~ normal(alpha + beta * x, sigma);
//   }
//
// sigma has the improper flat prior of the Stan program; xpred is read (the program declares it)
// but only its generated quantities, not part of the posterior, use it. The likelihood is one
// scaling node, one broadcast addition and ONE normal_lpdf node. Normalization: every constant is
// kept (each `~` evaluated as `target += *_lpdf`), so the log density differs from Stan's
// log_prob of model.stan by a constant (data only).
#include <cstddef>

#include "autodiff/elementwise.hpp"
#include "autodiff/vector.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"
#include "models/posteriors/checks.hpp"

namespace tapir::models::posteriors {

struct Kilpisjarvi {
  std::size_t N = 0;
  autodiff::Vector<double> x, y;
  double xpred = 0.0;
  double pmualpha = 0.0, psalpha = 1.0, pmubeta = 0.0, psbeta = 1.0;

  // Reads N (an integer >= 0), x, y (N reals), xpred, pmualpha, pmubeta (reals) and the prior
  // scales psalpha, psbeta (reals > 0; Stan leaves them unconstrained and fails in the density).
  static Kilpisjarvi from_data(const Data& data) {
    Kilpisjarvi m;
    const Size N = data.dimension("N");
    m.N = N;
    m.x = data.vector("x", N);
    m.y = data.vector("y", N);
    m.xpred = data.real("xpred");
    m.pmualpha = data.real("pmualpha");
    m.psalpha = data.real("psalpha");
    m.pmubeta = data.real("pmubeta");
    m.psbeta = data.real("psbeta");
    detail::require_positive("psalpha", m.psalpha, "the prior scale of alpha");
    detail::require_positive("psbeta", m.psbeta, "the prior scale of beta");
    return m;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    using distributions::normal_lpdf;
    const S alpha = p.real("alpha");
    const S beta = p.real("beta");
    const S sigma = p.lower("sigma", 0.0);
    S lp = normal_lpdf(alpha, pmualpha, psalpha) + normal_lpdf(beta, pmubeta, psbeta);
    if (N > 0) lp += normal_lpdf(y, alpha + beta * x, sigma);
    return lp;
  }
};

}  // namespace tapir::models::posteriors
