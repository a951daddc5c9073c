// lognormal_lpdf and half_normal_lpdf: SciPy reference values, normalization, propto, derivatives
// of every Var/data combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/half_normal.hpp"
#include "distributions/lognormal.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;
using tapir::autodiff::ops::half_log_two_pi;

namespace {
const auto half_normal = [](auto p, const auto&... a) { return half_normal_lpdf<decltype(p)::value>(a...); };
const auto lognormal = [](auto p, const auto&... a) { return lognormal_lpdf<decltype(p)::value>(a...); };
}  // namespace

TEST_CASE("lognormal, half_normal: SciPy reference values") {
  check_reference("half_normal_lpdf", tv::half_normal_lpdf, [](const double* x) { return half_normal_lpdf(x[0], x[1]); }, 1e-14);
  check_reference("lognormal_lpdf", tv::lognormal_lpdf, [](const double* x) { return lognormal_lpdf(x[0], x[1], x[2]); }, 1e-14);
}

TEST_CASE("lognormal, half_normal: integrate to 1") {
  for (double s : {0.4, 2.3}) {
    CHECK(integrate_to_inf([&](double y) { return std::exp(half_normal_lpdf(y, s)); }, 0.0, s) ==
          doctest::Approx(1.0).epsilon(1e-12));
    CHECK(integrate_to_inf([&](double y) { return std::exp(lognormal_lpdf(y, 0.3, s)); }, 0.0, std::exp(0.3)) ==
          doctest::Approx(1.0).epsilon(1e-11));
  }
}

TEST_CASE("lognormal, half_normal: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({0.4, 1.7});
  const double log2 = std::log(2.0);
  CHECK(half_normal_lpdf(y, th[1]).value() - half_normal_lpdf<true>(y, th[1]).value() ==
        doctest::Approx(3 * (log2 - half_log_two_pi)).epsilon(1e-15));
  CHECK(half_normal_lpdf(y, 1.7).value() - half_normal_lpdf<true>(y, 1.7).value() ==
        doctest::Approx(3 * (log2 - half_log_two_pi - std::log(1.7))).epsilon(1e-15));
  CHECK(lognormal_lpdf(y, th[0], th[1]).value() - lognormal_lpdf<true>(y, th[0], th[1]).value() ==
        doctest::Approx(-3 * half_log_two_pi).epsilon(1e-15));
  const std::vector<double> yd{0.3, 1.2, 2.0};
  CHECK(lognormal_lpdf(yd, th[0], th[1]).value() - lognormal_lpdf<true>(yd, th[0], th[1]).value() ==
        doctest::Approx(-3 * half_log_two_pi - std::log(0.3 * 1.2 * 2.0)).epsilon(1e-15));
}

TEST_CASE("lognormal, half_normal: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 1.2, 2.0, 0.6}, mu{0.1, 0.5, -0.7, 0.2}, sigma{1.3, 0.8, 2.2, 0.6};
  check_all_combos("half_normal_lpdf", half_normal, std::array{y, sigma});
  check_all_combos("lognormal_lpdf", lognormal, std::array{y, mu, sigma});
}

TEST_CASE("lognormal, half_normal: support and argument errors") {
  CHECK(half_normal_lpdf(std::vector<double>{1.0, -0.1}, 1.0) == -INFINITY);
  CHECK(lognormal_lpdf(0.0, 0.0, 1.0) == -INFINITY);
  CHECK(lognormal_lpdf(-1.0, 0.0, 1.0) == -INFINITY);
  check_domain_error([] { half_normal_lpdf(1.0, std::vector<double>{1.0, INFINITY}); }, "half_normal_lpdf", "scale sigma[1]");
  check_domain_error([] { half_normal_lpdf(NAN, 1.0); }, "half_normal_lpdf", "random variable y");
  check_domain_error([] { lognormal_lpdf(1.0, 0.0, 0.0); }, "lognormal_lpdf", "scale sigma");
  check_domain_error([] { lognormal_lpdf(1.0, -INFINITY, 1.0); }, "lognormal_lpdf", "location mu");
  check_size_error([] { lognormal_lpdf(std::vector<double>{1.0, 2.0}, std::vector<double>{0.0}, 1.0); }, "lognormal_lpdf");
  check_size_error([] { half_normal_lpdf(std::vector<double>{1.0, 2.0}, std::vector<double>{1.0}); }, "half_normal_lpdf");
}
