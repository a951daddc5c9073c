// State-space models: the AR(1) model of the buffered-VI tutorial with its posterior, and
// non-centered stochastic volatility (models/library/ar1.hpp, stochastic_volatility.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "model_checks.hpp"
#include "models/library/ar1.hpp"
#include "models/library/stochastic_volatility.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;

namespace {

const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
double log_normal_density(double x, double mu, double sd) {
  return -0.5 * std::pow((x - mu) / sd, 2) - std::log(sd) - half_log_2pi;
}

// The AR(1) posterior by hand at constrained values (no Jacobian).
double ar1_by_hand(const std::vector<double>& y, double ar, double so, double st, const std::vector<double>& x,
                   bool scales) {
  double lp = -std::log(2.0);
  if (scales) lp += 2 * std::log(2.0) + log_normal_density(so, 0, 1) + log_normal_density(st, 0, 1);
  lp += log_normal_density(x[0], 0, st / std::sqrt(1 - ar * ar));
  for (std::size_t t = 1; t < x.size(); ++t) lp += log_normal_density(x[t], ar * x[t - 1], st);
  for (std::size_t t = 0; t < x.size(); ++t) lp += log_normal_density(y[t], x[t], so);
  return lp;
}

// The spec's stoch_vol density, written out as in SPEC.md.
double stoch_vol_by_hand(const std::vector<double>& y, const std::vector<double>& x) {
  const double mu = x[0], a = x[1], l = x[2], phi = std::tanh(a), sigma = std::exp(l);
  double lp = log_normal_density(mu, 0, 10) + log_normal_density(a, 0, 1) + log_normal_density(l, 0, 1);
  double h = mu + sigma * x[3] / std::sqrt(1 - phi * phi);
  lp += log_normal_density(x[3], 0, 1) + log_normal_density(y[0], 0, std::exp(h / 2));
  for (std::size_t t = 1; t < y.size(); ++t) {
    h = mu + phi * (h - mu) + sigma * x[3 + t];
    lp += log_normal_density(x[3 + t], 0, 1) + log_normal_density(y[t], 0, std::exp(h / 2));
  }
  return lp;
}

}  // namespace

TEST_CASE("AR(1): simulate is reproducible and has the stationary moments") {
  const AR1Parameters p{.ar = 0.7, .observation_std = 0.6, .transition_std = 0.3};
  const auto a = simulate(distributions::make_key(0), p, 400);
  const auto b = simulate(distributions::make_key(0), p, 400);
  CHECK(a.latent == b.latent);
  CHECK(a.observations == b.observations);
  CHECK(simulate(distributions::make_key(1), p, 400).latent != a.latent);
  REQUIRE(a.latent.size() == 400);

  const std::size_t n = 200000;
  const auto s = simulate(distributions::make_key(2), p, n);
  double m = 0, v = 0, c1 = 0, noise = 0, noise2 = 0;
  for (std::size_t t = 0; t < n; ++t) m += s.latent[t] / n;
  for (std::size_t t = 0; t < n; ++t) {
    v += std::pow(s.latent[t] - m, 2) / n;
    if (t + 1 < n) c1 += (s.latent[t] - m) * (s.latent[t + 1] - m) / (n - 1);
    const double e = s.observations[t] - s.latent[t];
    noise += e / n;
    noise2 += e * e / n;
  }
  const double var = 0.09 / (1 - 0.49);  // transition_std^2 / (1 - ar^2)
  // CLT for an AR(1): Var(mean) ~ var (1 + ar) / ((1 - ar) n), Var(s^2) ~ 2 var^2 (1 + ar^2) / ((1 - ar^2) n).
  CHECK(std::abs(m) < 4 * std::sqrt(var * 1.7 / 0.3 / n));
  CHECK(std::abs(v - var) < 4 * var * std::sqrt(2 * 1.49 / 0.51 / n));
  CHECK(std::abs(c1 / v - 0.7) < 0.01);
  CHECK(std::abs(noise) < 4 * 0.6 / std::sqrt(static_cast<double>(n)));
  CHECK(std::abs(noise2 - 0.36) < 4 * 0.36 * std::sqrt(2.0 / n));
  CHECK_THROWS_WITH_AS(simulate(distributions::make_key(0), AR1Parameters{.ar = 1.0}, 5), doctest::Contains("ar is 1"),
                       tapir::domain_error);
}

TEST_CASE("AR(1) posterior: density by hand, derivatives, round trip, fixed scales") {
  const auto path = simulate(distributions::make_key(3), AR1Parameters{}, 30);
  for (bool scales : {true, false}) {
    const AR1Posterior post{.observations = path.observations, .infer_scales = scales};
    const Model m(post, "ar1");
    const std::size_t d = scales ? 33 : 31;
    CHECK(m.dimension() == d);
    CHECK(m.parameters()[0].name == "ar");
    CHECK(m.parameters().back().name == "x");
    std::vector<double> x = model_checks::test_point(d, 0.6);
    const auto c = m.constrain(x);
    const double ar = c[0], so = scales ? c[1] : 0.6, st = scales ? c[2] : 0.3;
    CHECK(ar == doctest::Approx(std::tanh(x[0] / 2)).epsilon(1e-14));  // -1 + 2 inv_logit(u)
    const std::vector<double> lat(c.end() - 30, c.end());
    CHECK(m.log_density(x, false) == doctest::Approx(ar1_by_hand(path.observations, ar, so, st, lat, scales)).epsilon(1e-13));
    model_checks::check_handle_derivatives(m, x, 1e-6, 4);
    model_checks::check_definition_derivatives(post, x);
    model_checks::check_round_trip(m, x);
  }
  CHECK_THROWS_WITH_AS(Model(AR1Posterior{}, "ar1"), doctest::Contains("no observations"), tapir::size_error);
}

TEST_CASE("stochastic volatility: the spec's density, outputs, derivatives") {
  const auto path = simulate(distributions::make_key(4), StochasticVolatilityParameters{}, 50);
  const StochasticVolatility sv{.y = path.observations};
  const Model m(sv, "stoch_vol");
  CHECK(m.dimension() == 53);
  const auto names = m.constrained_names();
  CHECK(names[0] == "mu");
  CHECK(names[3] == "z.1");
  CHECK(names[53] == "phi");
  CHECK(names[54] == "sigma");
  CHECK(names[55] == "h.1");
  const std::vector<double> x = model_checks::test_point(53, 0.5);
  CHECK(m.log_density(x) == doctest::Approx(stoch_vol_by_hand(path.observations, x)).epsilon(1e-13));
  CHECK(m.log_density(x, false) == m.log_density(x));  // reals only: no Jacobian
  const auto c = m.constrain(x);
  CHECK(c[53] == doctest::Approx(std::tanh(x[1])));
  CHECK(c[54] == doctest::Approx(std::exp(x[2])));
  CHECK(c[55] == doctest::Approx(x[0] + std::exp(x[2]) * x[3] / std::sqrt(1 - std::pow(std::tanh(x[1]), 2))));
  model_checks::check_handle_derivatives(m, x, 1e-6, 4);
  model_checks::check_definition_derivatives(sv, x);
  model_checks::check_round_trip(m, x);
}

TEST_CASE("stochastic volatility: simulate has the log-variance moments") {
  const StochasticVolatilityParameters p{.mu = -1.0, .phi = 0.9, .sigma = 0.3};
  const auto a = simulate(distributions::make_key(5), p, 100);
  CHECK(a.latent == simulate(distributions::make_key(5), p, 100).latent);
  const std::size_t n = 200000;
  const auto s = simulate(distributions::make_key(6), p, n);
  double m = 0, v = 0, z2 = 0;
  for (double h : s.latent) m += h / n;
  for (std::size_t t = 0; t < n; ++t) {
    v += std::pow(s.latent[t] - m, 2) / n;
    z2 += s.observations[t] * s.observations[t] * std::exp(-s.latent[t]) / n;  // y / exp(h/2) is standard normal
  }
  const double var = 0.09 / (1 - 0.81);
  CHECK(std::abs(m + 1.0) < 4 * std::sqrt(var * 1.9 / 0.1 / n));
  CHECK(std::abs(v - var) < 4 * var * std::sqrt(2 * 1.81 / 0.19 / n));
  CHECK(std::abs(z2 - 1.0) < 4 * std::sqrt(2.0 / n));
  CHECK_THROWS_WITH_AS(simulate(distributions::make_key(0), StochasticVolatilityParameters{.sigma = 0.0}, 5),
                       doctest::Contains("sigma is 0"), tapir::domain_error);
}
