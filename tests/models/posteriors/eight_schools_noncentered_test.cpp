// eight_schools-eight_schools_noncentered against Stan (stan_reference_values.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "models/posteriors/eight_schools_noncentered.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::EightSchoolsNoncentered;

namespace {
const std::string folder = "eight_schools-eight_schools_noncentered";
auto make = [](const Data& d) { return EightSchoolsNoncentered::from_data(d); };
}  // namespace

TEST_CASE("eight_schools_noncentered: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 10);
  REQUIRE(model.outputs().size() == 1);
  CHECK(model.outputs()[0].name == "theta");
  check_model(model, tapir_test::stan_reference::eight_schools_noncentered, folder);
  // theta = theta_trans * tau + mu, written after the parameters.
  const auto& x = tapir_test::stan_reference::eight_schools_noncentered.points[1].unconstrained;
  const auto c = model.constrain(x);
  for (std::size_t j = 0; j < 8; ++j) CHECK(c[10 + j] == doctest::Approx(x[j] * std::exp(x[9]) + x[8]).epsilon(1e-14));
}

TEST_CASE("eight_schools_noncentered: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "J"), {"\"J\"", "missing"});
  check_data_error(make, with(d, "J", -1), {"\"J\""});
  check_data_error(make, shortened(d, "y"), {"\"y\"", "7", "8"});
  check_data_error(make, with_element(d, "y", 2, "abc"), {"\"y\"", "element 3"});
  check_data_error(make, with_element(d, "sigma", 1, -1.0), {"\"sigma\"", "element 2", ">= 0"});
  check_data_error(make, with_element(d, "sigma", 1, 0), {"\"sigma\"", "element 2", "> 0"});
}
