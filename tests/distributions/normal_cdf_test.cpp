// normal_lcdf and normal_lccdf: SciPy reference values (tails included), complementarity,
// derivatives of every Var/data combination (also in the asymptotic tail), argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/normal.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto lcdf = [](auto, const auto&... a) { return normal_lcdf(a...); };
const auto lccdf = [](auto, const auto&... a) { return normal_lccdf(a...); };
}  // namespace

TEST_CASE("normal_lcdf, normal_lccdf: SciPy reference values") {
  check_reference("normal_lcdf", tv::normal_lcdf, [](const double* x) { return normal_lcdf(x[0], x[1], x[2]); }, 1e-14);
  check_reference("normal_lccdf", tv::normal_lccdf, [](const double* x) { return normal_lccdf(x[0], x[1], x[2]); }, 1e-14);
}

TEST_CASE("normal_lcdf, normal_lccdf: complementary, and the derivative of the lcdf is the density") {
  for (double y : {-30.0, -3.0, -0.5, 0.0, 0.7, 2.0, 6.0}) {
    const double a = normal_lcdf(y, 0.2, 1.3), b = normal_lccdf(y, 0.2, 1.3);
    CHECK(std::exp(a) + std::exp(b) == doctest::Approx(1.0).epsilon(1e-15));
    const ValueAndGradient g =
        value_and_gradient([](const auto& x) { return normal_lcdf(x[0], 0.2, 1.3); }, std::vector<double>{y});
    CHECK(g.gradient[0] == doctest::Approx(std::exp(normal_lpdf(y, 0.2, 1.3) - a)).epsilon(1e-12));
  }
}

TEST_CASE("normal_lcdf, normal_lccdf: derivatives in every Var/data combination") {
  const std::array<std::vector<double>, 3> vals{{{0.3, -1.2, 2.0, -4.1}, {0.1, 0.5, -0.7, 0.2}, {1.3, 0.8, 2.2, 0.6}}};
  check_basic_combos("normal_lcdf", lcdf, vals);
  check_basic_combos("normal_lccdf", lccdf, vals);
  // deep in the tails, where the inverse Mills ratio comes from the asymptotic series
  const std::array<std::vector<double>, 3> lower{{{-45.0, -60.0}, {0.5, 0.1}, {1.1, 1.2}}};
  const std::array<std::vector<double>, 3> upper{{{45.0, 60.0}, {0.5, 0.1}, {1.1, 1.2}}};
  // (a smaller difference step: the curvature grows like z^2 there)
  ComboOptions opt;
  opt.step = 1e-5;
  check_combo<7u, 0u, 0u>("normal_lcdf tail", lcdf, lower, opt);
  check_combo<7u, 7u, 0u>("normal_lcdf tail", lcdf, lower, opt);
  check_combo<7u, 7u, 0u>("normal_lccdf tail", lccdf, upper, opt);
}

TEST_CASE("normal_lcdf, normal_lccdf: argument errors") {
  check_domain_error([] { normal_lcdf(0.5, 0.0, 0.0); }, "normal_lcdf", "scale sigma");
  check_domain_error([] { normal_lccdf(NAN, 0.0, 1.0); }, "normal_lccdf", "random variable y");
  check_domain_error([] { normal_lccdf(0.0, std::vector<double>{0.0, INFINITY}, 1.0); }, "normal_lccdf", "location mu[1]");
  check_size_error([] { normal_lcdf(std::vector<double>{0.0, 1.0}, std::vector<double>{0.0}, 1.0); }, "normal_lcdf");
  CHECK(normal_lcdf(-INFINITY, 0.0, 1.0) == -INFINITY);
  CHECK(normal_lcdf(INFINITY, 0.0, 1.0) == 0.0);
  CHECK(normal_lccdf(INFINITY, 0.0, 1.0) == -INFINITY);
}
