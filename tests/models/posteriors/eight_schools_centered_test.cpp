// eight_schools_centered (on the eight_schools_noncentered data) against Stan.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/posteriors/eight_schools_centered.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::EightSchoolsCentered;

namespace {
const std::string folder = "eight_schools-eight_schools_noncentered";  // the data and reference keys
auto make = [](const Data& d) { return EightSchoolsCentered::from_data(d); };
}  // namespace

TEST_CASE("eight_schools_centered: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), "eight_schools-eight_schools_centered");
  CHECK(model.dimension() == 10);
  CHECK(model.outputs().empty());
  CHECK(model.parameters()[0].name == "theta");
  check_model(model, tapir_test::stan_reference::eight_schools_centered, folder);
}

TEST_CASE("eight_schools_centered: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "y"), {"\"y\"", "missing"});
  check_data_error(make, shortened(d, "sigma"), {"\"sigma\"", "7", "8"});
  check_data_error(make, with_element(d, "sigma", 7, 0.0), {"\"sigma\"", "element 8", "> 0"});
}
