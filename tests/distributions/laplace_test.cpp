// laplace_lpdf (and its Stan name double_exponential_lpdf): SciPy reference values, normalization,
// propto, derivatives of every Var/data combination (away from the kink), argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/laplace.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto laplace = [](auto p, const auto&... a) { return laplace_lpdf<decltype(p)::value>(a...); };
}

TEST_CASE("laplace_lpdf: SciPy reference values; double_exponential_lpdf is the same") {
  check_reference("laplace_lpdf", tv::laplace_lpdf, [](const double* x) { return laplace_lpdf(x[0], x[1], x[2]); }, 1e-14);
  check_reference("double_exponential_lpdf", tv::laplace_lpdf,
                  [](const double* x) { return double_exponential_lpdf(x[0], x[1], x[2]); }, 1e-14);
}

TEST_CASE("laplace_lpdf: integrates to 1") {
  for (double s : {0.4, 2.3}) {
    const double right = integrate_to_inf([&](double y) { return std::exp(laplace_lpdf(y, 0.7, s)); }, 0.7, s);
    const double left = integrate_to_inf([&](double u) { return std::exp(laplace_lpdf(0.7 - u, 0.7, s)); }, 0.0, s);
    CHECK(left + right == doctest::Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("laplace_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({0.4, 1.7});
  CHECK(laplace_lpdf(y, th[0], th[1]).value() - laplace_lpdf<true>(y, th[0], th[1]).value() ==
        doctest::Approx(-3 * std::log(2.0)).epsilon(1e-15));
  CHECK(laplace_lpdf(y, 0.4, 1.7).value() - laplace_lpdf<true>(y, 0.4, 1.7).value() ==
        doctest::Approx(-3 * std::log(2.0 * 1.7)).epsilon(1e-15));
}

TEST_CASE("laplace_lpdf: derivatives in every Var/data combination; the kink") {
  const std::vector<double> y{0.3, 1.2, 2.0, -0.6}, mu{0.1, 0.5, -0.7, 0.2}, sigma{1.3, 0.8, 2.2, 0.6};
  check_all_combos("laplace_lpdf", laplace, std::array{y, mu, sigma});
  // at y = mu the derivative of |y - mu| is taken as 0
  const ValueAndGradient g = value_and_gradient([](const auto& x) { return laplace_lpdf(x[0], x[1], x[2]); },
                                                std::vector<double>{0.5, 0.5, 2.0});
  CHECK(g.gradient[0] == 0.0);
  CHECK(g.gradient[1] == 0.0);
  CHECK(g.gradient[2] == doctest::Approx(-0.5));
}

TEST_CASE("laplace_lpdf: argument errors") {
  check_domain_error([] { laplace_lpdf(0.0, 0.0, 0.0); }, "laplace_lpdf", "scale sigma");
  check_domain_error([] { double_exponential_lpdf(0.0, INFINITY, 1.0); }, "double_exponential_lpdf", "location mu");
  check_domain_error([] { laplace_lpdf(NAN, 0.0, 1.0); }, "laplace_lpdf", "random variable y");
  check_size_error([] { double_exponential_lpdf(std::vector<double>{0.0, 1.0}, std::vector<double>{0.0}, 1.0); },
                   "double_exponential_lpdf");
}
