// beta_lpdf: SciPy reference values, normalization, propto, derivatives of every Var/data
// combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/beta.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto beta = [](auto p, const auto&... a) { return beta_lpdf<decltype(p)::value>(a...); };
}

TEST_CASE("beta_lpdf: SciPy reference values") {
  check_reference("beta_lpdf", tv::beta_lpdf, [](const double* x) { return beta_lpdf(x[0], x[1], x[2]); }, 1e-14);
}

TEST_CASE("beta_lpdf: integrates to 1") {
  // (0.8, 1.7): an integrable singularity at 0, resolved by the quadrature
  for (auto [a, b] : {std::pair{2.5, 3.5}, std::pair{0.8, 1.7}, std::pair{1.0, 1.0}}) {
    CHECK(integrate([&](double y) { return std::exp(beta_lpdf(y, a, b)); }, 0.0, 1.0) ==
          doctest::Approx(1.0).epsilon(1e-11));
  }
}

TEST_CASE("beta_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 0.6, 0.8}), th = vars({2.5, 1.7});
  CHECK(beta_lpdf(y, th[0], th[1]).value() == beta_lpdf<true>(y, th[0], th[1]).value());
  const double lb = std::lgamma(2.5) + std::lgamma(1.7) - std::lgamma(4.2);
  CHECK(beta_lpdf(y, 2.5, 1.7).value() - beta_lpdf<true>(y, 2.5, 1.7).value() == doctest::Approx(-3 * lb).epsilon(1e-14));
}

TEST_CASE("beta_lpdf: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 0.6, 0.8, 0.45}, a{2.5, 0.8, 4.0, 1.3}, b{1.3, 0.8, 2.2, 0.6};
  check_all_combos("beta_lpdf", beta, std::array{y, a, b});
}

TEST_CASE("beta_lpdf: support and argument errors") {
  CHECK(beta_lpdf(-0.1, 2.0, 1.0) == -INFINITY);
  CHECK(beta_lpdf(std::vector<double>{0.5, 1.5}, 2.0, 1.0) == -INFINITY);
  CHECK(beta_lpdf(0.0, 1.0, 2.0) == doctest::Approx(std::log(2.0)));
  CHECK(beta_lpdf(0.0, 2.0, 2.0) == -INFINITY);
  check_domain_error([] { beta_lpdf(0.5, 0.0, 1.0); }, "beta_lpdf", "first shape a");
  check_domain_error([] { beta_lpdf(0.5, 1.0, std::vector<double>{1.0, INFINITY}); }, "beta_lpdf", "second shape b[1]");
  check_domain_error([] { beta_lpdf(NAN, 1.0, 1.0); }, "beta_lpdf", "random variable y");
  check_size_error([] { beta_lpdf(std::vector<double>{0.1, 0.2}, std::vector<double>{1.0}, 1.0); }, "beta_lpdf");
}
