// gamma_lpdf and inv_gamma_lpdf: SciPy reference values, normalization, propto, derivatives of
// every Var/data combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/gamma.hpp"
#include "distributions/inv_gamma.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto gamma_fam = [](auto p, const auto&... a) { return gamma_lpdf<decltype(p)::value>(a...); };
const auto inv_gamma = [](auto p, const auto&... a) { return inv_gamma_lpdf<decltype(p)::value>(a...); };
}  // namespace

TEST_CASE("gamma_lpdf, inv_gamma_lpdf: SciPy reference values") {
  check_reference("gamma_lpdf", tv::gamma_lpdf, [](const double* x) { return gamma_lpdf(x[0], x[1], x[2]); }, 1e-14);
  check_reference("inv_gamma_lpdf", tv::inv_gamma_lpdf, [](const double* x) { return inv_gamma_lpdf(x[0], x[1], x[2]); }, 1e-14);
}

TEST_CASE("gamma_lpdf, inv_gamma_lpdf: integrate to 1") {
  for (auto [a, b] : {std::pair{0.6, 2.0}, std::pair{3.2, 0.5}, std::pair{1.0, 1.5}}) {
    CHECK(integrate_to_inf([&](double y) { return std::exp(gamma_lpdf(y, a, b)); }, 0.0, a / b) ==
          doctest::Approx(1.0).epsilon(1e-11));
    CHECK(integrate_to_inf([&](double y) { return std::exp(inv_gamma_lpdf(y, a, b)); }, 0.0, b) ==
          doctest::Approx(1.0).epsilon(1e-11));
  }
}

TEST_CASE("gamma_lpdf, inv_gamma_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({2.5, 1.7});
  CHECK(gamma_lpdf(y, th[0], th[1]).value() == gamma_lpdf<true>(y, th[0], th[1]).value());
  CHECK(inv_gamma_lpdf(y, th[0], th[1]).value() == inv_gamma_lpdf<true>(y, th[0], th[1]).value());
  const double c = 2.5 * std::log(1.7) - std::lgamma(2.5);
  CHECK(gamma_lpdf(y, 2.5, 1.7).value() - gamma_lpdf<true>(y, 2.5, 1.7).value() == doctest::Approx(3 * c).epsilon(1e-14));
  CHECK(inv_gamma_lpdf(y, 2.5, 1.7).value() - inv_gamma_lpdf<true>(y, 2.5, 1.7).value() ==
        doctest::Approx(3 * c).epsilon(1e-14));
  // data y, Var rate: -lgamma(alpha) stays out only when alpha is data
  const std::vector<double> yd{0.3, 1.2, 2.0};
  CHECK(gamma_lpdf(yd, 2.5, th[1]).value() - gamma_lpdf<true>(yd, 2.5, th[1]).value() ==
        doctest::Approx(-3 * std::lgamma(2.5) + 1.5 * std::log(0.3 * 1.2 * 2.0)).epsilon(1e-14));
}

TEST_CASE("gamma_lpdf, inv_gamma_lpdf: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 1.2, 2.0, 0.7}, alpha{2.5, 0.8, 4.0, 1.3}, beta{1.3, 0.8, 2.2, 0.6};
  check_all_combos("gamma_lpdf", gamma_fam, std::array{y, alpha, beta});
  check_all_combos("inv_gamma_lpdf", inv_gamma, std::array{y, alpha, beta});
}

TEST_CASE("gamma_lpdf, inv_gamma_lpdf: support and argument errors") {
  CHECK(gamma_lpdf(-0.1, 2.0, 1.0) == -INFINITY);
  CHECK(gamma_lpdf(INFINITY, 2.0, 1.0) == -INFINITY);
  CHECK(gamma_lpdf(0.0, 1.0, 2.0) == doctest::Approx(std::log(2.0)));
  CHECK(inv_gamma_lpdf(std::vector<double>{1.0, 0.0}, 2.0, 1.0) == -INFINITY);
  check_domain_error([] { gamma_lpdf(1.0, 0.0, 1.0); }, "gamma_lpdf", "shape alpha");
  check_domain_error([] { gamma_lpdf(1.0, 1.0, INFINITY); }, "gamma_lpdf", "rate beta");
  check_domain_error([] { gamma_lpdf(NAN, 1.0, 1.0); }, "gamma_lpdf", "random variable y");
  check_domain_error([] { inv_gamma_lpdf(1.0, std::vector<double>{1.0, -2.0}, 1.0); }, "inv_gamma_lpdf", "shape alpha[1]");
  check_domain_error([] { inv_gamma_lpdf(1.0, 1.0, -1.0); }, "inv_gamma_lpdf", "scale beta");
  check_size_error([] { gamma_lpdf(std::vector<double>{1.0, 2.0}, std::vector<double>{1.0}, 1.0); }, "gamma_lpdf");
}
