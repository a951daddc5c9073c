// Forward mode Dual<T>: arithmetic with literals, nesting (Dual<Dual<double>> and deeper) for
// higher derivatives, Dual<Var> for forward-over-reverse Hessian-vector products, comparisons.
// The per-operation derivative rules are covered in scalar_ops_test.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "autodiff/functional.hpp"

namespace tapir::autodiff::dual_test {
namespace {

using D1 = Dual<double>;
using D2 = Dual<D1>;
using D3 = Dual<D2>;
using DV = Dual<Var>;
using Vec = std::vector<double>;

constexpr double qnan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

doctest::Approx approx(double x, double eps = 1e-13) { return doctest::Approx(x).epsilon(eps); }

D2 seed2(double x) { return D2(D1(x, 1.0), D1(1.0, 0.0)); }
D3 seed3(double x) { return D3(seed2(x), D2(D1(1.0, 0.0), D1(0.0, 0.0))); }

TEST_CASE("construction") {
  constexpr D1 zero;
  CHECK(zero.val == 0.0);
  CHECK(zero.tan == 0.0);
  const D1 c = 2.5;  // a constant: zero tangent
  CHECK(c.val == 2.5);
  CHECK(c.tan == 0.0);
  const D1 i = 3;  // from an int literal
  CHECK(i.val == 3.0);
  CHECK(i.tan == 0.0);
  const D2 c2 = 1.5;
  CHECK(c2.val.val == 1.5);
  CHECK(c2.val.tan == 0.0);
  CHECK(c2.tan.val == 0.0);
  CHECK(c2.tan.tan == 0.0);
  const D2 from_inner = D1(2.0, 1.0);  // the inner Dual becomes the value, the outer tangent is 0
  CHECK(from_inner.val.tan == 1.0);
  CHECK(from_inner.tan.val == 0.0);
  NestedScope scope;
  const DV dv = 4.0;
  CHECK(dv.val.value() == 4.0);
  CHECK(dv.tan.value() == 0.0);
  const DV dv2 = Var::independent(1.0);
  CHECK(dv2.val.value() == 1.0);
  CHECK(value_of(dv2) == 1.0);
}

// f(x) = 3x + x*2 - 1 + 4/x - x/2 + 2.5 - x + (1 + x) - (2 - x) = 5.5 x + 4 / x + 0.5, with
// int and double literals on either side of every operator.
template <class T>
T literals(const T& x) {
  return 3 * x + x * 2 - 1 + 4 / x - x / 2 + 2.5 - x + (1 + x) - (2 - x);
}

TEST_CASE("arithmetic with literal ints and doubles") {
  for (double x : {1.5, -0.3, 4.0}) {
    INFO("x = ", x);
    const double f = 5.5 * x + 4 / x + 0.5, f1 = 5.5 - 4 / (x * x), f2 = 8 / (x * x * x);
    CHECK(literals(x) == approx(f));
    const D1 y = literals(D1(x, 1.0));
    CHECK(y.val == approx(f));
    CHECK(y.tan == approx(f1));
    const D1 yv = literals(D1(x, -2.0));  // the tangent scales linearly
    CHECK(yv.tan == approx(-2.0 * f1));
    const D2 y2 = literals(seed2(x));
    CHECK(y2.val.val == approx(f));
    CHECK(y2.val.tan == approx(f1));
    CHECK(y2.tan.val == approx(f1));
    CHECK(y2.tan.tan == approx(f2));
    // Dual<Var>: the gradient of the tangent is f'' v.
    const auto g = value_and_gradient([](const Vector<Var>& v) { return literals(DV(v[0], Var(0.5))).tan; }, Vec{x});
    CHECK(g.value == approx(0.5 * f1));
    CHECK(g.gradient[0] == approx(0.5 * f2));
  }

  // Unary signs and powers with literal exponents and bases.
  const double x = 1.7;
  const D1 d(x, 1.0);
  CHECK((-d).tan == -1.0);
  CHECK((+d).tan == 1.0);
  CHECK(pow(d, 2).val == approx(x * x));
  CHECK(pow(d, 2).tan == approx(2 * x));
  CHECK(pow(d, 0.5).tan == approx(0.5 / std::sqrt(x)));
  CHECK(pow(2, d).tan == approx(std::pow(2.0, x) * std::log(2.0)));
  CHECK(pow(d, d).tan == approx(std::pow(x, x) * (1 + std::log(x))));
  CHECK(atan2(d, 1).tan == approx(1 / (1 + x * x)));
  CHECK(hypot(3, D1(4.0, 1.0)).tan == approx(0.8));
  const D2 d2 = seed2(x);
  CHECK(pow(d2, 3).tan.tan == approx(6 * x));
  CHECK(pow(2, d2).tan.tan == approx(std::pow(2.0, x) * std::log(2.0) * std::log(2.0)));
  CHECK((1 / d2).tan.tan == approx(2 / (x * x * x)));
  CHECK(fma(d, d, D1(1.0)).tan == approx(2 * x));
}

TEST_CASE("compound assignment") {
  const double x = 0.8;
  D1 z(x, 1.0);
  z += 1;                // x + 1
  z *= D1(x, 1.0);       // (x + 1) x
  z -= 0.5;              // x^2 + x - 0.5
  z /= 2;                // (x^2 + x - 0.5) / 2
  z += D1(x, 1.0);       // (x^2 + 3x - 0.5) / 2
  z *= 4.0;              // 2x^2 + 6x - 1
  z /= D1(x, 1.0);       // 2x + 6 - 1/x
  z -= D1(x, 1.0);       // x + 6 - 1/x
  CHECK(z.val == approx(x + 6 - 1 / x));
  CHECK(z.tan == approx(1 + 1 / (x * x)));

  D2 w = seed2(x);
  w *= seed2(x);
  w *= 3;
  w -= seed2(x);
  w /= 2.0;  // (3x^2 - x) / 2
  CHECK(w.val.val == approx((3 * x * x - x) / 2));
  CHECK(w.val.tan == approx((6 * x - 1) / 2));
  CHECK(w.tan.tan == approx(3.0));
}

// f(x) = exp(sin x) lgamma(x + 1). With g = e^{sin x}, h = lgamma(x + 1):
//   g' = cos x g, g'' = (cos^2 x - sin x) g, g''' = cos x (cos^2 x - 3 sin x - 1) g,
//   h' = psi(x + 1), h'' = psi'(x + 1), h''' = psi''(x + 1),
//   f' = g'h + gh', f'' = g''h + 2g'h' + gh'', f''' = g'''h + 3g''h' + 3g'h'' + gh'''.
template <class T>
T composite(const T& x) {
  return exp(sin(x)) * lgamma(x + 1);
}

TEST_CASE("nested duals: derivatives of a composite function") {
  for (double x : {0.7, 2.3, 5.0, -0.4}) {
    INFO("x = ", x);
    const double s = std::sin(x), c = std::cos(x);
    const double g = std::exp(s), g1 = c * g, g2 = (c * c - s) * g, g3 = c * (c * c - 3 * s - 1) * g;
    const double h = lgamma(x + 1), h1 = digamma(x + 1), h2 = trigamma(x + 1), h3 = polygamma(2, x + 1);
    const double f = g * h, f1 = g1 * h + g * h1, f2 = g2 * h + 2 * g1 * h1 + g * h2;
    const double f3 = g3 * h + 3 * g2 * h1 + 3 * g1 * h2 + g * h3;

    CHECK(composite(x) == approx(f));
    const D1 y1 = composite(D1(x, 1.0));
    CHECK(y1.val == composite(x));
    CHECK(y1.tan == approx(f1, 1e-12));

    const D2 y2 = composite(seed2(x));
    CHECK(y2.val.val == composite(x));
    CHECK(y2.val.tan == y1.tan);
    CHECK(y2.tan.val == approx(f1, 1e-12));
    CHECK(y2.tan.tan == approx(f2, 1e-12));

    const D3 y3 = composite(seed3(x));
    CHECK(y3.val.val.val == composite(x));
    CHECK(y3.tan.tan.val == approx(f2, 1e-12));
    CHECK(y3.tan.tan.tan == approx(f3, 1e-11));

    // The tape agrees: exact Hessian from one recording.
    const auto H = hessian([](const auto& v) { return composite(v[0]); }, Vec{x});
    CHECK(H.gradient[0] == approx(f1, 1e-12));
    CHECK(H.hessian(0, 0) == approx(f2, 1e-12));
    // Forward-over-reverse by types.
    const auto fov = value_and_gradient([](const Vector<Var>& v) { return composite(DV(v[0], Var(1.0))).tan; }, Vec{x});
    CHECK(fov.value == approx(f1, 1e-12));
    CHECK(fov.gradient[0] == approx(f2, 1e-12));
  }
}

// g(x, y) = exp(x y) lgamma(x + y) + x^2 sin(y): mixed partials through Dual<Dual<double>>, with the
// two levels seeded in different directions.
template <class T>
T two_vars(const T& x, const T& y) {
  return exp(x * y) * lgamma(x + y) + x * x * sin(y);
}

TEST_CASE("nested duals: mixed partial derivatives") {
  const double x = 0.9, y = 1.4;
  const auto H = hessian([](const auto& v) { return two_vars(v[0], v[1]); }, Vec{x, y});
  // Inner tangent along u, outer along w: y.tan.tan = u^T H w.
  auto second = [&](double ux, double uy, double wx, double wy) {
    return two_vars(D2(D1(x, ux), D1(wx, 0.0)), D2(D1(y, uy), D1(wy, 0.0))).tan.tan;
  };
  CHECK(second(1, 0, 1, 0) == approx(H.hessian(0, 0), 1e-12));
  CHECK(second(1, 0, 0, 1) == approx(H.hessian(0, 1), 1e-12));
  CHECK(second(0, 1, 1, 0) == approx(H.hessian(1, 0), 1e-12));
  CHECK(second(0, 1, 0, 1) == approx(H.hessian(1, 1), 1e-12));
  CHECK(H.hessian(0, 1) == approx(H.hessian(1, 0), 1e-14));
  // Closed form of the mixed partial: with e = exp(xy), L = lgamma(x + y), p = psi(x + y),
  // q = psi'(x + y): d2/dxdy = e (1 + xy) L + e (x + y) p + e q + 2x cos(y).
  const double e = std::exp(x * y), L = lgamma(x + y), p = digamma(x + y), q = trigamma(x + y);
  CHECK(H.hessian(0, 1) == approx(e * (1 + x * y) * L + e * (x + y) * p + e * q + 2 * x * std::cos(y), 1e-12));
}

// f(x) = x0^2 x1 + exp(x0 x1) + sin(x1) log(x0): Dual<Var> gives H v by differentiating the tangent.
template <class T>
T hvp_fn(const Vector<T>& x) {
  return x[0] * x[0] * x[1] + exp(x[0] * x[1]) + sin(x[1]) * log(x[0]);
}

TEST_CASE("Dual<Var> with value_and_gradient gives the Hessian-vector product") {
  const Vec x{1.3, 0.4}, v{0.7, -1.1};
  const double a = x[0], b = x[1], e = std::exp(a * b);
  const double gx = 2 * a * b + b * e + std::sin(b) / a, gy = a * a + a * e + std::cos(b) * std::log(a);
  const double hxx = 2 * b + b * b * e - std::sin(b) / (a * a);
  const double hxy = 2 * a + e + a * b * e + std::cos(b) / a;
  const double hyy = a * a * e - std::sin(b) * std::log(a);

  auto tangent = [&v](const Vector<Var>& xs) {
    Vector<DV> d(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) d[i] = DV(xs[i], Var(v[i]));
    return hvp_fn(d).tan;
  };
  const auto fov = value_and_gradient(tangent, x);
  CHECK(fov.value == approx(gx * v[0] + gy * v[1]));  // the directional derivative
  CHECK(fov.gradient[0] == approx(hxx * v[0] + hxy * v[1]));
  CHECK(fov.gradient[1] == approx(hxy * v[0] + hyy * v[1]));

  const auto hv = hvp([](const auto& xs) { return hvp_fn(xs); }, x, v);
  CHECK(fov.gradient[0] == approx(hv.hvp[0]));
  CHECK(fov.gradient[1] == approx(hv.hvp[1]));
  CHECK(hv.gradient[0] == approx(gx));
  CHECK(hv.gradient[1] == approx(gy));
  // Forward mode alone gives the same directional derivative.
  CHECK(directional_derivative([](const auto& xs) { return hvp_fn(xs); }, x, v).derivative == approx(fov.value));
  // Nested inside a recording: the tape used by the inner call is rewound, the outer one kept.
  NestedScope scope;
  const std::size_t before = tape().statements();
  const auto again = value_and_gradient(tangent, x);
  CHECK(again.gradient == fov.gradient);
  CHECK(tape().statements() == before);
}

TEST_CASE("Dual<Var> with literals and mixed Var operands") {
  const double x = 0.6;
  // h(x) = (2 x + 1) * y / 3 - pow(x, 2) + atan2(x, 1) with y = exp(x) a Var captured per call.
  const auto g = value_and_gradient(
      [](const Vector<Var>& v) {
        const Var y = exp(v[0]);
        const DV d(v[0], Var(1.0));
        return ((2 * d + 1) * y / 3 - pow(d, 2) + atan2(d, 1)).tan;
      },
      Vec{x});
  // The tangent differentiates only through d: t(x) = 2 e^x / 3 - 2x + 1 / (1 + x^2); the gradient
  // then differentiates t in x through both d and y.
  CHECK(g.value == approx(2 * std::exp(x) / 3 - 2 * x + 1 / (1 + x * x)));
  CHECK(g.gradient[0] == approx(2 * std::exp(x) / 3 - 2 - 2 * x / ((1 + x * x) * (1 + x * x))));
}

TEST_CASE("comparisons look at values, not tangents") {
  const D1 a(1.0, 5.0), b(2.0, -3.0), a2(1.0, -7.0), n(qnan, 1.0);
  CHECK(a < b);
  CHECK(a <= b);
  CHECK(b > a);
  CHECK(b >= a);
  CHECK(a != b);
  CHECK(a == a2);
  CHECK(a <= a2);
  CHECK(a >= a2);
  CHECK(a == 1.0);
  CHECK(1.0 == a);
  CHECK(a == 1);
  CHECK(a != 2.0);
  CHECK(a < 1.5);
  CHECK(1.5 > a);
  CHECK(0 < a);
  CHECK(a >= 1);
  CHECK((a <=> b) == std::partial_ordering::less);
  CHECK((a <=> 1.0) == std::partial_ordering::equivalent);
  CHECK_FALSE(n == n);
  CHECK(n != n);
  CHECK_FALSE(n < a);
  CHECK_FALSE(n >= a);
  CHECK_FALSE(n < 0.0);
  CHECK((n <=> a) == std::partial_ordering::unordered);
  CHECK(isnan(n));
  CHECK_FALSE(isnan(a));
  CHECK(isinf(D1(inf, 0.0)));
  CHECK(isfinite(a));
  CHECK_FALSE(isfinite(D1(-inf, 1.0)));
  CHECK(value_of(b) == 2.0);

  // Nested: the innermost value decides.
  const D2 p = seed2(1.0), q(D1(1.0, -4.0), D1(9.0, 9.0));
  CHECK(p == q);
  CHECK(p == 1.0);
  CHECK(p < 1.5);
  CHECK(2 > p);
  CHECK(p <= q);
  CHECK(value_of(p) == 1.0);
  CHECK(isnan(D2(D1(qnan, 0.0), D1(0.0, 0.0))));

  // Dual<Var>: comparing records nothing on the tape.
  NestedScope scope;
  const DV u(Var::independent(3.0), Var::independent(1.0)), w(Var::independent(3.0), Var(2.0));
  const std::size_t before = tape().statements();
  CHECK(u == w);
  CHECK(u < 4.0);
  CHECK(u >= 3);
  CHECK_FALSE(u < w);
  CHECK(value_of(u) == 3.0);
  CHECK(tape().statements() == before);

  // Branching on a comparison picks a piece; its derivative is that piece's.
  auto piecewise = [](const auto& t) { return t < 1.0 ? t * t : 2 * t - 1; };
  CHECK(piecewise(D1(0.5, 1.0)).tan == 1.0);
  CHECK(piecewise(D1(3.0, 1.0)).tan == 2.0);
}

TEST_CASE("directional_derivative matches the reverse gradient") {
  const Vec x{0.3, -1.2, 2.0};
  auto f = [](const auto& v) { return v[0] * exp(v[1]) + pow(v[2], v[0]) / (1 + v[1] * v[1]) + lgamma(v[2]); };
  const auto g = value_and_gradient(f, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    Vec e(x.size(), 0.0);
    e[i] = 1.0;
    const auto d = directional_derivative(f, x, e);
    CHECK(d.value == g.value);
    CHECK(d.derivative == approx(g.gradient[i], 1e-14));
  }
  const Vec v{1.0, -2.0, 0.5};
  CHECK(directional_derivative(f, x, v).derivative ==
        approx(g.gradient[0] * v[0] + g.gradient[1] * v[1] + g.gradient[2] * v[2], 1e-14));
  CHECK_THROWS_AS(directional_derivative(f, x, Vec{1.0}), std::invalid_argument);
}

}  // namespace
}  // namespace tapir::autodiff::dual_test

TEST_CASE("fma with mixed Dual and plain arguments; comparisons with the inner type") {
  using tapir::autodiff::Dual;
  const Dual<double> a(2.0, 1.0), c(0.5, -1.0);
  const Dual<double> r = fma(a, 3.0, c);
  CHECK(r.val == 6.5);
  CHECK(r.tan == 2.0);
  const Dual<Dual<double>> n(Dual<double>(1.0, 1.0), Dual<double>(0.0, 0.0));
  CHECK(n == Dual<double>(1.0, 0.0));
  CHECK(n < Dual<double>(2.0, 0.0));
  CHECK(n < 1.5);
}
