// The README's model example, compiled and run. The code between the "README:" markers below must
// appear verbatim (up to leading whitespace) in README.md, so the README cannot drift from code
// that builds and gives the right numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "inference/diagnostics/summary.hpp"
#include "inference/mcmc/sampler.hpp"
#include "models/posteriors/eight_schools_noncentered.hpp"
#include "models/posteriors/posterior_test_support.hpp"

// README: model
#include "distributions/cauchy.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/model.hpp"
using namespace tapir::models;

struct EightSchools {
  Vector<double> y, sigma;                                   // data
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    using namespace tapir::distributions;
    const Vector<T> z = p.vector("theta_trans", y.size());   // unconstrained
    const T mu = p.real("mu");
    const T tau = p.lower("tau", 0.0);                       // exp transform + log-Jacobian
    const Vector<T> theta = z * tau + mu;
    p.output("theta", theta);                                // a transformed parameter, in the draws
    return normal_lpdf(mu, 0.0, 5.0) + cauchy_lpdf(tau, 0.0, 5.0) + normal_lpdf(z, 0.0, 1.0) +
           normal_lpdf(y, theta, sigma);                     // one tape node per vectorized call
  }
};

Model make_eight_schools(const Data& data) {                 // validates sizes and bounds
  const Size J = data.dimension("J");
  return Model(EightSchools{data.vector("y", J), data.vector("sigma", J, {.lower = 0.0})}, "eight_schools");
}
// README: end

namespace {

std::string strip_leading_whitespace(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(' ');
    out += (first == std::string::npos ? std::string() : line.substr(first)) + "\n";
  }
  while (out.size() >= 2 && out.substr(out.size() - 2) == "\n\n") out.pop_back();
  return out;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text between "// README: <name>" and the next "// README: end" in this file.
std::string region(const std::string& source, const std::string& name) {
  const std::string begin = "// README: " + name + "\n";
  const auto b = source.find(begin);
  REQUIRE(b != std::string::npos);
  const auto e = source.find("// README: end", b);
  REQUIRE(e != std::string::npos);
  return source.substr(b + begin.size(), e - b - begin.size());
}

const std::filesystem::path source_dir = std::filesystem::path(__FILE__).parent_path().parent_path();

Data eight_schools_data() { return tapir_test::posteriors::reference_data("eight_schools-eight_schools_noncentered"); }

}  // namespace

TEST_CASE("README: the model example appears verbatim in README.md") {
  const std::string self = read(__FILE__);
  const std::string readme = strip_leading_whitespace(read(source_dir / "README.md"));
  for (const char* name : {"model", "usage", "nuts"}) {
    const std::string code = strip_leading_whitespace(region(self, name));
    CHECK_MESSAGE(readme.find(code) != std::string::npos, "README.md lacks the '" << name << "' example:\n" << code);
  }
}

TEST_CASE("README: the model example is posteriordb's eight schools (non-centered)") {
  const Data data = eight_schools_data();
  // README: usage
  const Model model = make_eight_schools(data);
  std::vector<double> x(model.dimension(), 0.1), gradient(model.dimension());
  const double lp = model.value_and_gradient(x, gradient);  // what samplers call; also hvp
  const std::vector<double> draw = model.constrain(x);      // theta_trans.1..8, mu, tau, theta.1..8
  // README: end

  const Model reference(tapir::models::posteriors::EightSchoolsNoncentered::from_data(data), "reference");
  REQUIRE(model.dimension() == 10);
  std::vector<double> reference_gradient(10);
  CHECK(lp == doctest::Approx(reference.value_and_gradient(x, reference_gradient)).epsilon(1e-13));
  for (std::size_t i = 0; i < 10; ++i) CHECK(gradient[i] == doctest::Approx(reference_gradient[i]).epsilon(1e-13));
  CHECK(model.constrained_names() == reference.constrained_names());
  REQUIRE(draw.size() == 18);
  CHECK(draw[9] == doctest::Approx(std::exp(0.1)).epsilon(1e-15));
  CHECK(draw[10] == doctest::Approx(0.1 * std::exp(0.1) + 0.1).epsilon(1e-14));

  // The data checks of the example: sizes and bounds, with the key named.
  Data bad = Data::from_string(R"({"J": 2, "y": [1, 2], "sigma": [1, -1]})");
  CHECK_THROWS_WITH_AS(make_eight_schools(bad), doctest::Contains("sigma"), tapir::domain_error);
  Data short_y = Data::from_string(R"({"J": 3, "y": [1, 2], "sigma": [1, 1, 1]})");
  CHECK_THROWS_WITH_AS(make_eight_schools(short_y), doctest::Contains("\"y\" has 2 elements, expected 3"),
                       tapir::size_error);
}

TEST_CASE("README: the NUTS example samples eight schools") {
  const Model model = make_eight_schools(eight_schools_data());
  std::ostringstream table;
  std::streambuf* const cout_buffer = std::cout.rdbuf(table.rdbuf());
  // README: nuts
  using namespace tapir::inference;
  mcmc::NutsConfig config;       // CmdStan's defaults: 1000 warmup, 1000 draws, delta 0.8, diagonal metric
  const auto chains = mcmc::run_nuts(model, config, tapir::distributions::make_key(2026), /*chains=*/4);
  // chains[c].draws, .rows (lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__,
  // energy__), .step_size, .metric, .divergences (with their locations)
  std::vector<std::vector<std::vector<double>>> draws;
  for (const auto& chain : chains) draws.push_back(chain.draws);
  const auto summaries = diagnostics::summarize_columns(draws);  // mean, sd, quantiles, MCSEs, ESSs, R-hat
  diagnostics::write_summary_table(std::cout, model.constrained_names(), summaries);
  // README: end
  std::cout.rdbuf(cout_buffer);

  // posteriordb's reference for mu: mean 4.41, sd 3.31 (eight_schools_noncentered reference.json).
  REQUIRE(summaries.size() == 18);
  CHECK(std::abs(summaries[8].mean - 4.41) < 0.1 * 3.31 + 4 * summaries[8].mcse_mean);
  for (const auto& s : summaries) CHECK(s.rhat < 1.01);
  CHECK(table.str().find("theta.8") != std::string::npos);
}
