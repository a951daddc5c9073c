// poisson_lpmf, poisson_log_lpmf, neg_binomial_2_lpmf, neg_binomial_2_log_lpmf: SciPy reference
// values (large counts and precisions included), the pmf sums to 1, propto, derivatives of every
// Var/data combination, support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/neg_binomial_2.hpp"
#include "distributions/poisson.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto poisson = [](auto p, const auto&... a) { return poisson_lpmf<decltype(p)::value>(a...); };
const auto poisson_log = [](auto p, const auto&... a) { return poisson_log_lpmf<decltype(p)::value>(a...); };
const auto nb2 = [](auto p, const auto&... a) { return neg_binomial_2_lpmf<decltype(p)::value>(a...); };
const auto nb2_log = [](auto p, const auto&... a) { return neg_binomial_2_log_lpmf<decltype(p)::value>(a...); };
int I(double x) { return static_cast<int>(x); }
}  // namespace

TEST_CASE("poisson, neg_binomial_2: SciPy reference values") {
  check_reference("poisson_lpmf", tv::poisson_lpmf, [](const double* x) { return poisson_lpmf(I(x[0]), x[1]); }, 1e-14);
  check_reference("poisson_log_lpmf", tv::poisson_log_lpmf, [](const double* x) { return poisson_log_lpmf(I(x[0]), x[1]); }, 1e-14);
  check_reference("neg_binomial_2_lpmf", tv::neg_binomial_2_lpmf,
                  [](const double* x) { return neg_binomial_2_lpmf(I(x[0]), x[1], x[2]); }, 1e-14);
  check_reference("neg_binomial_2_log_lpmf", tv::neg_binomial_2_log_lpmf,
                  [](const double* x) { return neg_binomial_2_log_lpmf(I(x[0]), x[1], x[2]); }, 1e-14);
}

TEST_CASE("poisson, neg_binomial_2: the pmf sums to 1") {
  for (double lambda : {3.7, 250.0}) {
    double s = 0.0, t = 0.0;
    for (int n = 0; n <= 1000; ++n) {
      s += std::exp(poisson_lpmf(n, lambda));
      t += std::exp(poisson_log_lpmf(n, std::log(lambda)));
    }
    CHECK(s == doctest::Approx(1.0).epsilon(1e-13));
    CHECK(t == doctest::Approx(1.0).epsilon(1e-13));
  }
  for (auto [mu, phi] : {std::pair{4.0, 2.5}, std::pair{4.0, 0.3}, std::pair{30.0, 1e4}}) {
    double s = 0.0, t = 0.0;
    for (int n = 0; n <= 3000; ++n) {
      s += std::exp(neg_binomial_2_lpmf(n, mu, phi));
      t += std::exp(neg_binomial_2_log_lpmf(n, std::log(mu), phi));
    }
    CHECK(s == doctest::Approx(1.0).epsilon(1e-13));
    CHECK(t == doctest::Approx(1.0).epsilon(1e-13));
  }
}

TEST_CASE("poisson, neg_binomial_2: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> th = vars({0.8, 2.5, 6.0}), ph = vars({1.5, 0.7, 3.0});
  const Vector<int> n{0, 3, 7};
  const double lf = std::lgamma(4.0) + std::lgamma(8.0);
  CHECK(poisson_lpmf(n, th).value() - poisson_lpmf<true>(n, th).value() == doctest::Approx(-lf).epsilon(1e-14));
  CHECK(poisson_log_lpmf(n, th).value() - poisson_log_lpmf<true>(n, th).value() == doctest::Approx(-lf).epsilon(1e-14));
  CHECK(neg_binomial_2_lpmf(n, th, ph).value() - neg_binomial_2_lpmf<true>(n, th, ph).value() ==
        doctest::Approx(-lf).epsilon(1e-14));
  CHECK(neg_binomial_2_log_lpmf(n, th, ph).value() - neg_binomial_2_log_lpmf<true>(n, th, ph).value() ==
        doctest::Approx(-lf).epsilon(1e-14));
  // phi data: lgamma(n + phi) - lgamma(phi) is dropped too
  const double lr = std::lgamma(3.0 + 1.5) - std::lgamma(1.5) + std::lgamma(7.0 + 1.5) - std::lgamma(1.5);
  CHECK(neg_binomial_2_lpmf(n, th, 1.5).value() - neg_binomial_2_lpmf<true>(n, th, 1.5).value() ==
        doctest::Approx(lr - lf).epsilon(1e-14));
}

TEST_CASE("poisson, neg_binomial_2: derivatives in every Var/data combination") {
  const std::vector<double> n{0, 3, 7, 1}, lambda{0.8, 2.5, 6.0, 1.2}, alpha{0.3, -1.2, 2.0, 0.5}, phi{1.5, 0.7, 3.0, 2.2};
  check_all_combos<1u>("poisson_lpmf", poisson, std::array{n, lambda});
  check_all_combos<1u>("poisson_log_lpmf", poisson_log, std::array{n, alpha});
  check_all_combos<1u>("neg_binomial_2_lpmf", nb2, std::array{n, lambda, phi});
  check_all_combos<1u>("neg_binomial_2_log_lpmf", nb2_log, std::array{n, alpha, phi});
  // a count beyond the finite-sum range of psi(n + phi) - psi(phi)
  const std::vector<double> big{40, 3, 70, 1};
  check_combo<6u, 7u, 1u>("neg_binomial_2_lpmf", nb2, std::array{big, lambda, phi}, {});
}

TEST_CASE("poisson, neg_binomial_2: support and argument errors") {
  CHECK(poisson_lpmf(-1, 2.0) == -INFINITY);
  CHECK(poisson_lpmf(0, 0.0) == 0.0);
  CHECK(poisson_lpmf(2, 0.0) == -INFINITY);
  CHECK(poisson_log_lpmf(0, -INFINITY) == 0.0);
  CHECK(poisson_log_lpmf(std::vector<int>{1, 2}, INFINITY) == -INFINITY);
  CHECK(neg_binomial_2_lpmf(std::vector<int>{1, -2}, 2.0, 1.0) == -INFINITY);
  check_domain_error([] { poisson_lpmf(1, -2.0); }, "poisson_lpmf", "rate lambda");
  check_domain_error([] { poisson_log_lpmf(1, NAN); }, "poisson_log_lpmf", "log rate alpha");
  check_domain_error([] { neg_binomial_2_lpmf(1, 0.0, 1.0); }, "neg_binomial_2_lpmf", "location mu");
  check_domain_error([] { neg_binomial_2_lpmf(1, 1.0, std::vector<double>{1.0, 0.0}); }, "neg_binomial_2_lpmf",
                     "precision phi[1]");
  check_domain_error([] { neg_binomial_2_log_lpmf(1, INFINITY, 1.0); }, "neg_binomial_2_log_lpmf", "log location eta");
  check_size_error([] { poisson_lpmf(std::vector<int>{0, 1}, std::vector<double>{0.5}); }, "poisson_lpmf");
  check_size_error([] { neg_binomial_2_log_lpmf(std::vector<int>{0, 1}, 1.0, std::vector<double>{0.5, 1.0, 2.0}); },
                   "neg_binomial_2_log_lpmf");
}
