// ODE models: exponential decay and the SIR epidemic (models/library/exponential_decay.hpp,
// models/library/sir.hpp), against the analytic solution, a fine fixed-step RK4 reference, closed
// forms of their densities, and finite differences through the Model handle.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "model_checks.hpp"
#include "models/library/exponential_decay.hpp"
#include "models/library/sir.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;

namespace {

const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
double log_normal_density(double x, double mu, double sd) {
  return -0.5 * std::pow((x - mu) / sd, 2) - std::log(sd) - half_log_2pi;
}
double log_lognormal_density(double x, double mu, double sd) { return log_normal_density(std::log(x), mu, sd) - std::log(x); }
double log_neg_binomial_2(int n, double mu, double phi) {
  return std::lgamma(n + phi) - std::lgamma(phi) - std::lgamma(n + 1.0) + n * std::log(mu / (mu + phi)) +
         phi * std::log(phi / (mu + phi));
}
double log_poisson(int n, double mu) { return n * std::log(mu) - mu - std::lgamma(n + 1.0); }

ode::Dopri5Options tolerance(double tol) {
  ode::Dopri5Options o;
  o.relative_tolerance = tol;
  o.absolute_tolerance = tol;
  return o;
}

std::vector<double> grid(double from, double step, std::size_t n) {
  std::vector<double> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = from + step * static_cast<double>(i);
  return t;
}

// The decay model's density by hand, with the analytic solution y0 exp(-k t) (x unconstrained).
double decay_by_hand(const ExponentialDecay& m, const std::vector<double>& x) {
  const double k = std::exp(x[0]), y0 = std::exp(x[1]), sigma = std::exp(x[2]);
  double lp = log_lognormal_density(k, 0, 1) + log_normal_density(y0, 1.0, 0.1) +
              (std::log(2.0) + log_normal_density(sigma, 0, 0.1)) + x[0] + x[1] + x[2];
  for (std::size_t i = 0; i < m.times.size(); ++i) {
    const double y = y0 * std::exp(-k * (m.times[i] - m.t0));
    lp += m.noise == DecayNoise::normal ? log_normal_density(m.observations[i], y, sigma)
                                        : log_lognormal_density(m.observations[i], std::log(y), sigma);
  }
  return lp;
}

// Classical fourth-order Runge-Kutta on the SIR equations with a fixed step.
std::vector<std::array<double, 3>> sir_rk4(double n, double i0, double beta, double gamma, const std::vector<double>& times,
                                           double h) {
  auto f = [&](const std::array<double, 3>& y) {
    const double inf = beta * y[0] * y[1] / n, rec = gamma * y[1];
    return std::array<double, 3>{-inf, inf - rec, rec};
  };
  std::array<double, 3> y = {n - i0, i0, 0.0};
  double t = 0.0;
  std::vector<std::array<double, 3>> out;
  for (double target : times) {
    while (t < target - 1e-12) {
      const double s = std::min(h, target - t);
      auto add = [](const std::array<double, 3>& a, const std::array<double, 3>& b, double c) {
        return std::array<double, 3>{a[0] + c * b[0], a[1] + c * b[1], a[2] + c * b[2]};
      };
      const auto k1 = f(y), k2 = f(add(y, k1, s / 2)), k3 = f(add(y, k2, s / 2)), k4 = f(add(y, k3, s));
      for (int j = 0; j < 3; ++j) y[j] += s / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
      t += s;
    }
    out.push_back(y);
  }
  return out;
}

}  // namespace

TEST_CASE("exponential decay: density against the analytic solution, both noise models") {
  const std::vector<double> times = {0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0};
  for (DecayNoise noise : {DecayNoise::normal, DecayNoise::lognormal}) {
    ExponentialDecay m;
    m.times = times;
    m.noise = noise;
    m.observations = ExponentialDecay::simulate(distributions::make_key(1), times, 0.6, 1.1, 0.1, noise);
    const Model model(m, "decay");
    CHECK(model.dimension() == 3);
    REQUIRE(model.outputs().size() == 1);
    CHECK(model.outputs()[0].name == "y_hat");
    for (double scale : {0.3, 0.8}) {
      const std::vector<double> x = {std::log(0.6) + 0.2 * scale, 0.1 * scale, std::log(0.1) - scale};
      // With the default tolerances (1e-8) the solution is within 1e-6 relative of y0 exp(-k t), so
      // the density is within sum_i |d lp / d y_i| 1e-6 y_i of the exact one.
      const double k = std::exp(x[0]), y0 = std::exp(x[1]), sigma = std::exp(x[2]);
      double bound = 0.0;
      for (std::size_t i = 0; i < times.size(); ++i) {
        const double y = y0 * std::exp(-k * times[i]);
        const double r = noise == DecayNoise::normal ? (m.observations[i] - y) : (std::log(m.observations[i]) - std::log(y)) * y;
        bound += std::abs(r) / (sigma * sigma) * 1e-6 * y;
      }
      CHECK(std::abs(model.log_density(x) - decay_by_hand(m, x)) < bound);
      // With tight tolerances, to 1e-9 relative.
      ExponentialDecay tight = m;
      tight.solver = tolerance(1e-12);
      CHECK(Model(tight, "tight").log_density(x) == doctest::Approx(decay_by_hand(m, x)).epsilon(1e-9));
      // The output is the solution, to the solver's tolerance.
      const auto c = model.constrain(x);
      for (std::size_t i = 0; i < times.size(); ++i)
        CHECK(c[3 + i] == doctest::Approx(c[1] * std::exp(-c[0] * times[i])).epsilon(1e-6));
      model_checks::check_round_trip(model, x);
    }
  }
}

TEST_CASE("exponential decay: gradients and HVPs through the handle vs finite differences and the exact density") {
  ExponentialDecay m;
  m.times = {0.5, 1.0, 2.0, 4.0};
  m.observations = ExponentialDecay::simulate(distributions::make_key(2), m.times, 0.6, 1.1, 0.1);
  m.solver = tolerance(1e-12);
  const Model model(m);
  const std::vector<double> x = {std::log(0.5), 0.05, std::log(0.15)};
  model_checks::check_handle_derivatives(model, x, 1e-6, 4, 1e-3);
  model_checks::check_definition_derivatives(m, x);
  // The solver's gradient against finite differences of the exact (analytic) density.
  std::vector<double> g(3);
  model.value_and_gradient(x, g);
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<double> xp = x, xm = x;
    xp[i] += 1e-6;
    xm[i] -= 1e-6;
    CHECK(g[i] == doctest::Approx((decay_by_hand(m, xp) - decay_by_hand(m, xm)) / 2e-6).epsilon(1e-6));
  }
}

TEST_CASE("exponential decay: simulation is reproducible and its residuals have the noise's moments") {
  const std::vector<double> times = grid(0.01, 0.01, 3000);
  const auto a = ExponentialDecay::simulate(distributions::make_key(5), times, 0.4, 2.0, 0.05);
  const auto b = ExponentialDecay::simulate(distributions::make_key(5), times, 0.4, 2.0, 0.05);
  CHECK(a == b);
  for (DecayNoise noise : {DecayNoise::normal, DecayNoise::lognormal}) {
    const auto y = ExponentialDecay::simulate(distributions::make_key(6), times, 0.4, 2.0, 0.05, noise);
    double s = 0, ss = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
      const double mean = 2.0 * std::exp(-0.4 * times[i]);
      const double r = noise == DecayNoise::normal ? (y[i] - mean) / 0.05 : (std::log(y[i]) - std::log(mean)) / 0.05;
      s += r;
      ss += r * r;
    }
    const double n = static_cast<double>(times.size());
    CHECK(std::abs(s / n) < 4 / std::sqrt(n));
    CHECK(std::abs(ss / n - 1) < 4 * std::sqrt(2 / n));
  }
  ExponentialDecay bad;
  bad.times = {1.0, 2.0};
  bad.observations = {1.0};
  CHECK_THROWS_WITH_AS(Model(bad, "bad"), doctest::Contains("1 observations for 2 times"), tapir::size_error);
}

TEST_CASE("SIR: the solution conserves S + I + R and matches a fine fixed-step RK4 reference") {
  SIR m;
  m.times = grid(1.0, 1.0, 14);
  m.cases.assign(14, 0);
  m.solver = tolerance(1e-10);
  const double beta = 1.7, gamma = 0.5;
  const Matrix<double> s = m.solve(beta, gamma);
  const auto ref = sir_rk4(763.0, 1.0, beta, gamma, m.times, 1e-3);
  double peak = 0.0;
  for (std::size_t i = 0; i < 14; ++i) {
    CHECK(s(i, 0) + s(i, 1) + s(i, 2) == doctest::Approx(763.0).epsilon(1e-13));
    for (int j = 0; j < 3; ++j) CHECK(std::abs(s(i, j) - ref[i][j]) <= 1e-7 * std::max(1.0, std::abs(ref[i][j])));
    peak = std::max(peak, s(i, 1));
  }
  CHECK(peak > 200.0);  // an outbreak: R0 = 3.4
  // With default tolerances, within 1e-6 of the reference relative to N.
  SIR d = m;
  d.solver = SIR::default_solver();
  const Matrix<double> sd = d.solve(beta, gamma);
  for (std::size_t i = 0; i < 14; ++i)
    for (int j = 0; j < 3; ++j) CHECK(std::abs(sd(i, j) - ref[i][j]) < 1e-6 * 763.0);
}

TEST_CASE("SIR: density against a closed form on the RK4 solution; derivatives; round trip") {
  for (CountNoise noise : {CountNoise::neg_binomial, CountNoise::poisson}) {
    SIR m;
    m.times = grid(1.0, 1.0, 14);
    m.noise = noise;
    m.cases = SIR::simulate(distributions::make_key(8), 763, 1, m.times, 1.7, 0.5, 10.0, noise);
    m.solver = tolerance(1e-10);
    const Model model(m, "sir");
    const std::size_t d = noise == CountNoise::neg_binomial ? 3 : 2;
    CHECK(model.dimension() == d);
    const auto names = model.constrained_names();
    CHECK(names[d] == "R0");
    CHECK(names[d + 1] == "recovery_time");
    CHECK(names[d + 2] == "infected.1");
    const std::vector<double> x = noise == CountNoise::neg_binomial
                                      ? std::vector<double>{std::log(1.6), std::log(0.55), std::log(0.08)}
                                      : std::vector<double>{std::log(1.75), std::log(0.45)};
    const double beta = std::exp(x[0]), gamma = std::exp(x[1]);
    const auto ref = sir_rk4(763.0, 1.0, beta, gamma, m.times, 1e-3);
    double lp = log_normal_density(beta, 2, 1) + log_normal_density(gamma, 0.4, 0.5) + x[0] + x[1];
    if (noise == CountNoise::neg_binomial) {
      const double phi_inv = std::exp(x[2]);
      lp += std::log(5.0) - 5 * phi_inv + x[2];
      for (std::size_t i = 0; i < 14; ++i) lp += log_neg_binomial_2(m.cases[i], ref[i][1], 1 / phi_inv);
    } else {
      for (std::size_t i = 0; i < 14; ++i) lp += log_poisson(m.cases[i], ref[i][1]);
    }
    CHECK(model.log_density(x) == doctest::Approx(lp).epsilon(1e-8));
    const auto c = model.constrain(x);
    CHECK(c[d] == doctest::Approx(beta / gamma));
    CHECK(c[d + 1] == doctest::Approx(1 / gamma));
    CHECK(c[d + 2 + 5] == doctest::Approx(ref[5][1]).epsilon(1e-8));
    model_checks::check_round_trip(model, x);
    SIR tight = m;
    tight.solver = tolerance(1e-12);
    model_checks::check_handle_derivatives(Model(tight), x, 1e-6, d + 1, 1e-3);
  }
}

TEST_CASE("SIR: simulated counts are reproducible and have the likelihood's mean and variance") {
  const std::vector<double> times = grid(2.0, 0.005, 1600);  // days 2 to 10
  SIR m;
  m.times = times;
  m.cases.assign(times.size(), 0);
  const Matrix<double> s = m.solve(1.7, 0.5);
  for (CountNoise noise : {CountNoise::neg_binomial, CountNoise::poisson}) {
    const auto a = SIR::simulate(distributions::make_key(3), 763, 1, times, 1.7, 0.5, 20.0, noise);
    CHECK(a == SIR::simulate(distributions::make_key(3), 763, 1, times, 1.7, 0.5, 20.0, noise));
    double z = 0, zz = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
      const double mu = s(i, 1), var = noise == CountNoise::neg_binomial ? mu + mu * mu / 20.0 : mu;
      const double r = (a[i] - mu) / std::sqrt(var);
      z += r;
      zz += r * r;
    }
    const double n = static_cast<double>(times.size());
    CHECK(std::abs(z / n) < 4 / std::sqrt(n));
    CHECK(std::abs(zz / n - 1) < 0.15);
  }
  SIR bad;
  bad.times = {1.0, 2.0, 3.0, 4.0};
  bad.cases = {1, 2, 3};
  CHECK_THROWS_WITH_AS(Model(bad, "bad"), doctest::Contains("SIR: 3 case counts for 4 times"), tapir::size_error);
  bad.cases = {1, 2, 3, 4};
  bad.initial_infected = 0.0;
  CHECK_THROWS_WITH_AS(Model(bad, "bad"), doctest::Contains("initial_infected is 0"), tapir::domain_error);
}

TEST_CASE("ready-made ODE posteriors: simulated data, the mode near the truth") {
  const ExponentialDecay d = ExponentialDecay::simulated(distributions::make_key(1));
  CHECK(d.times.size() == 20);
  CHECK(d.times.back() == 10.0);
  const Model md(d, "decay");
  // The truth (k = 0.5, y0 = 1, sigma = 0.05) has a far higher density than wrong decay rates.
  auto at_k = [&md](double k) { return md.log_density(std::vector<double>{std::log(k), 0.0, std::log(0.05)}); };
  CHECK(at_k(0.5) > at_k(0.3) + 20);
  CHECK(at_k(0.5) > at_k(0.8) + 5);
  const SIR s = SIR::simulated(distributions::make_key(2));
  CHECK(s.cases.size() == 14);
  CHECK(s.population == 763.0);
  const Model ms(s, "sir");
  CHECK(ms.dimension() == 3);
  const std::vector<double> at_truth = {std::log(1.7), std::log(0.5), std::log(0.1)};
  const std::vector<double> off = {std::log(1.2), std::log(0.5), std::log(0.1)};
  CHECK(ms.log_density(at_truth) > ms.log_density(off) + 5);
  CHECK(Model(SIR::simulated(distributions::make_key(2), CountNoise::poisson), "sir_poisson").dimension() == 2);
}
