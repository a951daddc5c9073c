// StickBreaking (onto the simplex) and Ordered: closed forms and Stan's formula, constraints,
// round trips, log|det J| against finite differences (for the simplex, of the map to the first
// K - 1 coordinates), 2-D push-forward densities integrating to 1, derivatives in every mode.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "test_helpers.hpp"

using namespace bijector_test;
using namespace tapir::distributions::bijectors;

namespace {

double logistic(double u) { return 1.0 / (1.0 + std::exp(-u)); }

// Stan Reference Manual, unit simplex: z_k = inv_logit(y_k - log(K - k)),
// x_k = (1 - sum_{k'<k} x_k') z_k, x_K = 1 - sum; log|J| = sum log(z_k (1 - z_k) (1 - sum_{k'<k} x_k')).
// Written directly from the formula (no log-space tricks), for moderate y.
Image<double> stan_simplex(const std::vector<double>& y) {
  const std::size_t K = y.size() + 1;
  Image<double> r{std::vector<double>(K), 0.0};
  double used = 0.0;
  for (std::size_t k = 1; k < K; ++k) {
    const double z = logistic(y[k - 1] - std::log(static_cast<double>(K - k)));
    r.x[k - 1] = (1.0 - used) * z;
    r.lad += std::log(z * (1.0 - z) * (1.0 - used));
    used += r.x[k - 1];
  }
  r.x[K - 1] = 1.0 - used;
  return r;
}

double abs_sum(const std::vector<double>& u) {
  double s = 0.0;
  for (double e : u) s += std::abs(e);
  return s;
}

// Midpoint rule on (0, 1)^2 with n x n cells.
template <class F>
double integrate_unit_square(const F& f, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) s += f((i + 0.5) / n, (j + 0.5) / n);
  return s / (static_cast<double>(n) * n);
}

}  // namespace

TEST_CASE("simplex: u = 0 is the uniform simplex; K = 1 and K = 2 in closed form") {
  for (std::size_t K = 1; K <= 7; ++K) {
    const Image<double> img = push(StickBreaking{}, std::vector<double>(K - 1, 0.0));
    REQUIRE(img.x.size() == K);
    for (double x : img.x) CHECK(x == doctest::Approx(1.0 / K).epsilon(1e-15));
  }
  const Image<double> one = push(StickBreaking{}, std::vector<double>{});
  CHECK(one.x == std::vector<double>{1.0});
  CHECK(one.lad == 0.0);
  for (double u : {-3.0, -0.2, 0.7, 5.0}) {
    const Image<double> two = push(StickBreaking{}, std::vector<double>{u});
    CHECK(two.x[0] == doctest::Approx(logistic(u)).epsilon(1e-15));
    CHECK(two.x[1] == doctest::Approx(logistic(-u)).epsilon(1e-15));
    CHECK(two.lad == doctest::Approx(std::log(logistic(u) * logistic(-u))).epsilon(1e-14));
  }
}

TEST_CASE("simplex: values and log|det J| match Stan's formula") {
  std::mt19937_64 g(11);
  for (std::size_t K = 2; K <= 8; ++K)
    for (int rep = 0; rep < 4; ++rep) {
      const std::vector<double> u = uniform(g, K - 1, -4.0, 4.0);
      const Image<double> img = push(StickBreaking{}, u), ref = stan_simplex(u);
      for (std::size_t k = 0; k < K; ++k) CHECK(img.x[k] == doctest::Approx(ref.x[k]).epsilon(1e-12));
      CHECK(img.lad == doctest::Approx(ref.lad).epsilon(1e-12));
    }
}

TEST_CASE("simplex: components are positive and sum to 1, also for large |u|") {
  std::mt19937_64 g(12);
  for (std::size_t K = 2; K <= 10; ++K)
    for (double scale : {3.0, 30.0, 200.0}) {
      const std::vector<double> u = uniform(g, K - 1, -scale, scale);
      const Image<double> img = push(StickBreaking{}, u);
      double s = 0.0;
      for (double x : img.x) {
        // Beyond |u| ~ 700 / K a remaining stick of e^{-sum u} can underflow to 0.
        if (scale < 100)
          CHECK(x > 0.0);
        else
          CHECK(x >= 0.0);
        s += x;
      }
      CHECK(std::abs(s - 1.0) <= 4 * eps * K);
      CHECK(std::isfinite(img.lad));
    }
}

TEST_CASE("simplex: round trips u -> x -> u and x -> u -> x") {
  std::mt19937_64 g(13);
  const Bijector b = StickBreaking{};
  for (std::size_t K = 2; K <= 8; ++K) {
    for (int rep = 0; rep < 4; ++rep) {
      const std::vector<double> u = uniform(g, K - 1, -3.0, 3.0);
      check_round_trip_u(b, u, 4 + 2 * abs_sum(u));
    }
    for (double scale : {15.0, 25.0}) {
      const std::vector<double> u = uniform(g, K - 1, -scale, scale);
      check_round_trip_u(b, u, 4 + 2 * abs_sum(u));
    }
    // Simplex points from normalised exponentials, some components tiny.
    for (double spread : {1.0, 10.0}) {
      std::vector<double> x = uniform(g, K, -spread, spread);
      double s = 0.0;
      for (double& e : x) s += (e = std::exp(e));
      for (double& e : x) e /= s;
      check_round_trip_x(b, x, 1e-12);
    }
  }
}

TEST_CASE("simplex: log|det J| equals the log-determinant of the Jacobian of u -> x_1..x_{K-1}") {
  std::mt19937_64 g(14);
  const Bijector b = StickBreaking{};
  for (std::size_t K = 2; K <= 7; ++K)
    for (int rep = 0; rep < 3; ++rep) check_log_det(b, uniform(g, K - 1, -2.5, 2.5), first_rows(K - 1));
}

TEST_CASE("simplex: the push-forward of N(0, I_2) onto the 3-simplex integrates to 1") {
  const Bijector b = StickBreaking{};
  // (x1, x2) = (s, (1 - s) t) covers the triangle x1, x2 > 0, x1 + x2 < 1 with Jacobian 1 - s.
  auto f = [&](double s, double t) {
    const double x1 = s, x2 = (1 - s) * t;
    return pushforward_density(b, {x1, x2, 1 - x1 - x2}) * (1 - s);
  };
  CHECK(integrate_unit_square(f, 500) == doctest::Approx(1.0).epsilon(1e-6));
  // The simplex is symmetric under exchanging x1 and x2 only for the uniform law, not this one:
  // the density itself must carry the Jacobian (without it the mass is not 1).
  auto no_jacobian = [&](double s, double t) {
    const double x1 = s, x2 = (1 - s) * t;
    const std::vector<double> u = pull(b, {x1, x2, 1 - x1 - x2});
    return std::exp(std_normal_log_density(u)) * (1 - s);
  };
  CHECK(std::abs(integrate_unit_square(no_jacobian, 200) - 1.0) > 0.1);
}

TEST_CASE("simplex: derivatives through Var, and double, Var and Dual agree") {
  std::mt19937_64 g(15);
  const Bijector b = StickBreaking{};
  for (std::size_t K : {2, 3, 6}) {
    INFO("K = ", K);
    check_forward_derivatives(b, uniform(g, K - 1, -2.0, 2.0));
    check_modes(b, uniform(g, K - 1, -3.0, 3.0));
    check_modes(b, uniform(g, K - 1, -25.0, 25.0));
  }
}

TEST_CASE("simplex: Var forward is a fixed number of vector nodes") {
  std::vector<std::size_t> counts;
  for (std::size_t K : {10, 50}) {
    NestedScope scope;
    std::vector<Var> u;
    for (std::size_t k = 0; k + 1 < K; ++k) u.push_back(Var::independent(0.1 * static_cast<double>(k) - 1.0));
    const std::size_t before = scope.tape().statements();
    push(Bijector(StickBreaking{}), u);
    counts.push_back(scope.tape().statements() - before);
  }
  CHECK(counts[0] == counts[1]);
}

TEST_CASE("simplex: sizes and inverse errors") {
  const StickBreaking b;
  CHECK(b.constrained_size(0) == 1);
  CHECK(b.constrained_size(4) == 5);
  CHECK(b.unconstrained_size(5) == 4);
  CHECK_THROWS_AS(b.unconstrained_size(0), tapir::size_error);
  CHECK_THROWS_WITH_AS(pull(b, {0.5, 0.6}), "simplex inverse: sum(x) is 1.1000000000000001, must be 1", tapir::domain_error);
  CHECK_THROWS_WITH_AS(pull(b, {1.5, -0.5}), "simplex inverse: x[0] is 1.5, must be in [0, 1]", tapir::domain_error);
  CHECK_THROWS_AS(pull(b, {std::nan(""), 1.0}), tapir::domain_error);
  // A zero component maps to -inf (the boundary).
  CHECK(pull(b, {0.0, 1.0})[0] == -INFINITY);
}

TEST_CASE("ordered: closed form, increasing values") {
  const std::vector<double> u = {-1.0, 0.5, -2.0, 1.0};
  const Image<double> img = push(Ordered{}, u);
  CHECK(img.x[0] == -1.0);
  CHECK(img.x[1] == doctest::Approx(-1.0 + std::exp(0.5)).epsilon(1e-15));
  CHECK(img.x[2] == doctest::Approx(-1.0 + std::exp(0.5) + std::exp(-2.0)).epsilon(1e-15));
  CHECK(img.x[3] == doctest::Approx(-1.0 + std::exp(0.5) + std::exp(-2.0) + std::exp(1.0)).epsilon(1e-15));
  CHECK(img.lad == doctest::Approx(0.5 - 2.0 + 1.0).epsilon(1e-15));
  CHECK(push(Ordered{}, std::vector<double>{}).x.empty());
  CHECK(push(Ordered{}, std::vector<double>{3.0}).x == std::vector<double>{3.0});
  std::mt19937_64 g(21);
  for (std::size_t n = 2; n <= 10; ++n) {
    const Image<double> r = push(Ordered{}, uniform(g, n, -10.0, 10.0));
    for (std::size_t k = 1; k < n; ++k) CHECK(r.x[k] > r.x[k - 1]);
  }
}

TEST_CASE("ordered: round trips, log|det J|, derivatives and modes") {
  std::mt19937_64 g(22);
  const Bijector b = Ordered{};
  for (std::size_t n : {1, 2, 5}) {
    INFO("n = ", n);
    for (int rep = 0; rep < 3; ++rep) check_round_trip_u(b, uniform(g, n, -3.0, 3.0), 4.0 * n);
    check_round_trip_u(b, uniform(g, n, -20.0, 20.0), 4.0 * n);
    std::vector<double> x = uniform(g, n, -50.0, 50.0);
    std::sort(x.begin(), x.end());
    check_round_trip_x(b, x);
    check_log_det(b, uniform(g, n, -2.0, 2.0));
    check_forward_derivatives(b, uniform(g, n, -2.0, 2.0));
    check_modes(b, uniform(g, n, -3.0, 3.0));
  }
}

TEST_CASE("ordered: the push-forward of N(0, I_2) onto {x1 < x2} integrates to 1") {
  const Bijector b = Ordered{};
  // x1 = tan(pi (s - 1/2)) over R, x2 = x1 + t / (1 - t) over (x1, inf).
  auto f = [&](double s, double t) {
    const auto [x1, d1] = to_interval(s, -INFINITY, INFINITY);
    const auto [x2, d2] = to_interval(t, x1, INFINITY);
    return pushforward_density(b, {x1, x2}) * d1 * d2;
  };
  CHECK(integrate_unit_square(f, 800) == doctest::Approx(1.0).epsilon(1e-6));
  // x1 = u1 is standard normal: half the mass has x1 < 0 (s < 1/2).
  auto left = [&](double s, double t) { return f(0.5 * s, t) * 0.5; };
  CHECK(integrate_unit_square(left, 800) == doctest::Approx(0.5).epsilon(1e-6));
}

TEST_CASE("ordered: inverse rejects decreasing values") {
  CHECK_THROWS_WITH_AS(pull(Ordered{}, {0.0, 1.0, 0.5}), "ordered inverse: x[2] is 0.5, must be >= x[1] = 1",
                       tapir::domain_error);
  CHECK(pull(Ordered{}, {1.0, 1.0})[1] == -INFINITY);
}
