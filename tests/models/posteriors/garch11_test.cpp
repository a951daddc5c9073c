// garch-garch11 against Stan; the one-node likelihood's rules against the recursion written with
// scalar operations.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autodiff/functional.hpp"
#include "distributions/normal.hpp"
#include "models/posteriors/garch11.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::Garch11;

namespace {
const std::string folder = "garch-garch11";
auto make = [](const Data& d) { return Garch11::from_data(d); };

// The Stan program's model block with scalar operations (several tape statements per step).
struct Garch11ByStatements {
  std::vector<double> y;
  double sigma1;
  template <class S>
  S log_density(tapir::models::ParameterReader<S>& p) const {
    using std::sqrt;
    using tapir::autodiff::sqrt;
    const S mu = p.real("mu");
    const S alpha0 = p.lower("alpha0", 0.0);
    const S alpha1 = p.interval("alpha1", 0.0, 1.0);
    const S beta1 = p.interval("beta1", 0.0, 1.0 - alpha1);
    S sigma = sigma1, lp = tapir::distributions::normal_lpdf(y[0], mu, sigma);
    for (std::size_t t = 1; t < y.size(); ++t) {
      sigma = sqrt(alpha0 + alpha1 * (y[t - 1] - mu) * (y[t - 1] - mu) + beta1 * sigma * sigma);
      lp += tapir::distributions::normal_lpdf(y[t], mu, sigma);
    }
    return lp;
  }
};
}  // namespace

TEST_CASE("garch11: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 4);
  check_model(model, tapir_test::stan_reference::garch11, folder);
}

TEST_CASE("garch11: beta1 < 1 - alpha1, and the one-node likelihood equals the scalar recursion") {
  const Garch11 g = make(reference_data(folder));
  const Model model(g), statements(Garch11ByStatements{g.y, g.sigma1});
  for (int k = 0; k < 6; ++k) {
    const std::vector<double> x = {5.0 + 0.3 * std::sin(k), 0.2 * k - 0.5, 1.5 * std::cos(2.0 * k), 0.7 * k - 2.0};
    INFO("x = " << x[0] << ", " << x[1] << ", " << x[2] << ", " << x[3]);
    const auto c = model.constrain(x);
    CHECK(c[2] > 0.0);
    CHECK(c[3] > 0.0);
    CHECK(c[3] < 1.0 - c[2]);
    CHECK(model.log_density(x) == doctest::Approx(statements.log_density(x)).epsilon(1e-12));
    std::vector<double> g1(4), g2(4), v = {0.3, -1.1, 0.6, 0.9}, h1(4), h2(4);
    model.hvp(x, v, g1, h1);
    statements.hvp(x, v, g2, h2);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(g1[i] == doctest::Approx(g2[i]).epsilon(1e-11));
      CHECK(h1[i] == doctest::Approx(h2[i]).epsilon(1e-10));
    }
  }
}

TEST_CASE("garch11: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "sigma1"), {"\"sigma1\"", "missing"});
  check_data_error(make, with(d, "sigma1", -0.5), {"\"sigma1\"", ">= 0"});
  check_data_error(make, with(d, "sigma1", 0.0), {"\"sigma1\"", "> 0"});
  check_data_error(make, with(d, "T", 0), {"\"T\"", ">= 1"});
  check_data_error(make, shortened(d, "y"), {"\"y\"", "199", "200"});
}
