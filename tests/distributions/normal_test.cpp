// normal_lpdf: SciPy reference values, normalization, propto, derivatives of every Var/data
// combination (scalar and vectorized, one node per call), the three evaluation paths (scalar
// statements, sufficient statistics, generic node), argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/normal.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto normal = [](auto p, const auto&... a) { return normal_lpdf<decltype(p)::value>(a...); };
}

TEST_CASE("normal_lpdf: SciPy reference values") {
  check_reference("normal_lpdf", tv::normal_lpdf, [](const double* x) { return normal_lpdf(x[0], x[1], x[2]); }, 1e-14);
  // the vectorized double path (sufficient statistics) on the same cases, one at a time
  check_reference("normal_lpdf (vector y)", tv::normal_lpdf,
                  [](const double* x) { return normal_lpdf(std::vector<double>{x[0]}, x[1], x[2]); }, 1e-14);
  check_reference("normal_lpdf (vector sigma)", tv::normal_lpdf,
                  [](const double* x) { return normal_lpdf(x[0], x[1], Vector<double>{x[2]}); }, 1e-14);
}

TEST_CASE("normal_lpdf: integrates to 1") {
  for (auto [mu, sigma] : {std::pair{0.7, 2.3}, std::pair{-40.0, 1e-3}, std::pair{1e3, 50.0}}) {
    const double total = integrate_real([&](double y) { return std::exp(normal_lpdf(y, mu, sigma)); }, mu, sigma);
    CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("normal_lpdf: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> y = vars({0.3, -1.2, 2.0}), theta = vars({0.4, 1.7});
  const Var mu = theta[0], sigma = theta[1];
  // all Var: only -log(2 pi)/2 per element
  CHECK(normal_lpdf(y, mu, sigma).value() - normal_lpdf<true>(y, mu, sigma).value() ==
        doctest::Approx(-3 * half_log_two_pi).epsilon(1e-15));
  // sigma data: -log(sigma) too
  CHECK(normal_lpdf(y, mu, 1.7).value() - normal_lpdf<true>(y, mu, 1.7).value() ==
        doctest::Approx(-3 * (half_log_two_pi + std::log(1.7))).epsilon(1e-15));
  // data y, Var mu and sigma (sufficient-statistics path)
  const std::vector<double> yd{0.3, -1.2, 2.0};
  CHECK(normal_lpdf(yd, mu, sigma).value() - normal_lpdf<true>(yd, mu, sigma).value() ==
        doctest::Approx(-3 * half_log_two_pi).epsilon(1e-15));
  CHECK(normal_lpdf(yd, mu, 1.7).value() - normal_lpdf<true>(yd, mu, 1.7).value() ==
        doctest::Approx(-3 * (half_log_two_pi + std::log(1.7))).epsilon(1e-15));
  // scalar statement path
  CHECK(normal_lpdf(y[0], mu, 1.7).value() - normal_lpdf<true>(y[0], mu, 1.7).value() ==
        doctest::Approx(-(half_log_two_pi + std::log(1.7))).epsilon(1e-15));
  CHECK(normal_lpdf(y[0], mu, sigma).value() - normal_lpdf<true>(y[0], mu, sigma).value() ==
        doctest::Approx(-half_log_two_pi).epsilon(1e-15));
  // nothing to differentiate: 0
  CHECK(normal_lpdf<true>(yd, 0.4, 1.7) == 0.0);
  CHECK(normal_lpdf<true>(0.3, 0.4, 1.7) == 0.0);
}

TEST_CASE("normal_lpdf: derivatives in every Var/data combination") {
  const std::array<std::vector<double>, 3> vals{{{0.3, -1.2, 2.0, 0.9}, {0.1, 0.5, -0.7, 0.2}, {1.3, 0.8, 2.2, 0.6}}};
  check_all_combos("normal_lpdf", normal, vals);
  // the sufficient-statistics node with only one of mu, sigma a Var
  check_combo<2u, 1u, 0u>("normal_lpdf", normal, vals, {});
  check_combo<4u, 1u, 0u>("normal_lpdf", normal, vals, {});
}

TEST_CASE("normal_lpdf: evaluation paths and tape cost") {
  NestedScope scope;
  Tape& t = scope.tape();
  const Vector<Var> th = vars({0.4, 1.7, 0.3});
  // scalar statements: one for a data mu, two otherwise
  std::size_t before = t.statements();
  Var lp = normal_lpdf(th[2], 0.0, 1.0);
  CHECK(t.statements() - before == 1);
  before = t.statements();
  lp = normal_lpdf(th[2], th[0], th[1]);
  CHECK(t.statements() - before == 2);
  // data y of any container and element type through the sufficient statistics: one node, O(1)
  const std::vector<int> yi{1, -2, 3, 0};
  const Vector<double> yd{1.0, -2.0, 3.0, 0.0};
  before = t.statements();
  const Var a = normal_lpdf(yi, th[0], th[1]), b = normal_lpdf(yd, th[0], th[1]);
  CHECK(t.statements() - before == 2);
  CHECK(a.value() == b.value());
  double loop = 0.0;
  for (double v : yd.std_vector()) loop += normal_lpdf(v, 0.4, 1.7);
  CHECK(b.value() == doctest::Approx(loop).epsilon(1e-15));
  // a large data vector: the one-pass sums agree with the loop of scalar densities
  std::vector<double> big(10001);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::sin(0.37 * static_cast<double>(i)) * 3.0 + 0.2;
  double sum = 0.0;
  for (double v : big) sum += normal_lpdf(v, 0.4, 1.7);
  CHECK(normal_lpdf(big, 0.4, 1.7) == doctest::Approx(sum).epsilon(1e-13));
  const ValueAndGradient g = value_and_gradient([&](const auto& x) { return normal_lpdf(big, x[0], x[1]); },
                                                std::vector<double>{0.4, 1.7});
  CHECK(g.value == doctest::Approx(sum).epsilon(1e-13));
  double s1 = 0.0, s2 = 0.0;
  for (double v : big) {
    s1 += v - 0.4;
    s2 += (v - 0.4) * (v - 0.4);
  }
  CHECK(g.gradient[0] == doctest::Approx(s1 / (1.7 * 1.7)).epsilon(1e-12));
  CHECK(g.gradient[1] == doctest::Approx((s2 / (1.7 * 1.7) - 10001.0) / 1.7).epsilon(1e-12));
  // empty vectors sum to 0
  CHECK(normal_lpdf(std::vector<double>{}, th[0], th[1]).value() == 0.0);
  CHECK(normal_lpdf(Vector<Var>{}, 0.0, 1.0).value() == 0.0);
  // infinite y: -inf
  CHECK(normal_lpdf(std::vector<double>{1.0, INFINITY}, th[0], th[1]).value() == -INFINITY);
  CHECK(normal_lpdf(-INFINITY, 0.0, 1.0) == -INFINITY);
}

TEST_CASE("normal_lpdf: argument errors name the function and the argument") {
  NestedScope scope;
  const Vector<Var> th = vars({0.4, 1.7});
  try {
    normal_lpdf(0.5, 0.0, -1.0);
    FAIL("no exception");
  } catch (const tapir::domain_error& e) {
    CHECK(std::string(e.what()) == "normal_lpdf: scale sigma is -1, must be positive finite");
  }
  check_domain_error([&] { normal_lpdf(0.5, th[0], Vector<double>{1.0, 0.0}); }, "normal_lpdf", "scale sigma[1]");
  check_domain_error([&] { normal_lpdf(0.5, INFINITY, th[1]); }, "normal_lpdf", "location mu");
  check_domain_error([&] { normal_lpdf(NAN, th[0], th[1]); }, "normal_lpdf", "random variable y");
  check_domain_error([&] { normal_lpdf(std::vector<double>{1.0, NAN}, th[0], th[1]); }, "normal_lpdf",
                     "random variable y[1]");
  check_domain_error([&] { normal_lpdf(Vector<Var>{th[0], th[1]}, Vector<double>{0.0, NAN}, 1.0); }, "normal_lpdf",
                     "location mu[1]");
  check_size_error([&] { normal_lpdf(Vector<double>{1.0, 2.0}, Vector<Var>{th[0], th[1], th[0]}, 1.0); },
                   "normal_lpdf");
  try {
    normal_lpdf(Vector<double>{1.0, 2.0}, 0.0, Vector<double>{1.0, 2.0, 3.0});
  } catch (const tapir::size_error& e) {
    CHECK(std::string(e.what()) ==
          "normal_lpdf: size of y is 2 and size of sigma is 3, vector arguments must have equal sizes");
  }
}
