// Elementwise bijectors (Identity, Exp, Softplus, Sigmoid, Tanh, Affine, LowerBound, UpperBound,
// LowerUpper): closed forms, round trips, log|det J| against finite differences, derivatives in
// every mode, push-forward densities integrating to 1, tape cost, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "test_helpers.hpp"

using namespace bijector_test;
using namespace tapir::distributions::bijectors;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

struct Case {
  std::string label;
  Bijector b;
  double lo, hi;     // the constrained interval
  double large;      // a large |u| whose image is still representable away from the bounds
  std::size_t n = 0;  // a fixed size, or 0 for any
};

std::vector<Case> cases() {
  return {
      {"identity", Identity{}, -inf, inf, 1e6},
      {"exp", Exp{}, 0.0, inf, 30.0},
      {"softplus", Softplus{}, 0.0, inf, 30.0},
      {"sigmoid", Sigmoid{}, 0.0, 1.0, 25.0},
      {"sigmoid(2,5)", Sigmoid(2.0, 5.0), 2.0, 5.0, 25.0},
      {"tanh", Tanh{}, -1.0, 1.0, 15.0},
      {"affine scalar", Affine(1.0, -2.0), -inf, inf, 1e6},
      {"affine vector", Affine(std::vector<double>{0.5, -1.0, 2.0, 0.0}, std::vector<double>{2.0, 0.25, -3.0, 1.0}),
       -inf, inf, 1e6, 4},
      {"affine loc vector", Affine(std::vector<double>{0.5, -1.0, 2.0, 0.0}, 0.5), -inf, inf, 1e6, 4},
      {"affine scale vector", Affine(-1.5, std::vector<double>{2.0, 0.25, -3.0, 1.0}), -inf, inf, 1e6, 4},
      {"lower(1.5)", LowerBound(1.5), 1.5, inf, 25.0},
      {"upper(-2)", UpperBound(-2.0), -inf, -2.0, 25.0},
      {"interval(-1,3)", LowerUpper(-1.0, 3.0), -1.0, 3.0, 25.0},
      {"interval(0.5,inf)", LowerUpper(0.5, inf), 0.5, inf, 25.0},
      {"interval(-inf,4)", LowerUpper(-inf, 4.0), -inf, 4.0, 25.0},
      {"interval(-inf,inf)", LowerUpper(-inf, inf), -inf, inf, 1e6},
  };
}

// The sizes to try: 1 (scalar code for Var) and 4 (vector nodes for Var), or the fixed size.
std::vector<std::size_t> sizes(const Case& c) {
  if (c.n) return {c.n};
  return {1, 4};
}

double logistic(double u) { return 1.0 / (1.0 + std::exp(-u)); }

}  // namespace

TEST_CASE("elementwise bijectors: closed-form values and log-Jacobians") {
  const std::vector<double> u = {-1.3, 0.0, 0.4, 2.5};
  struct Expect {
    Bijector b;
    double (*x)(double);
    double (*lad)(double);
  };
  const std::vector<Expect> expect = {
      {Identity{}, [](double v) { return v; }, [](double) { return 0.0; }},
      {Exp{}, [](double v) { return std::exp(v); }, [](double v) { return v; }},
      {Softplus{}, [](double v) { return std::log1p(std::exp(v)); }, [](double v) { return std::log(logistic(v)); }},
      {Sigmoid(2.0, 5.0), [](double v) { return 2.0 + 3.0 * logistic(v); },
       [](double v) { return std::log(3.0 * logistic(v) * (1.0 - logistic(v))); }},
      {Tanh{}, [](double v) { return std::tanh(v); }, [](double v) { return std::log(1.0 - std::tanh(v) * std::tanh(v)); }},
      {Affine(1.0, -2.0), [](double v) { return 1.0 - 2.0 * v; }, [](double) { return std::log(2.0); }},
      {LowerBound(1.5), [](double v) { return 1.5 + std::exp(v); }, [](double v) { return v; }},
      {UpperBound(-2.0), [](double v) { return -2.0 - std::exp(v); }, [](double v) { return v; }},
      {LowerUpper(-1.0, 3.0), [](double v) { return -1.0 + 4.0 * logistic(v); },
       [](double v) { return std::log(4.0 * logistic(v) * (1.0 - logistic(v))); }},
      {LowerUpper(0.5, inf), [](double v) { return 0.5 + std::exp(v); }, [](double v) { return v; }},
      {LowerUpper(-inf, 4.0), [](double v) { return 4.0 - std::exp(v); }, [](double v) { return v; }},
      {LowerUpper(-inf, inf), [](double v) { return v; }, [](double) { return 0.0; }},
  };
  for (const Expect& e : expect) {
    const Image<double> img = push(e.b, u);
    double lad = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) {
      INFO(e.b.name(), " u = ", u[i]);
      CHECK(img.x[i] == doctest::Approx(e.x(u[i])).epsilon(1e-14));
      lad += e.lad(u[i]);
    }
    INFO(e.b.name());
    CHECK(img.lad == doctest::Approx(lad).epsilon(1e-14));
  }
  // Sigmoid's default is (0, 1); its centre maps to the middle of the interval.
  CHECK(push(Bijector(Sigmoid{}), std::vector<double>{0.0}).x[0] == 0.5);
  CHECK(push(Bijector(Sigmoid(2.0, 5.0)), std::vector<double>{0.0}).x[0] == 3.5);
  // Vector affine: each coordinate its own loc and scale; log|det J| = sum log|scale|.
  const Image<double> a = push(Affine(std::vector<double>{0.5, -1.0}, std::vector<double>{2.0, -0.25}), std::vector<double>{1.0, 2.0});
  CHECK(a.x[0] == 2.5);
  CHECK(a.x[1] == -1.5);
  CHECK(a.lad == doctest::Approx(std::log(2.0) + std::log(0.25)).epsilon(1e-15));
}

TEST_CASE("elementwise bijectors: the image is inside the constrained interval") {
  std::mt19937_64 g(1);
  for (const Case& c : cases())
    for (std::size_t n : sizes(c)) {
      const std::vector<double> u = uniform(g, n, -12.0, 12.0);
      const Image<double> img = push(c.b, u);
      for (double x : img.x) {
        INFO(c.label, " x = ", x);
        CHECK(x > c.lo);
        CHECK(x < c.hi);
      }
    }
}

TEST_CASE("elementwise bijectors: round trips u -> x -> u and x -> u -> x") {
  std::mt19937_64 g(2);
  for (const Case& c : cases()) {
    INFO(c.label);
    for (std::size_t n : sizes(c)) {
      for (int rep = 0; rep < 5; ++rep) check_round_trip_u(c.b, uniform(g, n, -3.0, 3.0));
      // Large |u|, both signs, as far as the image stays representable off the bounds.
      std::vector<double> big(n);
      for (std::size_t i = 0; i < n; ++i) big[i] = c.large * (i % 2 ? -1.0 : 1.0) * (0.6 + 0.4 * static_cast<double>(i % 3) / 2);
      check_round_trip_u(c.b, big);
      for (double s : {1.0, -1.0}) check_round_trip_u(c.b, std::vector<double>(n, s * c.large));
      // Points of the constrained interval: x = phi(t) for t uniform in (0, 1).
      for (int rep = 0; rep < 5; ++rep) {
        std::vector<double> x(n);
        for (double& e : x) e = to_interval(uniform(g, 1, 0.001, 0.999)[0], c.lo, c.hi).first;
        check_round_trip_x(c.b, x);
      }
    }
  }
}

TEST_CASE("elementwise bijectors: log|det J| equals the log-determinant of a finite-difference Jacobian") {
  std::mt19937_64 g(3);
  for (const Case& c : cases())
    for (std::size_t n : sizes(c)) {
      INFO(c.label, " n = ", n);
      for (int rep = 0; rep < 3; ++rep) check_log_det(c.b, uniform(g, n, -3.0, 3.0));
      check_log_det(c.b, std::vector<double>(n, 6.0));
      check_log_det(c.b, std::vector<double>(n, -6.0));
    }
}

TEST_CASE("elementwise bijectors: gradients and Hessian-vector products of forward through Var") {
  std::mt19937_64 g(4);
  for (const Case& c : cases())
    for (std::size_t n : sizes(c)) {
      INFO(c.label, " n = ", n);
      check_forward_derivatives(c.b, uniform(g, n, -2.5, 2.5));
      check_forward_derivatives(c.b, std::vector<double>(n, 4.0));
      check_forward_derivatives(c.b, std::vector<double>(n, -4.0));
    }
}

TEST_CASE("elementwise bijectors: double, Var and Dual results agree") {
  std::mt19937_64 g(5);
  for (const Case& c : cases())
    for (std::size_t n : sizes(c)) {
      INFO(c.label, " n = ", n);
      check_modes(c.b, uniform(g, n, -3.0, 3.0));
      check_modes(c.b, uniform(g, n, -20.0, 20.0));
    }
}

TEST_CASE("elementwise bijectors: the concrete types and the handle give identical results") {
  const std::vector<double> u = {-2.0, -0.5, 0.3, 1.7, 9.0};
  auto same = [&](const auto& concrete) {
    std::vector<double> x1(u.size()), x2(u.size()), u1(u.size()), u2(u.size());
    double l1 = 0.25, l2 = 0.25;
    concrete.forward(std::span<const double>(u), std::span<double>(x1), l1);
    Bijector(concrete).forward(std::span<const double>(u), std::span<double>(x2), l2);
    concrete.inverse(std::span<const double>(x1), std::span<double>(u1));
    Bijector(concrete).inverse(std::span<const double>(x1), std::span<double>(u2));
    INFO(concrete.name());
    CHECK(x1 == x2);
    CHECK(u1 == u2);
    CHECK(l1 == l2);
    CHECK(l1 != 0.25);
  };
  same(Exp{});
  same(Softplus{});
  same(Sigmoid(-3.0, 10.0));
  same(Tanh{});
  same(Affine(0.5, 3.0));
  same(LowerBound(-1.0));
  same(UpperBound(1.0));
  same(LowerUpper(0.0, 20.0));
}

TEST_CASE("elementwise bijectors: forward adds to the accumulator") {
  const std::vector<double> u = {0.3, -1.2};
  double lad = 10.0;
  std::vector<double> x(2);
  Exp{}.forward(std::span<const double>(u), std::span<double>(x), lad);
  CHECK(lad == doctest::Approx(10.0 + 0.3 - 1.2).epsilon(1e-15));
  Sigmoid(0.0, 2.0).forward(std::span<const double>(u), std::span<double>(x), lad);
  const double s0 = logistic(0.3), s1 = logistic(-1.2);
  CHECK(lad == doctest::Approx(10.0 + 0.3 - 1.2 + std::log(2 * s0 * (1 - s0)) + std::log(2 * s1 * (1 - s1))).epsilon(1e-14));
}

TEST_CASE("elementwise bijectors: push-forward densities of N(0, 1) integrate to 1") {
  for (const Case& c : cases()) {
    if (c.n) continue;
    INFO(c.label);
    CHECK(integrate_pushforward_1d(c.b, c.lo, c.hi) == doctest::Approx(1.0).epsilon(1e-6));
  }
  // Standard normal through Sigmoid onto (2, 5): p(x) = N(g^{-1}(x)) |d g^{-1} / dx| on (2, 5). Its
  // mass to the left of g(0) = 3.5 is 1/2, and without the Jacobian factor it is not a density.
  const Bijector s = Sigmoid(2.0, 5.0);
  CHECK(integrate_pushforward_1d(s, 2.0, 3.5) == doctest::Approx(0.5).epsilon(1e-6));
  double no_jacobian = 0.0;
  const std::size_t n = 20000;
  for (std::size_t k = 0; k < n; ++k) {
    const double x = 2.0 + 3.0 * (k + 0.5) / n;
    const std::vector<double> u = pull(s, {x});
    no_jacobian += std::exp(std_normal_log_density(u)) * 3.0 / n;
  }
  CHECK(std::abs(no_jacobian - 1.0) > 0.1);
}

TEST_CASE("elementwise bijectors: Var forward records vector nodes, not one statement per element") {
  for (const Case& c : cases()) {
    if (c.n) continue;
    INFO(c.label);
    std::vector<std::size_t> counts;
    for (std::size_t n : {16, 64}) {
      NestedScope scope;
      std::vector<Var> u;
      for (std::size_t i = 0; i < n; ++i) u.push_back(Var::independent(0.01 * static_cast<double>(i)));
      const std::size_t before = scope.tape().statements();
      const Image<Var> img = push(c.b, u);
      counts.push_back(scope.tape().statements() - before);
      CHECK(img.x[n - 1].value() == doctest::Approx(push(c.b, std::vector<double>{0.01 * (n - 1.0)}).x[0]).epsilon(1e-14));
    }
    CHECK(counts[0] == counts[1]);
    CHECK(counts[1] <= 12);
  }
}

TEST_CASE("elementwise bijectors: names") {
  CHECK(Bijector().name() == "identity");
  CHECK(Exp{}.name() == "exp");
  CHECK(Softplus{}.name() == "softplus");
  CHECK(Sigmoid{}.name() == "sigmoid");
  CHECK(Sigmoid(2.0, 5.5).name() == "sigmoid:2,5.5");
  CHECK(Tanh{}.name() == "tanh");
  CHECK(LowerBound(0.1).name() == "lower:0.1");
  CHECK(UpperBound(-3.0).name() == "upper:-3");
  CHECK(LowerUpper(-inf, 2.0).name() == "interval:-inf,2");
  CHECK(Affine(1.0, 2.0).name() == "affine:1,2");
  CHECK(Affine(std::vector<double>{1.0, 2.0}, 0.5).name() == "affine:[1,2],0.5");
}

TEST_CASE("elementwise bijectors: inverse rejects values outside the constrained set") {
  auto message = [](const Bijector& b, std::vector<double> x) -> std::string {
    try {
      pull(b, x);
    } catch (const tapir::domain_error& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(message(Exp{}, {1.0, -0.5}) == "exp inverse: x[1] is -0.5, must be >= 0");
  CHECK(message(Softplus{}, {-1.0}) == "softplus inverse: x[0] is -1, must be >= 0");
  CHECK(message(Sigmoid(2.0, 5.0), {3.0, 5.5}) == "sigmoid:2,5 inverse: x[1] is 5.5, must be in [2, 5]");
  CHECK(message(Tanh{}, {1.5}) == "tanh inverse: x[0] is 1.5, must be in [-1, 1]");
  CHECK(message(LowerBound(1.0), {0.5}) == "lower:1 inverse: x[0] is 0.5, must be >= 1");
  CHECK(message(UpperBound(1.0), {1.5}) == "upper:1 inverse: x[0] is 1.5, must be <= 1");
  CHECK(message(LowerUpper(0.0, inf), {-1.0}) == "interval:0,inf inverse: x[0] is -1, must be >= 0");
  CHECK(message(Affine(0.0, 1.0), {std::nan("")}) == "affine:0,1 inverse: x[0] is nan, must be a number");
  CHECK(message(Exp{}, {std::nan("")}).find("exp inverse: x[0] is nan") == 0);
  // The boundary itself maps to an infinite u.
  CHECK(pull(Exp{}, {0.0})[0] == -inf);
  CHECK(pull(Sigmoid{}, {1.0})[0] == inf);
  CHECK(pull(Tanh{}, {-1.0})[0] == -inf);
}

TEST_CASE("elementwise bijectors: size and parameter errors") {
  std::vector<double> u(3), x(2);
  double lad = 0.0;
  CHECK_THROWS_AS(Exp{}.forward(std::span<const double>(u), std::span<double>(x), lad), tapir::size_error);
  CHECK_THROWS_WITH_AS(Exp{}.inverse(std::span<const double>(x), std::span<double>(u)),
                       "exp inverse: u has size 3, expected 2 for x of size 2", tapir::size_error);
  const Affine a(std::vector<double>{1.0, 2.0}, std::vector<double>{1.0, 1.0});
  CHECK(a.constrained_size(2) == 2);
  CHECK_THROWS_WITH_AS(a.constrained_size(3), "affine:[1,2],[1,1]: input has size 3, expected 2", tapir::size_error);
  CHECK_THROWS_AS(Affine(std::vector<double>{1.0, 2.0}, std::vector<double>{1.0}), tapir::size_error);
  CHECK_THROWS_WITH_AS(Affine(0.0, 0.0), "Affine: scale[0] is 0, must be finite and nonzero", tapir::domain_error);
  CHECK_THROWS_WITH_AS(Sigmoid(5.0, 2.0), "Sigmoid: lower bound is 5, must be less than the upper bound 2",
                       tapir::domain_error);
  CHECK_THROWS_AS(Sigmoid(0.0, inf), tapir::domain_error);
  CHECK_THROWS_AS(LowerBound(-inf), tapir::domain_error);
  CHECK_THROWS_AS(UpperBound(std::nan("")), tapir::domain_error);
  CHECK_THROWS_AS(LowerUpper(1.0, 1.0), tapir::domain_error);
  CHECK_THROWS_AS(LowerUpper(inf, inf), tapir::domain_error);
  CHECK_NOTHROW(LowerUpper(-inf, inf));
}
