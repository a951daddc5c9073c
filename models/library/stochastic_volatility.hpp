#pragma once
// Stochastic volatility, non-centered: the bench entry stoch_vol of ../shared/bench/SPEC.md as a
// model, with its simulator.
//
//   mu ~ normal(0, 10),  a ~ normal(0, 1),  l ~ normal(0, 1),  z_t ~ normal(0, 1)   t = 0..T-1
//   phi = tanh(a),  sigma = exp(l)
//   h_0 = mu + sigma z_0 / sqrt(1 - phi^2),   h_t = mu + phi (h_{t-1} - mu) + sigma z_t
//   y_t ~ normal(0, exp(h_t / 2))
//
// Parameters, in order: mu, a, l (reals: the priors are on a = atanh(phi) and l = log(sigma), as in
// the spec, so no Jacobian enters), z (T). Outputs: phi, sigma, h (T). Data: the returns y.
// h is the log variance of y: a stationary AR(1) with mean mu, coefficient phi and innovation sd
// sigma.
//
// simulate(key, StochasticVolatilityParameters{mu, phi, sigma}, T) returns the path h
// (StateSpacePath::latent) and the returns y (observations).
#include <cmath>
#include <cstddef>
#include <vector>

#include "autodiff/errors.hpp"
#include "distributions/normal.hpp"
#include "distributions/random.hpp"
#include "models/library/ar1.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

struct StochasticVolatilityParameters {
  double mu = -1.0;   // mean log variance
  double phi = 0.95;  // persistence, in (-1, 1)
  double sigma = 0.25;  // sd of the log-variance innovations, > 0
};

inline StateSpacePath simulate(distributions::Key key, const StochasticVolatilityParameters& p, std::size_t length) {
  const char* fn = "simulate (stochastic volatility)";
  if (!std::isfinite(p.mu)) throw_domain_error(fn, "mu", p.mu, "finite");
  if (!(p.phi > -1.0 && p.phi < 1.0)) throw_domain_error(fn, "phi", p.phi, "in (-1, 1)");
  if (!(p.sigma > 0.0 && std::isfinite(p.sigma))) throw_domain_error(fn, "sigma", p.sigma, "positive finite");
  const auto [k_latent, k_obs] = distributions::split(key);
  distributions::Generator gh(k_latent), gy(k_obs);
  StateSpacePath path{std::vector<double>(length), std::vector<double>(length)};
  for (std::size_t t = 0; t < length; ++t) {
    const double z = distributions::standard_normal(gh);
    path.latent[t] = t == 0 ? p.mu + p.sigma * z / std::sqrt(1.0 - p.phi * p.phi)
                            : p.mu + p.phi * (path.latent[t - 1] - p.mu) + p.sigma * z;
    path.observations[t] = std::exp(0.5 * path.latent[t]) * distributions::standard_normal(gy);
  }
  return path;
}

struct StochasticVolatility {
  std::vector<double> y;

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    const std::size_t n = y.size();
    if (n == 0) throw size_error("StochasticVolatility: no observations");
    const T mu = p.real("mu");
    const T a = p.real("a");
    const T l = p.real("l");
    const Vector<T> z = p.vector("z", n);
    const T phi = tanh(a);
    const T sigma = exp(l);
    // g_t = h_t - mu: g_0 = sigma z_0 / sqrt(1 - phi^2), g_t = phi g_{t-1} + sigma z_t.
    const Vector<T> s = sigma * z;
    Vector<T> g(n);
    g[0] = s[0] / sqrt(1.0 - phi * phi);
    for (std::size_t t = 1; t < n; ++t) g[t] = phi * g[t - 1] + s[t];
    const Vector<T> h = g + mu;
    if (p.mode() == ReaderMode::write || p.mode() == ReaderMode::discover) {
      p.output("phi", phi);
      p.output("sigma", sigma);
      p.output("h", h);
    }
    T lp = distributions::normal_lpdf(mu, 0.0, 10.0) + distributions::normal_lpdf(a, 0.0, 1.0) +
           distributions::normal_lpdf(l, 0.0, 1.0) + distributions::normal_lpdf(z, 0.0, 1.0);
    return lp + distributions::normal_lpdf(y, 0.0, exp(0.5 * h));
  }
};

}  // namespace tapir::models
