// exponential_lpdf and exponential_lcdf: SciPy reference values, normalization, propto,
// derivatives of every Var/data combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/exponential.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto exponential = [](auto p, const auto&... a) { return exponential_lpdf<decltype(p)::value>(a...); };
const auto lcdf = [](auto, const auto&... a) { return exponential_lcdf(a...); };
}  // namespace

TEST_CASE("exponential_lpdf, exponential_lcdf: SciPy reference values") {
  check_reference("exponential_lpdf", tv::exponential_lpdf, [](const double* x) { return exponential_lpdf(x[0], x[1]); }, 1e-14);
  check_reference("exponential_lcdf", tv::exponential_lcdf, [](const double* x) { return exponential_lcdf(x[0], x[1]); }, 1e-14);
}

TEST_CASE("exponential_lpdf: integrates to 1") {
  for (double b : {0.3, 4.5}) {
    CHECK(integrate_to_inf([&](double y) { return std::exp(exponential_lpdf(y, b)); }, 0.0, 1.0 / b) ==
          doctest::Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("exponential_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({1.7});
  CHECK(exponential_lpdf(y, th[0]).value() == exponential_lpdf<true>(y, th[0]).value());
  CHECK(exponential_lpdf(y, 1.7).value() - exponential_lpdf<true>(y, 1.7).value() ==
        doctest::Approx(3 * std::log(1.7)).epsilon(1e-15));
}

TEST_CASE("exponential_lpdf, exponential_lcdf: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 1.2, 2.0, 0.45}, beta{1.3, 0.8, 2.2, 0.6};
  check_all_combos("exponential_lpdf", exponential, std::array{y, beta});
  check_basic_combos("exponential_lcdf", lcdf, std::array{y, beta});
}

TEST_CASE("exponential_lpdf, exponential_lcdf: support and argument errors") {
  CHECK(exponential_lpdf(-0.5, 1.0) == -INFINITY);
  CHECK(exponential_lcdf(std::vector<double>{1.0, -0.5}, 1.0) == -INFINITY);
  CHECK(exponential_lcdf(0.0, 1.0) == -INFINITY);
  CHECK(exponential_lcdf(INFINITY, 1.0) == 0.0);
  check_domain_error([] { exponential_lpdf(1.0, 0.0); }, "exponential_lpdf", "rate beta");
  check_domain_error([] { exponential_lcdf(1.0, std::vector<double>{1.0, -1.0}); }, "exponential_lcdf", "rate beta[1]");
  check_domain_error([] { exponential_lpdf(NAN, 1.0); }, "exponential_lpdf", "random variable y");
  check_size_error([] { exponential_lpdf(std::vector<double>{0.0, 1.0}, std::vector<double>{1.0}); }, "exponential_lpdf");
}
