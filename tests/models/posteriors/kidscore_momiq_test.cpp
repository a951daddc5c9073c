// kidiq-kidscore_momiq against Stan.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/posteriors/kidscore_momiq.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::KidscoreMomiq;

namespace {
const std::string folder = "kidiq-kidscore_momiq";
auto make = [](const Data& d) { return KidscoreMomiq::from_data(d); };
}  // namespace

TEST_CASE("kidscore_momiq: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 3);
  check_model(model, tapir_test::stan_reference::kidscore_momiq, folder);
}

TEST_CASE("kidscore_momiq: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "mom_iq"), {"\"mom_iq\"", "missing"});
  check_data_error(make, shortened(d, "kid_score"), {"\"kid_score\"", "433", "434"});
  check_data_error(make, with_element(d, "kid_score", 0, 201), {"\"kid_score\"", "element 1", "<= 200"});
  check_data_error(make, with_element(d, "mom_iq", 433, -1), {"\"mom_iq\"", "element 434", ">= 0"});
}
