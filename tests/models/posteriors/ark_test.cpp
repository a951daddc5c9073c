// arK-arK against Stan, and the vectorized likelihood against the Stan program's loop.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "models/posteriors/ark.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::ArK;

namespace {
const std::string folder = "arK-arK";
auto make = [](const Data& d) { return ArK::from_data(d); };

double lnorm(double y, double m, double s) {
  return -0.5 * std::pow((y - m) / s, 2) - std::log(s) - 0.5 * std::log(2 * std::numbers::pi);
}

// The Stan program's loops, element by element, on the unconstrained point x.
double ark_by_hand(int K, const std::vector<double>& y, const std::vector<double>& x) {
  const double alpha = x[0], sigma = std::exp(x[static_cast<std::size_t>(K) + 1]);
  double lp = lnorm(alpha, 0, 10) - std::log(std::numbers::pi * 2.5 * (1 + std::pow(sigma / 2.5, 2)));
  for (int k = 0; k < K; ++k) lp += lnorm(x[static_cast<std::size_t>(k) + 1], 0, 10);
  for (int t = K + 1; t <= static_cast<int>(y.size()); ++t) {
    double mu = alpha;
    for (int k = 1; k <= K; ++k) mu += x[static_cast<std::size_t>(k)] * y[static_cast<std::size_t>(t - k - 1)];
    lp += lnorm(y[static_cast<std::size_t>(t - 1)], mu, sigma);
  }
  return lp + x[static_cast<std::size_t>(K) + 1];
}
}  // namespace

TEST_CASE("arK: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 7);
  check_model(model, tapir_test::stan_reference::ark, folder);
}

TEST_CASE("arK: the lag matrix reproduces the program's loop, for K = 0, 2 and T <= K") {
  const std::vector<double> y = {0.3, -1.2, 0.8, 2.1, -0.4, 0.9};
  for (int K : {0, 2, 6, 7}) {
    INFO("K = " << K);
    json::Array ya(y.begin(), y.end());
    const Data d(json::Value(json::Object{{"K", K}, {"T", 6}, {"y", json::Value(ya)}}));
    const Model model(make(d));
    REQUIRE(model.dimension() == static_cast<std::size_t>(K) + 2);
    std::vector<double> x(model.dimension());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.4 * std::sin(1.0 + 2.0 * static_cast<double>(i));
    CHECK(model.log_density(x) == doctest::Approx(ark_by_hand(K, y, x)).epsilon(1e-13));
    check_derivatives(model, x);
  }
}

TEST_CASE("arK: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "K"), {"\"K\"", "missing"});
  check_data_error(make, with(d, "K", -1), {"\"K\""});
  check_data_error(make, with(d, "T", 2.5), {"\"T\""});
  check_data_error(make, shortened(d, "y"), {"\"y\"", "199", "200"});
  check_data_error(make, with_element(d, "y", 9, "x"), {"\"y\"", "element 10"});
}
