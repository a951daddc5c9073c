#pragma once
// The AR(1) state-space model of the buffered-VI tutorial (buffered-vi-tutorial.md, SeqJAX's
// AR1Target), its simulator, and a Bayesian posterior over its parameters and latent path:
//
//   x_1 ~ normal(0, transition_std / sqrt(1 - ar^2))          (the stationary distribution)
//   x_t = ar x_{t-1} + transition_std e_t,   e_t ~ normal(0, 1)   t = 2..T
//   y_t = x_t + observation_std n_t,         n_t ~ normal(0, 1)   t = 1..T
//
// with ar in (-1, 1), observation_std > 0, transition_std > 0. The latent path is stationary:
// Var[x_t] = transition_std^2 / (1 - ar^2), Corr[x_t, x_{t+1}] = ar.
//
//   const AR1Parameters truth{.ar = 0.7, .observation_std = 0.6, .transition_std = 0.3};
//   const auto [latent, observations] = simulate(make_key(0), truth, 400);
//   const Model posterior(AR1Posterior{.observations = observations}, "ar1");
//
// AR1Posterior (priors chosen here; the tutorial's AR1Bayesian is built from reference parameters
// in the same way: with infer_scales = false only ar and the path are inferred, the two standard
// deviations held at `fixed`):
//   ar ~ uniform(-1, 1)
//   observation_std ~ half_normal(scale_prior),  transition_std ~ half_normal(scale_prior)  (infer_scales)
//   x ~ the AR(1) path above,  y_t ~ normal(x_t, observation_std)
// Parameters, in order: ar (interval (-1, 1)), [observation_std, transition_std (> 0)], x (T).
// The path is centered (the latent states themselves are the parameters), as the VI routines that
// approximate the latent path expect.
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"
#include "distributions/half_normal.hpp"
#include "distributions/normal.hpp"
#include "distributions/random.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

struct AR1Parameters {
  double ar = 0.7;
  double observation_std = 0.6;
  double transition_std = 0.3;

  void check(const char* fn) const {
    if (!(ar > -1.0 && ar < 1.0)) throw_domain_error(fn, "ar", ar, "in (-1, 1)");
    if (!(observation_std > 0.0 && std::isfinite(observation_std)))
      throw_domain_error(fn, "observation_std", observation_std, "positive finite");
    if (!(transition_std > 0.0 && std::isfinite(transition_std)))
      throw_domain_error(fn, "transition_std", transition_std, "positive finite");
  }
};

struct StateSpacePath {
  std::vector<double> latent;        // x_1..x_T (for stochastic volatility: the log variances h)
  std::vector<double> observations;  // y_1..y_T
};

// A path of the given length: x_1 from the stationary distribution, then the recursion. The
// latent noise comes from one split of the key, the observation noise from the other.
inline StateSpacePath simulate(distributions::Key key, const AR1Parameters& p, std::size_t length) {
  p.check("simulate (AR1)");
  const auto [k_latent, k_obs] = distributions::split(key);
  distributions::Generator gx(k_latent), gy(k_obs);
  StateSpacePath path{std::vector<double>(length), std::vector<double>(length)};
  const double stationary_sd = p.transition_std / std::sqrt(1.0 - p.ar * p.ar);
  for (std::size_t t = 0; t < length; ++t) {
    const double e = distributions::standard_normal(gx);
    path.latent[t] = t == 0 ? stationary_sd * e : p.ar * path.latent[t - 1] + p.transition_std * e;
    path.observations[t] = path.latent[t] + p.observation_std * distributions::standard_normal(gy);
  }
  return path;
}

struct AR1Posterior {
  std::vector<double> observations;
  bool infer_scales = true;
  AR1Parameters fixed{};  // the standard deviations used when infer_scales is false
  double scale_prior = 1.0;

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    const std::size_t n = observations.size();
    if (n == 0) throw size_error("AR1Posterior: no observations");
    const T ar = p.interval("ar", -1.0, 1.0);
    T obs_std = fixed.observation_std, trans_std = fixed.transition_std;
    T lp = -std::log(2.0);  // uniform(-1, 1)
    if (infer_scales) {
      obs_std = p.positive("observation_std");
      trans_std = p.positive("transition_std");
      lp += distributions::half_normal_lpdf(obs_std, scale_prior) + distributions::half_normal_lpdf(trans_std, scale_prior);
    } else {
      fixed.check("AR1Posterior (fixed)");
    }
    const Vector<T> x = p.vector("x", n);
    lp += distributions::normal_lpdf(x[0], 0.0, trans_std / sqrt(1.0 - ar * ar));
    if (n > 1) {
      Vector<T> prev(n - 1), next(n - 1);
      for (std::size_t t = 1; t < n; ++t) {
        prev[t - 1] = x[t - 1];
        next[t - 1] = x[t];
      }
      lp += distributions::normal_lpdf(next, ar * prev, trans_std);
    }
    return lp + distributions::normal_lpdf(observations, x, obs_std);
  }
};

}  // namespace tapir::models
