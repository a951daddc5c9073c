// The registry: every reference-posteriors folder (and the centred eight schools) has its model,
// whose names spell the reference.json keys and whose values are Stan's.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "models/posteriors/registry.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
namespace post = tapir::models::posteriors;

TEST_CASE("registry: one model per reference-posteriors folder, plus the centred eight schools") {
  std::set<std::string> folders;
  for (const auto& entry : std::filesystem::directory_iterator(shared_folder() / "reference-posteriors"))
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "data.json"))
      folders.insert(entry.path().filename().string());
  REQUIRE(folders.size() >= 8);
  std::set<std::string> expected = folders;
  expected.insert("eight_schools-eight_schools_centered");
  const auto& names = post::reference_model_names();
  CHECK(std::set<std::string>(names.begin(), names.end()) == expected);
  CHECK(std::is_sorted(names.begin(), names.end()));

  for (const std::string& name : names) {
    INFO(name);
    const std::string data_folder = post::reference_data_folder(name);
    CHECK(data_folder == (name == "eight_schools-eight_schools_centered" ? "eight_schools-eight_schools_noncentered" : name));
    const Model model = post::make_reference_model(name, reference_data(data_folder));
    CHECK(model.name() == name);
    // Every reference.json key is a constrained name.
    check_reference_keys(model, data_folder);
    const Model loaded = post::load_reference_model((shared_folder() / "reference-posteriors").string(), name);
    CHECK(loaded.dimension() == model.dimension());
  }
}

TEST_CASE("registry: each model's log density and gradient are Stan's") {
  for (const tapir_test::stan_reference::Reference* ref : tapir_test::stan_reference::all) {
    const Model model = post::make_reference_model(ref->name, reference_data(post::reference_data_folder(ref->name)));
    check_against_stan(model, *ref);
  }
}

TEST_CASE("registry: unknown names list the known ones; bad data names the key") {
  try {
    (void)post::make_reference_model("eight_schools", tapir::models::Data());
    FAIL("no exception");
  } catch (const tapir::domain_error& e) {
    const std::string m = e.what();
    CHECK(m.find("\"eight_schools\"") != std::string::npos);
    for (const std::string& name : post::reference_model_names()) CHECK(m.find(name) != std::string::npos);
  }
  CHECK_THROWS_AS(post::reference_data_folder("garch"), tapir::domain_error);
  check_data_error([](const Data& d) { return post::make_reference_model("garch-garch11", d); },
                   without(reference_data("garch-garch11"), "sigma1"), {"\"sigma1\"", "missing"});
}
