#pragma once
// posteriordb kidiq-kidscore_momiq: linear regression of a child's test score on the mother's IQ.
//
//   data {
//     int<lower=0> N;
//     vector<lower=0, upper=200>[N] kid_score;
//     vector<lower=0, upper=200>[N] mom_iq;
//   }
//   parameters { vector[2] beta; real<lower=0> sigma; }
//   model {
//     sigma ~ cauchy(0, 2.5);
//     kid_score ~ normal(beta[1] + beta[2] * mom_iq, sigma);
//   }
//
// beta has the improper flat prior of the Stan program. The likelihood is one scaling node, one
// broadcast addition and ONE normal_lpdf node. Normalization: every constant is kept (each `~`
// evaluated as `target += *_lpdf`), so the log density differs from Stan's log_prob of
// model.stan by a constant (data only). (The data file's other items, mom_hs, mom_hs_new and
// mom_iq_new, belong to other kidiq models and are not read.)
#include <cstddef>

#include "autodiff/elementwise.hpp"
#include "autodiff/vector.hpp"
#include "distributions/cauchy.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models::posteriors {

struct KidscoreMomiq {
  std::size_t N = 0;
  autodiff::Vector<double> kid_score, mom_iq;

  // Reads N (an integer >= 0) and kid_score, mom_iq (N reals in [0, 200] each).
  static KidscoreMomiq from_data(const Data& data) {
    KidscoreMomiq m;
    const Size N = data.dimension("N");
    m.N = N;
    m.kid_score = data.vector("kid_score", N, {.lower = 0.0, .upper = 200.0});
    m.mom_iq = data.vector("mom_iq", N, {.lower = 0.0, .upper = 200.0});
    return m;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    using distributions::cauchy_lpdf;
    using distributions::normal_lpdf;
    const autodiff::Vector<S> beta = p.vector("beta", 2);
    const S sigma = p.lower("sigma", 0.0);
    S lp = cauchy_lpdf(sigma, 0.0, 2.5);
    if (N > 0) lp += normal_lpdf(kid_score, beta[0] + beta[1] * mom_iq, sigma);
    return lp;
  }
};

}  // namespace tapir::models::posteriors
