// gp_pois_regr-gp_regr against Stan; the covariance against gp_exp_quad_cov's formula.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "models/posteriors/gp_regr.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::GpRegr;

namespace {
const std::string folder = "gp_pois_regr-gp_regr";
auto make = [](const Data& d) { return GpRegr::from_data(d); };
}  // namespace

TEST_CASE("gp_regr: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 3);
  check_model(model, tapir_test::stan_reference::gp_regr, folder);
}

TEST_CASE("gp_regr: the covariance is alpha^2 exp(-(x_i - x_j)^2 / (2 rho^2)) + sigma I") {
  const GpRegr m = make(reference_data(folder));
  REQUIRE(m.N == 11);
  const double rho = 6.5, alpha = 2.25, sigma = 0.7;
  const auto cov = m.covariance(rho, alpha, sigma);
  for (std::size_t i = 0; i < m.N; ++i)
    for (std::size_t j = 0; j < m.N; ++j) {
      const double d = m.x[i] - m.x[j];
      const double want = alpha * alpha * std::exp(-d * d / (2 * rho * rho)) + (i == j ? sigma : 0.0);
      CHECK(cov(i, j) == doctest::Approx(want).epsilon(1e-15));
    }
}

TEST_CASE("gp_regr: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "x"), {"\"x\"", "missing"});
  check_data_error(make, with(d, "N", 0), {"\"N\"", ">= 1"});
  check_data_error(make, shortened(d, "y"), {"\"y\"", "10", "11"});
  check_data_error(make, with_element(d, "x", 4, nullptr), {"\"x\"", "element 5"});
}
