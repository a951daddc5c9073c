// The functional API against closed forms: quadratic forms, Rosenbrock, log-sum-exp, Jacobians.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "autodiff/functional.hpp"

using namespace tapir::autodiff;

namespace {

const std::vector<std::vector<double>> A = {{4.0, 1.0, -0.5}, {1.0, 3.0, 0.25}, {-0.5, 0.25, 2.0}};
const std::vector<double> b = {0.5, -1.0, 2.0};

// 0.5 x'Ax + b'x: gradient Ax + b, Hessian A.
auto quadratic = [](const auto& x) {
  using T = typename std::decay_t<decltype(x)>::Scalar;
  T s = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    s += b[i] * x[i];
    for (std::size_t j = 0; j < 3; ++j) s += 0.5 * A[i][j] * x[i] * x[j];
  }
  return s;
};

auto rosenbrock = [](const auto& x) {
  using T = typename std::decay_t<decltype(x)>::Scalar;
  T s = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) s += 100.0 * square(x[i + 1] - square(x[i])) + square(1.0 - x[i]);
  return s;
};

void rosenbrock_closed_form(const std::vector<double>& x, std::vector<double>& g, std::vector<std::vector<double>>& H) {
  const std::size_t n = x.size();
  g.assign(n, 0.0);
  H.assign(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const double r = x[i + 1] - x[i] * x[i];
    g[i] += -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
    g[i + 1] += 200.0 * r;
    H[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
    H[i][i + 1] += -400.0 * x[i];
    H[i + 1][i] += -400.0 * x[i];
    H[i + 1][i + 1] += 200.0;
  }
}

auto lse = [](const auto& x) {
  using T = typename std::decay_t<decltype(x)>::Scalar;
  T s = x[0];
  for (std::size_t i = 1; i < x.size(); ++i) s = log_sum_exp(s, x[i]);
  return s;
};

}  // namespace

TEST_CASE("quadratic form: gradient, Hessian and HVP are exact") {
  const std::vector<double> x = {0.3, -2.0, 1.5}, v = {1.0, -1.0, 0.5};
  const ValueGradientHessian r = hessian(quadratic, x);
  const HessianVectorProduct h = hvp(quadratic, x, v);
  double f = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    double ax = 0.0, av = 0.0;
    for (std::size_t j = 0; j < 3; ++j) {
      ax += A[i][j] * x[j];
      av += A[i][j] * v[j];
      CHECK(r.hessian(i, j) == doctest::Approx(A[i][j]).epsilon(1e-15));
    }
    f += 0.5 * x[i] * ax + b[i] * x[i];
    CHECK(r.gradient[i] == doctest::Approx(ax + b[i]).epsilon(1e-15));
    CHECK(h.gradient[i] == doctest::Approx(ax + b[i]).epsilon(1e-15));
    CHECK(h.hvp[i] == doctest::Approx(av).epsilon(1e-15));
  }
  CHECK(r.value == doctest::Approx(f).epsilon(1e-15));
}

TEST_CASE("Rosenbrock: gradient and Hessian against the closed form") {
  for (const std::vector<double>& x : {std::vector<double>{-1.2, 1.0, 0.7, 2.5}, std::vector<double>{1.0, 1.0, 1.0, 1.0},
                                      std::vector<double>{30.0, -20.0, 1e-3, 4.0}}) {
    std::vector<double> g;
    std::vector<std::vector<double>> H;
    rosenbrock_closed_form(x, g, H);
    const ValueGradientHessian r = hessian(rosenbrock, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK(r.gradient[i] == doctest::Approx(g[i]).epsilon(1e-13));
      for (std::size_t j = 0; j < x.size(); ++j) CHECK(r.hessian(i, j) == doctest::Approx(H[i][j]).epsilon(1e-13));
    }
  }
}

TEST_CASE("log-sum-exp chain: softmax gradient and Hessian diag(p) - p p'") {
  const std::vector<double> x = {0.5, -1.0, 2.0, 0.0, 700.0 - 698.5};
  double m = 2.0, z = 0.0;
  for (double e : x) z += std::exp(e - m);
  std::vector<double> p(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) p[i] = std::exp(x[i] - m) / z;
  const ValueGradientHessian r = hessian(lse, x);
  CHECK(r.value == doctest::Approx(m + std::log(z)).epsilon(1e-15));
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(r.gradient[i] == doctest::Approx(p[i]).epsilon(1e-14));
    for (std::size_t j = 0; j < x.size(); ++j)
      CHECK(r.hessian(i, j) == doctest::Approx((i == j ? p[i] : 0.0) - p[i] * p[j]).epsilon(1e-13));
  }
}

TEST_CASE("HVP agrees with finite differences of the gradient") {
  const std::vector<double> x = {0.4, 0.9, -0.3, 1.7}, v = {0.3, -1.0, 2.0, 0.5};
  auto f = [](const auto& y) { return exp(y[0] * y[1]) * sin(y[2]) + lgamma(y[3] + 1.0) * atan2(y[0], y[3]); };
  const HessianVectorProduct h = hvp(f, x, v);
  const double eps = 1e-4;
  std::vector<double> xp = x, xm = x, xp2 = x, xm2 = x;
  for (std::size_t i = 0; i < 4; ++i) {
    xp[i] += eps * v[i];
    xm[i] -= eps * v[i];
    xp2[i] += 2 * eps * v[i];
    xm2[i] -= 2 * eps * v[i];
  }
  auto gp = gradient(f, xp), gm = gradient(f, xm), gp2 = gradient(f, xp2), gm2 = gradient(f, xm2);
  for (std::size_t i = 0; i < 4; ++i) {
    const double fd = (-gp2[i] + 8 * gp[i] - 8 * gm[i] + gm2[i]) / (12 * eps);
    CHECK(h.hvp[i] == doctest::Approx(fd).epsilon(1e-9));
  }
  const ValueAndDerivative d = directional_derivative(f, x, v);
  double gv = 0.0;
  for (std::size_t i = 0; i < 4; ++i) gv += h.gradient[i] * v[i];
  CHECK(d.value == doctest::Approx(h.value).epsilon(1e-15));
  CHECK(d.derivative == doctest::Approx(gv).epsilon(1e-14));
}

TEST_CASE("Jacobian in both sweep directions") {
  // f(x) = (x0 x1, sin(x0) + x2^2, exp(x1) x2, x0) : R^3 -> R^4 (tangent sweeps), and its first
  // two outputs : R^3 -> R^2 (reverse sweeps).
  auto f4 = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    return Vector<T>{x[0] * x[1], sin(x[0]) + square(x[2]), exp(x[1]) * x[2], x[0]};
  };
  auto f2 = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    return Vector<T>{x[0] * x[1], sin(x[0]) + square(x[2])};
  };
  const std::vector<double> x = {0.7, -0.4, 1.3};
  const double J[4][3] = {{x[1], x[0], 0.0},
                          {std::cos(x[0]), 0.0, 2 * x[2]},
                          {0.0, std::exp(x[1]) * x[2], std::exp(x[1])},
                          {1.0, 0.0, 0.0}};
  const ValueAndJacobian r4 = jacobian(f4, x), r2 = jacobian(f2, x);
  REQUIRE(r4.jacobian.rows() == 4);
  REQUIRE(r2.jacobian.rows() == 2);
  CHECK(r4.value[2] == doctest::Approx(std::exp(x[1]) * x[2]));
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(r4.jacobian(i, j) == doctest::Approx(J[i][j]).epsilon(1e-15));
      if (i < 2) CHECK(r2.jacobian(i, j) == doctest::Approx(J[i][j]).epsilon(1e-15));
    }
}

TEST_CASE("constant functions and functions returning an input") {
  auto constant = [](const auto&) { return 3.5; };
  auto identity = [](const auto& x) { return x[1]; };
  const std::vector<double> x = {1.0, 2.0};
  auto c = value_and_gradient(constant, x);
  CHECK(c.value == 3.5);
  CHECK(c.gradient == std::vector<double>{0.0, 0.0});
  auto i = hvp(identity, x, std::vector<double>{1.0, 1.0});
  CHECK(i.gradient == std::vector<double>{0.0, 1.0});
  CHECK(i.hvp == std::vector<double>{0.0, 0.0});
}

TEST_CASE("mismatched sizes raise invalid_argument naming the argument") {
  const std::vector<double> x = {1.0, 2.0}, v = {1.0};
  std::vector<double> g(3);
  CHECK_THROWS_AS(hvp(rosenbrock, x, v), std::invalid_argument);
  CHECK_THROWS_WITH(value_and_gradient(rosenbrock, x, g), doctest::Contains("gradient has size 3"));
}
