// logistic_lpdf and logistic_lcdf: SciPy reference values, normalization, the lcdf's derivative,
// propto, derivatives of every Var/data combination, argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/logistic.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto logistic = [](auto p, const auto&... a) { return logistic_lpdf<decltype(p)::value>(a...); };
const auto lcdf = [](auto, const auto&... a) { return logistic_lcdf(a...); };
}  // namespace

TEST_CASE("logistic_lpdf, logistic_lcdf: SciPy reference values") {
  check_reference("logistic_lpdf", tv::logistic_lpdf, [](const double* x) { return logistic_lpdf(x[0], x[1], x[2]); }, 1e-14);
  // 2e-14: far in the upper tail the result is -exp(-z), whose relative error is the absolute
  // error of z = (y - mu) / sigma; the rounding of y - mu alone reaches 1.1e-14 in one case.
  check_reference("logistic_lcdf", tv::logistic_lcdf, [](const double* x) { return logistic_lcdf(x[0], x[1], x[2]); }, 2e-14);
}

TEST_CASE("logistic_lpdf: integrates to 1; the lcdf's derivative is the density over the cdf") {
  for (double s : {0.4, 2.3}) {
    CHECK(integrate_real([&](double y) { return std::exp(logistic_lpdf(y, 0.7, s)); }, 0.7, s) ==
          doctest::Approx(1.0).epsilon(1e-12));
  }
  for (double y : {-40.0, -2.0, 0.0, 0.9, 30.0}) {
    const ValueAndGradient g =
        value_and_gradient([](const auto& x) { return logistic_lcdf(x[0], 0.2, 1.3); }, std::vector<double>{y});
    CHECK(g.gradient[0] ==
          doctest::Approx(std::exp(logistic_lpdf(y, 0.2, 1.3) - logistic_lcdf(y, 0.2, 1.3))).epsilon(1e-13));
  }
}

TEST_CASE("logistic_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({0.4, 1.7});
  CHECK(logistic_lpdf(y, th[0], th[1]).value() == logistic_lpdf<true>(y, th[0], th[1]).value());
  CHECK(logistic_lpdf(y, 0.4, 1.7).value() - logistic_lpdf<true>(y, 0.4, 1.7).value() ==
        doctest::Approx(-3 * std::log(1.7)).epsilon(1e-15));
}

TEST_CASE("logistic_lpdf, logistic_lcdf: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 1.2, 2.0, -0.6}, mu{0.1, 0.5, -0.7, 0.2}, sigma{1.3, 0.8, 2.2, 0.6};
  check_all_combos("logistic_lpdf", logistic, std::array{y, mu, sigma});
  check_basic_combos("logistic_lcdf", lcdf, std::array{y, mu, sigma});
}

TEST_CASE("logistic_lpdf, logistic_lcdf: argument errors") {
  check_domain_error([] { logistic_lpdf(0.0, 0.0, -1.0); }, "logistic_lpdf", "scale sigma");
  check_domain_error([] { logistic_lcdf(0.0, NAN, 1.0); }, "logistic_lcdf", "location mu");
  check_domain_error([] { logistic_lcdf(NAN, 0.0, 1.0); }, "logistic_lcdf", "random variable y");
  check_size_error([] { logistic_lpdf(std::vector<double>{0.0, 1.0}, 0.0, std::vector<double>{1.0}); }, "logistic_lpdf");
  CHECK(logistic_lcdf(INFINITY, 0.0, 1.0) == 0.0);
  CHECK(logistic_lcdf(-INFINITY, 0.0, 1.0) == -INFINITY);
}
