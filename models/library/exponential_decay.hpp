#pragma once
// Exponential decay observed with noise, the ODE solved numerically (models/ode/dopri5.hpp), as in
// the Diffrax example of advanced-inference.md ("Diffrax Integration"):
//
//   y' = -k y,  y(t0) = y0
//   k ~ lognormal(0, 1),  y0 ~ normal(y0_prior_mean, y0_prior_sd) on y0 > 0,  sigma ~ half_normal(sigma_prior_scale)
//   normal noise:     obs_i ~ normal(y(t_i), sigma)
//   lognormal noise:  obs_i ~ lognormal(log y(t_i), sigma)      (multiplicative; obs_i > 0)
//
// Parameters, in order: k (> 0), y0 (> 0), sigma (> 0). Output: y_hat, the solution at the
// observation times. Prior defaults as the example: y0 ~ normal(1, 0.1), sigma ~ half_normal(0.1).
// The solution is y0 exp(-k (t - t0)) (the tests compare against it); the model integrates the ODE
// so that it exercises the solver and its derivatives, which are those of the discrete
// Dormand-Prince map (discretize-then-differentiate), close to the exact ones at the default
// tolerances (1e-8 relative and absolute).
//
// simulate(key, times, k, y0, sigma, noise) solves with the solver at the given parameters and
// adds the noise (normal or lognormal) drawn from the key; ExponentialDecay::simulated(key) is a
// ready-made posterior on such data.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/errors.hpp"
#include "distributions/half_normal.hpp"
#include "distributions/lognormal.hpp"
#include "distributions/normal.hpp"
#include "distributions/random.hpp"
#include "models/ode/dopri5.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

enum class DecayNoise { normal, lognormal };

struct ExponentialDecay {
  std::vector<double> times;         // observation times, nondecreasing, >= t0
  std::vector<double> observations;  // one per time
  DecayNoise noise = DecayNoise::normal;
  double t0 = 0.0;
  double y0_prior_mean = 1.0, y0_prior_sd = 0.1, sigma_prior_scale = 0.1;
  ode::Dopri5Options solver = default_solver();

  static ode::Dopri5Options default_solver() {
    ode::Dopri5Options o;
    o.relative_tolerance = 1e-8;
    o.absolute_tolerance = 1e-8;
    return o;
  }

  // y(t_i) for every observation time, by the solver.
  template <class T>
  Vector<T> solve(const T& k, const T& y0) const {
    auto rhs = [&k](double, const Vector<T>& y) { return Vector<T>{-(k * y[0])}; };
    const auto sol = ode::dopri5<T>(rhs, Vector<T>{y0}, t0, times, solver);
    Vector<T> out(times.size());
    for (std::size_t i = 0; i < times.size(); ++i) out[i] = sol.states(i, 0);
    return out;
  }

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    if (observations.size() != times.size())
      throw size_error("ExponentialDecay: " + std::to_string(observations.size()) + " observations for " +
                       std::to_string(times.size()) + " times");
    const T k = p.positive("k");
    const T y0 = p.positive("y0");
    const T sigma = p.positive("sigma");
    T lp = distributions::lognormal_lpdf(k, 0.0, 1.0) + distributions::normal_lpdf(y0, y0_prior_mean, y0_prior_sd) +
           distributions::half_normal_lpdf(sigma, sigma_prior_scale);
    if (times.empty()) return lp;
    const Vector<T> y_hat = solve(k, y0);
    p.output("y_hat", y_hat);
    if (noise == DecayNoise::normal) return lp + distributions::normal_lpdf(observations, y_hat, sigma);
    return lp + distributions::lognormal_lpdf(observations, log(y_hat), sigma);
  }

  // A ready-made posterior: 20 observations at t = 0.5, 1, ..., 10 simulated at k = 0.5, y0 = 1 and
  // sigma = 0.05.
  static ExponentialDecay simulated(distributions::Key key, DecayNoise noise = DecayNoise::normal) {
    ExponentialDecay m;
    m.noise = noise;
    for (int i = 1; i <= 20; ++i) m.times.push_back(0.5 * i);
    m.observations = simulate(key, m.times, 0.5, 1.0, 0.05, noise);
    return m;
  }

  // Observations at `times` for the given parameters, solved by the solver, noise from `key`.
  static std::vector<double> simulate(distributions::Key key, const std::vector<double>& times, double k, double y0,
                                      double sigma, DecayNoise noise = DecayNoise::normal, double t0 = 0.0) {
    ExponentialDecay m;
    m.times = times;
    m.t0 = t0;
    const Vector<double> y = m.solve(k, y0);
    distributions::Generator g(key);
    std::vector<double> obs(times.size());
    for (std::size_t i = 0; i < times.size(); ++i)
      obs[i] = noise == DecayNoise::normal ? distributions::normal(g, y[i], sigma)
                                           : distributions::lognormal(g, std::log(y[i]), sigma);
    return obs;
  }
};

}  // namespace tapir::models
