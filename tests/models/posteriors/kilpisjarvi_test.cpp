// kilpisjarvi_mod-kilpisjarvi against Stan.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/posteriors/kilpisjarvi.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::Kilpisjarvi;

namespace {
const std::string folder = "kilpisjarvi_mod-kilpisjarvi";
auto make = [](const Data& d) { return Kilpisjarvi::from_data(d); };
}  // namespace

TEST_CASE("kilpisjarvi: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 3);
  check_model(model, tapir_test::stan_reference::kilpisjarvi, folder);
}

TEST_CASE("kilpisjarvi: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "xpred"), {"\"xpred\"", "missing"});
  check_data_error(make, with(d, "psalpha", 0), {"\"psalpha\"", "> 0"});
  check_data_error(make, with(d, "psbeta", -1.5), {"\"psbeta\"", "> 0"});
  check_data_error(make, with(d, "pmubeta", "zero"), {"\"pmubeta\""});
  check_data_error(make, shortened(d, "x"), {"\"x\"", "61", "62"});
}
