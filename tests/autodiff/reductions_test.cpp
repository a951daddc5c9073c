// Reduction nodes against closed forms for gradients and Hessians.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "autodiff/functional.hpp"
#include "autodiff/reductions.hpp"

using namespace tapir::autodiff;

namespace {
const std::vector<double> x0 = {0.3, -1.1, 2.2, 0.0, -0.4};

template <class F>
ValueGradientHessian full(const F& f) { return hessian(f, x0); }
}  // namespace

TEST_CASE("sum, dot, squared_norm: gradients and Hessians") {
  const ValueGradientHessian s = full([](const auto& x) { return sum(x); });
  const ValueGradientHessian q = full([](const auto& x) { return squared_norm(x); });
  const Vector<double> w{1.0, 2.0, -1.0, 0.5, 3.0};
  const ValueGradientHessian d = full([&](const auto& x) { return dot(w, x) + dot(x, x); });
  for (std::size_t i = 0; i < x0.size(); ++i) {
    CHECK(s.gradient[i] == 1.0);
    CHECK(q.gradient[i] == doctest::Approx(2 * x0[i]));
    CHECK(d.gradient[i] == doctest::Approx(w[i] + 2 * x0[i]));
    for (std::size_t j = 0; j < x0.size(); ++j) {
      CHECK(s.hessian(i, j) == 0.0);
      CHECK(q.hessian(i, j) == (i == j ? 2.0 : 0.0));
      CHECK(d.hessian(i, j) == doctest::Approx(i == j ? 2.0 : 0.0));
    }
  }
}

TEST_CASE("log_sum_exp: softmax gradient and Hessian diag(p) - p p'") {
  const ValueGradientHessian r = full([](const auto& x) { return log_sum_exp(x); });
  double z = 0.0;
  for (double e : x0) z += std::exp(e);
  CHECK(r.value == doctest::Approx(std::log(z)).epsilon(1e-15));
  for (std::size_t i = 0; i < x0.size(); ++i) {
    const double pi = std::exp(x0[i]) / z;
    CHECK(r.gradient[i] == doctest::Approx(pi).epsilon(1e-14));
    for (std::size_t j = 0; j < x0.size(); ++j) {
      const double pj = std::exp(x0[j]) / z;
      CHECK(r.hessian(i, j) == doctest::Approx((i == j ? pi : 0.0) - pi * pj).epsilon(1e-13));
    }
  }
}

TEST_CASE("log_sum_exp is stable at large magnitudes and handles infinities") {
  auto f = [](const auto& x) { return log_sum_exp(x); };
  auto big = value_and_gradient(f, std::vector<double>{1000.0, 1000.0});
  CHECK(big.value == doctest::Approx(1000.0 + std::log(2.0)));
  CHECK(big.gradient[0] == doctest::Approx(0.5));
  const double inf = std::numeric_limits<double>::infinity();
  auto neg = value_and_gradient(f, std::vector<double>{-inf, -inf});
  CHECK(neg.value == -inf);
  CHECK(neg.gradient[0] == 0.0);
  auto pos = value_and_gradient(f, std::vector<double>{inf, 1.0});
  CHECK(pos.value == inf);
  auto nan = value_and_gradient(f, std::vector<double>{std::nan(""), 1.0});
  CHECK(std::isnan(nan.value));
}

TEST_CASE("softmax: Jacobian diag(y) - y y' and second derivatives") {
  const ValueAndJacobian j = jacobian([](const auto& x) { return softmax(x); }, x0);
  double z = 0.0;
  for (double e : x0) z += std::exp(e);
  for (std::size_t i = 0; i < x0.size(); ++i) {
    const double yi = std::exp(x0[i]) / z;
    CHECK(j.value[i] == doctest::Approx(yi).epsilon(1e-15));
    for (std::size_t k = 0; k < x0.size(); ++k)
      CHECK(j.jacobian(i, k) == doctest::Approx((i == k ? yi : 0.0) - yi * std::exp(x0[k]) / z).epsilon(1e-13));
  }
  // y_0: second derivative d2 y_0 / dx_0^2 = y0 (1 - y0)(1 - 2 y0); d2 y_0/dx_0 dx_1 = -y0 y1 (1 - 2 y0).
  const ValueGradientHessian h = full([](const auto& x) { return softmax(x)[0]; });
  const double y0 = std::exp(x0[0]) / z, y1 = std::exp(x0[1]) / z;
  CHECK(h.hessian(0, 0) == doctest::Approx(y0 * (1 - y0) * (1 - 2 * y0)).epsilon(1e-12));
  CHECK(h.hessian(0, 1) == doctest::Approx(-y0 * y1 * (1 - 2 * y0)).epsilon(1e-12));
  // and a weighted sum exercises the full second-order rule against the scalar version
  auto weighted = [](const auto& x) {
    auto y = softmax(x);
    return y[0] * 3.0 - y[2] * y[3] + square(y[4]);
  };
  auto scalar = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    T z = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) z += exp(x[i]);
    return exp(x[0]) / z * 3.0 - exp(x[2]) / z * (exp(x[3]) / z) + square(exp(x[4]) / z);
  };
  const ValueGradientHessian a = full(weighted), b = full(scalar);
  for (std::size_t i = 0; i < x0.size(); ++i)
    for (std::size_t k = 0; k < x0.size(); ++k) CHECK(a.hessian(i, k) == doctest::Approx(b.hessian(i, k)).epsilon(1e-12).scale(1e-3));
}

TEST_CASE("cumulative_sum: lower-triangular Jacobian of ones; second order through a product") {
  const ValueAndJacobian j = jacobian([](const auto& x) { return cumulative_sum(x); }, x0);
  double r = 0.0;
  for (std::size_t i = 0; i < x0.size(); ++i) {
    r += x0[i];
    CHECK(j.value[i] == doctest::Approx(r));
    for (std::size_t k = 0; k < x0.size(); ++k) CHECK(j.jacobian(i, k) == (k <= i ? 1.0 : 0.0));
  }
  // f = sum_i c_i^2 with c = cumsum(x): Hessian 2 L'L, entry (i, k) = 2 (n - max(i, k)).
  const ValueGradientHessian h = full([](const auto& x) { return squared_norm(cumulative_sum(x)); });
  const std::size_t n = x0.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < n; ++k) CHECK(h.hessian(i, k) == doctest::Approx(2.0 * static_cast<double>(n - std::max(i, k))));
}
