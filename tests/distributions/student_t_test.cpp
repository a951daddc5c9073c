// student_t_lpdf: SciPy reference values (heavy tails and nu up to 1e8), normalization, propto,
// derivatives of every Var/data combination, argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "distributions/normal.hpp"
#include "distributions/student_t.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto student_t = [](auto p, const auto&... a) { return student_t_lpdf<decltype(p)::value>(a...); };
}

TEST_CASE("student_t_lpdf: SciPy reference values") {
  check_reference("student_t_lpdf", tv::student_t_lpdf,
                  [](const double* x) { return student_t_lpdf(x[0], x[1], x[2], x[3]); }, 1e-14);
}

TEST_CASE("student_t_lpdf: integrates to 1; tends to the normal as nu grows") {
  for (double nu : {0.7, 3.5, 40.0}) {
    const double total = integrate_real([&](double y) { return std::exp(student_t_lpdf(y, nu, 0.7, 2.3)); }, 0.7, 2.3);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-10));
  }
  CHECK(student_t_lpdf(1.3, 1e12, 0.2, 0.9) == doctest::Approx(normal_lpdf(1.3, 0.2, 0.9)).epsilon(1e-11));
}

TEST_CASE("student_t_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, 1.2, 2.0}), th = vars({3.5, 0.4, 1.7});
  // all Var: nothing is constant
  CHECK(student_t_lpdf(y, th[0], th[1], th[2]).value() == student_t_lpdf<true>(y, th[0], th[1], th[2]).value());
  // nu and sigma data: C(nu) - log(sigma) per element
  const double nu = 3.5, c = std::lgamma(0.5 * (nu + 1)) - std::lgamma(0.5 * nu) - 0.5 * std::log(nu * std::numbers::pi);
  CHECK(student_t_lpdf(y, nu, th[1], 1.7).value() - student_t_lpdf<true>(y, nu, th[1], 1.7).value() ==
        doctest::Approx(3 * (c - std::log(1.7))).epsilon(1e-14));
}

TEST_CASE("student_t_lpdf: derivatives in every Var/data combination") {
  const std::vector<double> y{0.3, 1.2, 2.0, -0.6}, nu{3.5, 0.8, 4.5, 2.0}, mu{0.1, 0.5, -0.7, 0.2},
      sigma{1.3, 0.8, 2.2, 0.6};
  check_all_combos("student_t_lpdf", student_t, std::array{y, nu, mu, sigma});
}

TEST_CASE("student_t_lpdf: argument errors") {
  check_domain_error([] { student_t_lpdf(0.0, 0.0, 0.0, 1.0); }, "student_t_lpdf", "degrees of freedom nu");
  check_domain_error([] { student_t_lpdf(0.0, INFINITY, 0.0, 1.0); }, "student_t_lpdf", "degrees of freedom nu");
  check_domain_error([] { student_t_lpdf(0.0, 2.0, 0.0, -1.0); }, "student_t_lpdf", "scale sigma");
  check_domain_error([] { student_t_lpdf(0.0, 2.0, NAN, 1.0); }, "student_t_lpdf", "location mu");
  check_domain_error([] { student_t_lpdf(std::vector<double>{0.0, NAN}, 2.0, 0.0, 1.0); }, "student_t_lpdf",
                     "random variable y[1]");
  check_size_error([] { student_t_lpdf(0.0, std::vector<double>{1.0, 2.0}, std::vector<double>{0.0}, 1.0); },
                   "student_t_lpdf");
}
