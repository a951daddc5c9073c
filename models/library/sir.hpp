#pragma once
// The SIR epidemic model with counts observed through a negative binomial or Poisson likelihood,
// the ODE solved numerically (models/ode/dopri5.hpp). The setting of the Stan case study on the
// 1978 English boarding-school influenza outbreak (Grinsztajn, Semenova, Margossian & Riou 2021,
// "Bayesian workflow for disease transmission modeling in Stan"), here on simulated data:
//
//   S' = -beta S I / N,   I' = beta S I / N - gamma I,   R' = gamma I
//   S(t0) = N - I0,  I(t0) = I0,  R(t0) = 0                       (counts; S + I + R = N)
//   beta ~ normal(2, 1),  gamma ~ normal(0.4, 0.5)   (both > 0: truncated normals)
//   neg_binomial:  phi_inv ~ exponential(5),  cases_i ~ neg_binomial_2(I(t_i), 1 / phi_inv)
//   poisson:       cases_i ~ poisson(I(t_i))
//
// Parameters, in order: beta (> 0), gamma (> 0), and phi_inv (> 0) for the negative binomial.
// Outputs: R0 = beta / gamma, recovery_time = 1 / gamma, infected = I(t_i).
// The solver's tolerances default to 1e-8 relative and 1e-6 absolute (counts).
//
// simulate(key, ..., beta, gamma, phi) solves at the given parameters and draws the counts
// (negative binomial with precision phi, or Poisson for noise poisson); SIR::simulated(key) is a
// ready-made posterior on such data.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/errors.hpp"
#include "distributions/exponential.hpp"
#include "distributions/neg_binomial_2.hpp"
#include "distributions/normal.hpp"
#include "distributions/poisson.hpp"
#include "distributions/random.hpp"
#include "models/ode/dopri5.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

enum class CountNoise { neg_binomial, poisson };

struct SIR {
  double population = 763.0;        // N
  double initial_infected = 1.0;    // I0
  double t0 = 0.0;
  std::vector<double> times;        // observation times, nondecreasing, > t0
  std::vector<int> cases;           // infected counts observed at the times
  CountNoise noise = CountNoise::neg_binomial;
  ode::Dopri5Options solver = default_solver();

  static ode::Dopri5Options default_solver() {
    ode::Dopri5Options o;
    o.relative_tolerance = 1e-8;
    o.absolute_tolerance = 1e-6;
    return o;
  }

  void check() const {
    if (!(population > 0.0)) throw_domain_error("SIR", "population", population, "positive");
    if (!(initial_infected > 0.0 && initial_infected <= population))
      throw_domain_error("SIR", "initial_infected", initial_infected, "in (0, population]");
    if (cases.size() != times.size())
      throw size_error("SIR: " + std::to_string(cases.size()) + " case counts for " + std::to_string(times.size()) +
                       " times");
  }

  // The state (S, I, R) at every observation time: a times.size() x 3 matrix.
  template <class T>
  Matrix<T> solve(const T& beta, const T& gamma) const {
    const double n = population;
    auto rhs = [&](double, const Vector<T>& y) {
      const T infection = beta * y[0] * y[1] / n;
      const T recovery = gamma * y[1];
      return Vector<T>{-infection, infection - recovery, recovery};
    };
    const Vector<T> y0{T(population - initial_infected), T(initial_infected), T(0.0)};
    return ode::dopri5<T>(rhs, y0, t0, times, solver).states;
  }

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    check();
    const T beta = p.positive("beta");
    const T gamma = p.positive("gamma");
    T lp = distributions::normal_lpdf(beta, 2.0, 1.0) + distributions::normal_lpdf(gamma, 0.4, 0.5);
    T phi_inv = 0.0;
    if (noise == CountNoise::neg_binomial) {
      phi_inv = p.positive("phi_inv");
      lp += distributions::exponential_lpdf(phi_inv, 5.0);
    }
    if (p.mode() == ReaderMode::write || p.mode() == ReaderMode::discover) {
      p.output("R0", T(beta / gamma));
      p.output("recovery_time", T(1.0 / gamma));
    }
    if (times.empty()) return lp;
    const Matrix<T> states = solve(beta, gamma);
    Vector<T> infected(times.size());
    for (std::size_t i = 0; i < times.size(); ++i) infected[i] = states(i, 1);
    p.output("infected", infected);
    if (noise == CountNoise::neg_binomial) return lp + distributions::neg_binomial_2_lpmf(cases, infected, 1.0 / phi_inv);
    return lp + distributions::poisson_lpmf(cases, infected);
  }

  // A ready-made posterior: the boarding-school setting (N = 763, I0 = 1, daily counts on days 1..14)
  // with counts simulated at beta = 1.7, gamma = 0.5 and phi = 10 (Poisson: no phi).
  static SIR simulated(distributions::Key key, CountNoise noise = CountNoise::neg_binomial) {
    SIR m;
    m.noise = noise;
    for (int day = 1; day <= 14; ++day) m.times.push_back(day);
    m.cases = simulate(key, m.population, m.initial_infected, m.times, 1.7, 0.5, 10.0, noise);
    return m;
  }

  // Counts at `times` from the solution at (beta, gamma): negative binomial with precision phi for
  // noise neg_binomial, Poisson otherwise.
  static std::vector<int> simulate(distributions::Key key, double population, double initial_infected,
                                   const std::vector<double>& times, double beta, double gamma, double phi,
                                   CountNoise noise = CountNoise::neg_binomial, double t0 = 0.0) {
    SIR m;
    m.population = population;
    m.initial_infected = initial_infected;
    m.times = times;
    m.t0 = t0;
    m.cases.assign(times.size(), 0);
    m.check();
    const Matrix<double> states = m.solve(beta, gamma);
    distributions::Generator g(key);
    std::vector<int> counts(times.size());
    for (std::size_t i = 0; i < times.size(); ++i) {
      const double mu = std::max(states(i, 1), 0.0);
      counts[i] = static_cast<int>(noise == CountNoise::neg_binomial ? distributions::neg_binomial_2(g, mu, phi)
                                                                     : distributions::poisson(g, mu));
    }
    return counts;
  }
};

}  // namespace tapir::models
