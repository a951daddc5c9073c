// Logistic regression and hierarchical logistic regression (models/library/).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "model_checks.hpp"
#include "models/library/hierarchical_logistic_regression.hpp"
#include "models/library/logistic_regression.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;

namespace {

const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
double log_normal_density(double x, double mu, double sd) {
  return -0.5 * std::pow((x - mu) / sd, 2) - std::log(sd) - half_log_2pi;
}
// log P(y | eta) for a Bernoulli with log odds eta, written as y eta - log(1 + e^eta).
double log_bernoulli_logit(int y, double eta) { return y * eta - std::log1p(std::exp(eta)); }

}  // namespace

TEST_CASE("logistic regression: density against the closed form, derivatives, round trip") {
  const auto data = simulate_logistic_regression(distributions::make_key(7), 60, 0.4, {1.0, -0.5, 2.0});
  const LogisticRegression lr(data);
  const Model m(lr, "logistic_regression");
  CHECK(m.dimension() == 4);
  CHECK(m.constrained_names()[1] == "beta.1");
  const std::vector<double> x = {0.3, -0.7, 1.1, 0.2};
  double by_hand = log_normal_density(x[0], 0, 2.5);
  for (int j = 1; j <= 3; ++j) by_hand += log_normal_density(x[j], 0, 2.5);
  for (std::size_t i = 0; i < 60; ++i) {
    double eta = x[0];
    for (std::size_t j = 0; j < 3; ++j) eta += data.X(i, j) * x[j + 1];
    by_hand += log_bernoulli_logit(data.y[i], eta);
  }
  CHECK(m.log_density(x) == doctest::Approx(by_hand).epsilon(1e-13));
  model_checks::check_handle_derivatives(m, x, 1e-6, 4);
  model_checks::check_definition_derivatives(lr, x);
  model_checks::check_round_trip(m, x);
  // No covariates: the intercept only.
  const LogisticRegression intercept_only(Matrix<double>(3, 0), {1, 0, 1});
  const Model m0(intercept_only);
  CHECK(m0.dimension() == 1);
  CHECK(m0.log_density(std::vector<double>{0.5}) ==
        doctest::Approx(log_normal_density(0.5, 0, 2.5) + 2 * log_bernoulli_logit(1, 0.5) + log_bernoulli_logit(0, 0.5)));
}

TEST_CASE("logistic regression: simulation is reproducible and has the right frequencies") {
  const std::vector<double> beta = {0.8, -1.2};
  const auto a = simulate_logistic_regression(distributions::make_key(3), 4000, -0.3, beta);
  const auto b = simulate_logistic_regression(distributions::make_key(3), 4000, -0.3, beta);
  const auto c = simulate_logistic_regression(distributions::make_key(4), 4000, -0.3, beta);
  CHECK(a.y == b.y);
  CHECK(a.X(17, 1) == b.X(17, 1));
  CHECK(a.y != c.y);
  // sum y - sum p within CLT bounds; the covariates standard normal.
  double sy = 0, sp = 0, var = 0, sx = 0, sxx = 0;
  for (std::size_t i = 0; i < 4000; ++i) {
    const double eta = -0.3 + a.X(i, 0) * beta[0] + a.X(i, 1) * beta[1];
    const double p = 1 / (1 + std::exp(-eta));
    sy += a.y[i];
    sp += p;
    var += p * (1 - p);
    sx += a.X(i, 0);
    sxx += a.X(i, 0) * a.X(i, 0);
  }
  CHECK(std::abs(sy - sp) < 4 * std::sqrt(var));
  CHECK(std::abs(sx / 4000) < 4 / std::sqrt(4000.0));
  CHECK(std::abs(sxx / 4000 - 1) < 4 * std::sqrt(2 / 4000.0));
}

TEST_CASE("logistic regression: bad data are reported") {
  CHECK_THROWS_WITH_AS(LogisticRegression(Matrix<double>(4, 2), {0, 1, 1}),
                       doctest::Contains("y has 3 outcomes, X has 4 rows"), tapir::size_error);
  CHECK_THROWS_WITH_AS(LogisticRegression(Matrix<double>(2, 2), {0, 2}), doctest::Contains("y[2] is 2, must be 0 or 1"),
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(HierarchicalLogisticRegression(Matrix<double>(2, 1), {0, 1}, {0, 3}, 2),
                       doctest::Contains("group[2] is 3, must be < num_groups = 2"), tapir::domain_error);
  CHECK_THROWS_WITH_AS(HierarchicalLogisticRegression(Matrix<double>(2, 1), {0, 1}, {0}, 2),
                       doctest::Contains("group has 1 entries, y has 2"), tapir::size_error);
}

TEST_CASE("hierarchical logistic regression: density, outputs, derivatives, round trip") {
  const auto data = simulate_hierarchical_logistic_regression(distributions::make_key(11), 5, 8, 0.5, 0.8, {1.0, -1.0});
  REQUIRE(data.y.size() == 40);
  CHECK(data.group[39] == 4);
  const HierarchicalLogisticRegression h(data);
  const Model m(h, "hier_logistic");
  CHECK(m.dimension() == 1 + 1 + 5 + 2);
  REQUIRE(m.outputs().size() == 1);
  CHECK(m.outputs()[0].name == "alpha");
  const std::vector<double> x = model_checks::test_point(9, 0.8);
  const double mu = x[0], tau = std::exp(x[1]);
  double by_hand = log_normal_density(mu, 0, 2.5) + (std::log(2.0) + log_normal_density(tau, 0, 1.0)) + x[1];
  std::vector<double> alpha(5);
  for (int j = 0; j < 5; ++j) {
    by_hand += log_normal_density(x[2 + j], 0, 1);
    alpha[j] = mu + tau * x[2 + j];
  }
  by_hand += log_normal_density(x[7], 0, 2.5) + log_normal_density(x[8], 0, 2.5);
  for (std::size_t i = 0; i < 40; ++i) {
    const double eta = alpha[data.group[i]] + data.X(i, 0) * x[7] + data.X(i, 1) * x[8];
    by_hand += log_bernoulli_logit(data.y[i], eta);
  }
  CHECK(m.log_density(x) == doctest::Approx(by_hand).epsilon(1e-13));
  const auto c = m.constrain(x);
  REQUIRE(c.size() == 9 + 5);
  CHECK(c[1] == doctest::Approx(tau).epsilon(1e-15));
  for (int j = 0; j < 5; ++j) CHECK(c[9 + j] == doctest::Approx(alpha[j]).epsilon(1e-14));
  model_checks::check_handle_derivatives(m, x, 1e-6, 4);
  model_checks::check_definition_derivatives(h, x);
  model_checks::check_round_trip(m, x);
}

TEST_CASE("hierarchical logistic regression: simulated intercepts have mean mu and sd tau") {
  const auto d = simulate_hierarchical_logistic_regression(distributions::make_key(5), 3000, 1, -0.4, 1.5, {0.5});
  double s = 0, ss = 0;
  for (double a : d.alpha) {
    s += a;
    ss += a * a;
  }
  const double mean = s / 3000, var = ss / 3000 - mean * mean;
  CHECK(std::abs(mean + 0.4) < 4 * 1.5 / std::sqrt(3000.0));
  CHECK(std::abs(var - 2.25) < 4 * 2.25 * std::sqrt(2 / 3000.0));
  const auto again = simulate_hierarchical_logistic_regression(distributions::make_key(5), 3000, 1, -0.4, 1.5, {0.5});
  CHECK(again.alpha == d.alpha);
  CHECK(again.y == d.y);
}
