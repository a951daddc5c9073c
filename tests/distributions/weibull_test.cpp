// weibull_lpdf: SciPy reference values, normalization, propto, derivatives of every Var/data
// combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/weibull.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto weibull = [](auto p, const auto&... a) { return weibull_lpdf<decltype(p)::value>(a...); };
}

TEST_CASE("weibull_lpdf: SciPy reference values") {
  check_reference("weibull_lpdf", tv::weibull_lpdf, [](const double* x) { return weibull_lpdf(x[0], x[1], x[2]); }, 1e-14);
}

TEST_CASE("weibull_lpdf: integrates to 1") {
  for (auto [a, s] : {std::pair{0.7, 2.0}, std::pair{2.5, 0.5}, std::pair{1.0, 1.5}}) {
    CHECK(integrate_to_inf([&](double y) { return std::exp(weibull_lpdf(y, a, s)); }, 0.0, s) ==
          doctest::Approx(1.0).epsilon(1e-11));
  }
}

TEST_CASE("weibull_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({2.5, 1.7});
  CHECK(weibull_lpdf(y, th[0], th[1]).value() == weibull_lpdf<true>(y, th[0], th[1]).value());
  CHECK(weibull_lpdf(y, 2.5, 1.7).value() - weibull_lpdf<true>(y, 2.5, 1.7).value() ==
        doctest::Approx(3 * (std::log(2.5) - 2.5 * std::log(1.7))).epsilon(1e-14));
}

TEST_CASE("weibull_lpdf: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 1.2, 2.0, 0.7}, alpha{2.5, 0.8, 4.0, 1.3}, sigma{1.3, 0.8, 2.2, 0.6};
  check_all_combos("weibull_lpdf", weibull, std::array{y, alpha, sigma});
}

TEST_CASE("weibull_lpdf: support and argument errors") {
  CHECK(weibull_lpdf(-0.1, 2.0, 1.0) == -INFINITY);
  CHECK(weibull_lpdf(INFINITY, 2.0, 1.0) == -INFINITY);
  CHECK(weibull_lpdf(0.0, 1.0, 2.0) == doctest::Approx(-std::log(2.0)));
  check_domain_error([] { weibull_lpdf(1.0, 0.0, 1.0); }, "weibull_lpdf", "shape alpha");
  check_domain_error([] { weibull_lpdf(1.0, 1.0, std::vector<double>{1.0, NAN}); }, "weibull_lpdf", "scale sigma[1]");
  check_domain_error([] { weibull_lpdf(NAN, 1.0, 1.0); }, "weibull_lpdf", "random variable y");
  check_size_error([] { weibull_lpdf(std::vector<double>{1.0, 2.0}, 1.0, std::vector<double>{1.0}); }, "weibull_lpdf");
}
