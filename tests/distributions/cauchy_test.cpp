// cauchy_lpdf and half_cauchy_lpdf: SciPy reference values, normalization, propto, derivatives of
// every Var/data combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "distributions/cauchy.hpp"
#include "distributions/half_cauchy.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto cauchy = [](auto p, const auto&... a) { return cauchy_lpdf<decltype(p)::value>(a...); };
const auto half_cauchy = [](auto p, const auto&... a) { return half_cauchy_lpdf<decltype(p)::value>(a...); };
}  // namespace

TEST_CASE("cauchy, half_cauchy: SciPy reference values") {
  check_reference("cauchy_lpdf", tv::cauchy_lpdf, [](const double* x) { return cauchy_lpdf(x[0], x[1], x[2]); }, 1e-14);
  check_reference("half_cauchy_lpdf", tv::half_cauchy_lpdf, [](const double* x) { return half_cauchy_lpdf(x[0], x[1]); }, 1e-14);
}

TEST_CASE("cauchy, half_cauchy: integrate to 1") {
  for (double s : {0.4, 2.3}) {
    CHECK(integrate_real([&](double y) { return std::exp(cauchy_lpdf(y, 0.7, s)); }, 0.7, s) ==
          doctest::Approx(1.0).epsilon(1e-11));
    CHECK(integrate_to_inf([&](double y) { return std::exp(half_cauchy_lpdf(y, s)); }, 0.0, s) ==
          doctest::Approx(1.0).epsilon(1e-11));
  }
}

TEST_CASE("cauchy, half_cauchy: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({0.4, 1.7});
  const double log_pi = std::log(std::numbers::pi), log2 = std::log(2.0);
  CHECK(cauchy_lpdf(y, th[0], th[1]).value() - cauchy_lpdf<true>(y, th[0], th[1]).value() ==
        doctest::Approx(-3 * log_pi).epsilon(1e-15));
  CHECK(cauchy_lpdf(y, 0.4, 1.7).value() - cauchy_lpdf<true>(y, 0.4, 1.7).value() ==
        doctest::Approx(-3 * (log_pi + std::log(1.7))).epsilon(1e-15));
  CHECK(half_cauchy_lpdf(y, th[1]).value() - half_cauchy_lpdf<true>(y, th[1]).value() ==
        doctest::Approx(3 * (log2 - log_pi)).epsilon(1e-15));
}

TEST_CASE("cauchy, half_cauchy: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 1.2, 2.0, 0.6}, mu{0.1, 0.5, -0.7, 0.2}, sigma{1.3, 0.8, 2.2, 0.6};
  check_all_combos("cauchy_lpdf", cauchy, std::array{y, mu, sigma});
  check_all_combos("half_cauchy_lpdf", half_cauchy, std::array{y, sigma});
}

TEST_CASE("cauchy, half_cauchy: support and argument errors") {
  CHECK(half_cauchy_lpdf(-0.1, 1.0) == -INFINITY);
  CHECK(cauchy_lpdf(1e200, 0.0, 1.0) == doctest::Approx(-std::log(std::numbers::pi) - 400 * std::log(10.0)));
  check_domain_error([] { cauchy_lpdf(0.0, 0.0, -2.0); }, "cauchy_lpdf", "scale sigma");
  check_domain_error([] { cauchy_lpdf(0.0, NAN, 2.0); }, "cauchy_lpdf", "location mu");
  check_domain_error([] { half_cauchy_lpdf(NAN, 2.0); }, "half_cauchy_lpdf", "random variable y");
  check_domain_error([] { half_cauchy_lpdf(1.0, std::vector<double>{1.0, 0.0}); }, "half_cauchy_lpdf", "scale sigma[1]");
  check_size_error([] { cauchy_lpdf(std::vector<double>{1.0, 2.0}, std::vector<double>{0.0}, 1.0); }, "cauchy_lpdf");
}
