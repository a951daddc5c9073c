// sblrc-blr against Stan.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/posteriors/blr.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::Blr;

namespace {
const std::string folder = "sblrc-blr";
auto make = [](const Data& d) { return Blr::from_data(d); };
}  // namespace

TEST_CASE("blr: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 6);
  check_model(model, tapir_test::stan_reference::blr, folder);
}

TEST_CASE("blr: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "X"), {"\"X\"", "missing"});
  check_data_error(make, with(d, "D", 4), {"\"X\"", "5", "4"});
  check_data_error(make, shortened(d, "X"), {"\"X\"", "99", "100"});
  check_data_error(make, shortened(d, "y"), {"\"y\"", "99", "100"});
}
