// uniform_lpdf: SciPy reference values, normalization, propto, derivatives of every Var/data
// combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/uniform.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto uniform = [](auto p, const auto&... a) { return uniform_lpdf<decltype(p)::value>(a...); };
}

TEST_CASE("uniform_lpdf: SciPy reference values") {
  check_reference("uniform_lpdf", tv::uniform_lpdf, [](const double* x) { return uniform_lpdf(x[0], x[1], x[2]); }, 1e-14);
}

TEST_CASE("uniform_lpdf: integrates to 1") {
  CHECK(integrate([](double y) { return std::exp(uniform_lpdf(y, -0.5, 2.5)); }, -0.5, 2.5) ==
        doctest::Approx(1.0).epsilon(1e-13));
}

TEST_CASE("uniform_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 0.6, 0.8}), th = vars({0.1, 1.7});
  CHECK(uniform_lpdf(y, th[0], th[1]).value() == uniform_lpdf<true>(y, th[0], th[1]).value());
  CHECK(uniform_lpdf(y, 0.1, 1.7).value() - uniform_lpdf<true>(y, 0.1, 1.7).value() ==
        doctest::Approx(-3 * std::log(1.6)).epsilon(1e-14));
}

TEST_CASE("uniform_lpdf: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 0.6, 0.8, 0.45}, a{0.1, 0.2, -0.5, 0.05}, b{1.3, 0.8, 2.2, 0.6};
  check_all_combos("uniform_lpdf", uniform, std::array{y, a, b});
}

TEST_CASE("uniform_lpdf: support and argument errors") {
  CHECK(uniform_lpdf(-0.1, 0.0, 1.0) == -INFINITY);
  CHECK(uniform_lpdf(std::vector<double>{0.5, 1.5}, 0.0, 1.0) == -INFINITY);
  CHECK(uniform_lpdf(1.0, 0.0, 1.0) == 0.0);
  CHECK(uniform_lpdf(0.5, std::vector<double>{0.0, 0.6}, 1.0) == -INFINITY);
  try {
    uniform_lpdf(0.5, 2.0, 1.0);
    FAIL("no exception");
  } catch (const tapir::domain_error& e) {
    CHECK(std::string(e.what()) == "uniform_lpdf: upper bound b is 1, must be greater than lower bound a");
  }
  check_domain_error([] { uniform_lpdf(0.5, std::vector<double>{0.0, 1.0}, 1.0); }, "uniform_lpdf", "upper bound b[1]");
  check_domain_error([] { uniform_lpdf(0.5, -INFINITY, 1.0); }, "uniform_lpdf", "lower bound a");
  check_domain_error([] { uniform_lpdf(NAN, 0.0, 1.0); }, "uniform_lpdf", "random variable y");
  check_size_error([] { uniform_lpdf(std::vector<double>{0.1, 0.2}, std::vector<double>{0.0}, 1.0); }, "uniform_lpdf");
}
