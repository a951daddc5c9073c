// Every scalar operation of autodiff/scalar_ops.hpp, checked through every mode that uses its rules:
//   - reverse mode (value_and_gradient), exact second order (hessian, hvp) on the tape, in the
//     var-var, var-data and data-var forms of each binary operation (separate opcodes and rules);
//   - forward mode Dual<double> (directional_derivative), Dual<Dual<double>> (second derivatives)
//     and Dual<Var> (forward-over-reverse by types, compared with hvp);
// against closed-form derivatives written out below and against finite differences (a 4-point
// Richardson stencil on the double function, and on the AD gradient for second derivatives).
//
// The tables are the harness: one line per operation, with the function as a generic lambda, its
// closed-form derivatives and the points to test (including domain edges and large magnitudes).
//
// Derivative conventions observed (and asserted in "conventions" below):
//   - abs'(0) = 0 (also at -0.0); abs'' = 0.
//   - fmin/fmax: a tie sends the whole derivative to the first argument; a NaN argument is
//     ignored by the value and receives derivative 0.
//   - pow(a, b): the derivative in the exponent is 0 wherever the value is 0 (a = 0, b > 0); at
//     a < 0 it is NaN (log of a negative base), the derivative in the base stays finite.
//   - log_sum_exp at a tie: 1/2 for each argument.
//   - outside a domain, the derivative is the rule's formula evaluated there, so it may be finite
//     while the value is NaN (log at -1 has value NaN and derivative 1/x = -1); at an edge where the
//     value is infinite the derivative is infinite (log'(0) = +inf, sqrt'(0) = +inf).
//   - polygamma(n, x): the derivative in the order n is NaN.
//   - the tape's exact Hessian where the first derivative is infinite is NaN, not the second
//     derivative's formula value (sqrt and log at 0: the second-order sweep forms 0 * inf).
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/functional.hpp"

namespace tapir::autodiff::scalar_ops_test {
namespace {

using D1 = Dual<double>;
using D2 = Dual<D1>;
using DV = Dual<Var>;
using Vec = std::vector<double>;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double qnan = std::numeric_limits<double>::quiet_NaN();
constexpr double pi = std::numbers::pi;

// Tolerances (relative): AD against closed forms evaluated in double, AD against finite
// differences, and two AD modes that evaluate a second derivative differently (the tape uses the
// op's second-derivative rule, nested forward mode differentiates its first-derivative rule, which
// can be less well conditioned: hypot's d/db = b / y differentiated in b cancels to a^2 / y^3).
constexpr double kClosed = 1e-12;
constexpr double kFd = 1e-7;
constexpr double kModes = 1e-9;
// Roundoff floor of a finite difference, as a multiple of max|f| / h over the stencil (about 450
// ulps of f; the checks pass with 1e-14 on glibc).
constexpr double kFdFloor = 1e-13;

std::string num(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// Bitwise equal, or both NaN.
bool identical(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
// NaN matches NaN, an infinity matches only itself, 0 matches -0.
bool close(double got, double want, double rtol, double atol = 0.0) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  if (std::isinf(got) || std::isinf(want)) return got == want;
  return std::fabs(got - want) <= rtol * std::max(std::fabs(got), std::fabs(want)) + atol;
}
void check_close(double got, double want, double rtol, const char* what, double atol = 0.0) {
  INFO(std::string(what), ": got ", num(got), ", want ", num(want));
  CHECK(close(got, want, rtol, atol));
}
void check_identical(double got, double want, const char* what) {
  INFO(std::string(what), ": got ", num(got), ", want ", num(want));
  CHECK(identical(got, want));
}

// ---- finite differences ------------------------------------------------------------------

// A power of two near 1e-3 * length, so that x +- h and x +- 2h are exact.
double step(double length) { return std::exp2(std::round(std::log2(1e-3 * length))); }

struct Fd {
  double d;      // the derivative estimate
  double floor;  // its roundoff floor: max|f| / h
};
// f'(x) ~ (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h, error O(h^4).
template <class F>
Fd richardson(const F& f, double x, double h) {
  const double m2 = f(x - 2 * h), m1 = f(x - h), p1 = f(x + h), p2 = f(x + 2 * h);
  const double big = std::max({std::fabs(m2), std::fabs(m1), std::fabs(p1), std::fabs(p2)});
  return {(m2 - 8 * m1 + 8 * p1 - p2) / (12 * h), big / h};
}
void check_fd(double ad, const Fd& fd, const char* what) {
  if (!std::isfinite(ad)) return;
  INFO(std::string(what), ": AD ", num(ad), ", finite difference ", num(fd.d));
  CHECK(close(ad, fd.d, kFd, kFdFloor * fd.floor));
}

// Characteristic lengths (the FD step is 1e-3 of the length, capped by the distance to the
// nearest singular point of the operation).
double rel(double x) { return std::max(1.0, std::fabs(x)); }
double unit(double) { return 1.0; }
double tail(double x) { return 1.0 / std::max(1.0, std::fabs(x)); }  // Gaussian tails

// 1 / (1 + e^-x) and its derivative, written independently of the library.
double logistic(double x) { return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }
double logistic_density(double x) {
  const double e = std::exp(-std::fabs(x));
  return e / ((1.0 + e) * (1.0 + e));
}

D2 seed2(double x, double inner, double outer) { return D2(D1(x, inner), D1(outer, 0.0)); }

// ---- unary operations --------------------------------------------------------------------

struct UnaryOp {
  const char* name;
  double (*f)(const double&);
  Var (*fv)(const Var&);
  D1 (*f1)(const D1&);
  D2 (*f2)(const D2&);
  DV (*fdv)(const DV&);
  double (*d1)(double);
  double (*d2)(double);
  Vec points;
  double (*len)(double);
  Vec singular;
};

template <class F>
UnaryOp unary_op(const char* name, F f, double (*d1)(double), double (*d2)(double), Vec points,
                 double (*len)(double) = rel, Vec singular = {}) {
  return {name, f, f, f, f, f, d1, d2, std::move(points), len, std::move(singular)};
}

#define FN1(expr) [](const auto& x) { return expr; }
#define CF(expr) []([[maybe_unused]] double x) -> double { return expr; }

const Vec gamma_poles = {0.0, -1.0, -2.0, -3.0, -4.0};

const std::vector<UnaryOp>& unary_ops() {
  using std::numbers::ln10;
  using std::numbers::ln2;
  static const double sqrt2pi = std::sqrt(2 * pi);
  static const std::vector<UnaryOp> table = {
      unary_op("operator-", FN1(-x), CF(-1.0), CF(0.0), {-3.0, 0.5, 2.0, 1e10}),
      unary_op("exp", FN1(exp(x)), CF(std::exp(x)), CF(std::exp(x)), {-700.0, -5.0, 0.0, 1.3, 700.0}, unit),
      unary_op("log", FN1(log(x)), CF(1 / x), CF(-1 / (x * x)), {1e-8, 0.5, 3.0, 1e300}, rel, {0.0}),
      unary_op("log1p", FN1(log1p(x)), CF(1 / (1 + x)), CF(-1 / ((1 + x) * (1 + x))),
               {-0.999, -0.5, 1e-10, 2.0, 1e10}, rel, {-1.0}),
      unary_op("expm1", FN1(expm1(x)), CF(std::exp(x)), CF(std::exp(x)), {-3.0, 1e-10, 0.5, 700.0}, unit),
      unary_op("log2", FN1(log2(x)), CF(1 / (x * ln2)), CF(-1 / (x * x * ln2)), {1e-8, 0.7, 5.0, 1e300}, rel, {0.0}),
      unary_op("log10", FN1(log10(x)), CF(1 / (x * ln10)), CF(-1 / (x * x * ln10)), {1e-8, 0.7, 5.0, 1e300}, rel,
               {0.0}),
      unary_op("sqrt", FN1(sqrt(x)), CF(0.5 / std::sqrt(x)), CF(-0.25 / (x * std::sqrt(x))), {1e-8, 0.3, 4.0, 1e300},
               rel, {0.0}),
      unary_op("cbrt", FN1(cbrt(x)), CF(1 / (3 * std::cbrt(x) * std::cbrt(x))),
               CF(-2 / (9 * std::pow(std::cbrt(x), 5))), {-8.0, -0.1, 1e-9, 2.0, 1e300}, rel, {0.0}),
      unary_op("square", FN1(square(x)), CF(2 * x), CF(2.0), {-3.0, 0.0, 1.5, 1e100}),
      unary_op("inv", FN1(inv(x)), CF(-1 / (x * x)), CF(2 / (x * x * x)), {-2.0, 1e-8, 0.5, 1e100}, rel, {0.0}),
      unary_op("abs", FN1(abs(x)), CF(x > 0 ? 1.0 : -1.0), CF(0.0), {-2.5, 1e-5, 1.5}, rel, {0.0}),
      unary_op("sin", FN1(sin(x)), CF(std::cos(x)), CF(-std::sin(x)), {-1.0, 0.0, 0.5, 3.0, 100.0}, unit),
      unary_op("cos", FN1(cos(x)), CF(-std::sin(x)), CF(-std::cos(x)), {-1.0, 0.0, 0.5, 3.0, 100.0}, unit),
      unary_op("tan", FN1(tan(x)), CF(1 / (std::cos(x) * std::cos(x))),
               CF(2 * std::sin(x) / std::pow(std::cos(x), 3)), {-1.2, 0.0, 0.5, 1.5}, unit, {-pi / 2, pi / 2}),
      unary_op("asin", FN1(asin(x)), CF(1 / std::sqrt((1 - x) * (1 + x))),
               CF(x / std::pow((1 - x) * (1 + x), 1.5)), {-0.999, -0.3, 0.0, 0.6, 0.999}, rel, {-1.0, 1.0}),
      unary_op("acos", FN1(acos(x)), CF(-1 / std::sqrt((1 - x) * (1 + x))),
               CF(-x / std::pow((1 - x) * (1 + x), 1.5)), {-0.999, -0.3, 0.0, 0.6, 0.999}, rel, {-1.0, 1.0}),
      unary_op("atan", FN1(atan(x)), CF(1 / (1 + x * x)), CF(-2 * x / ((1 + x * x) * (1 + x * x))),
               {-50.0, -1.0, 0.0, 0.3, 1e10}),
      unary_op("sinh", FN1(sinh(x)), CF(std::cosh(x)), CF(std::sinh(x)), {-3.0, 0.0, 0.7, 700.0}, unit),
      unary_op("cosh", FN1(cosh(x)), CF(std::sinh(x)), CF(std::cosh(x)), {-3.0, 0.0, 0.7, 700.0}, unit),
      unary_op("tanh", FN1(tanh(x)), CF(1 / (std::cosh(x) * std::cosh(x))),
               CF(-2 * std::tanh(x) / (std::cosh(x) * std::cosh(x))), {-0.5, 0.0, 1.0, 5.0}, unit),
      unary_op("asinh", FN1(asinh(x)), CF(1 / std::sqrt(1 + x * x)), CF(-x / std::pow(1 + x * x, 1.5)),
               {-1e5, -1.0, 0.0, 0.5, 1e100}),
      unary_op("acosh", FN1(acosh(x)), CF(1 / std::sqrt((x - 1) * (x + 1))),
               CF(-x / std::pow((x - 1) * (x + 1), 1.5)), {1.0001, 1.5, 10.0, 1e100}, rel, {1.0}),
      unary_op("atanh", FN1(atanh(x)), CF(1 / ((1 - x) * (1 + x))),
               CF(2 * x / ((1 - x) * (1 + x) * (1 - x) * (1 + x))), {-0.999, -0.2, 0.0, 0.5, 0.999}, rel,
               {-1.0, 1.0}),
      unary_op("erf", FN1(erf(x)), CF(2 / std::sqrt(pi) * std::exp(-x * x)),
               CF(-4 * x / std::sqrt(pi) * std::exp(-x * x)), {-3.0, -0.5, 0.0, 1.0, 5.0}, tail),
      unary_op("erfc", FN1(erfc(x)), CF(-2 / std::sqrt(pi) * std::exp(-x * x)),
               CF(4 * x / std::sqrt(pi) * std::exp(-x * x)), {-3.0, 0.0, 1.0, 5.0, 26.0}, tail),
      unary_op("Phi", FN1(Phi(x)), CF(std::exp(-x * x / 2) / sqrt2pi), CF(-x * std::exp(-x * x / 2) / sqrt2pi),
               {-37.0, -5.0, 0.0, 1.5, 8.0}, tail),
      unary_op("inv_Phi", FN1(inv_Phi(x)), CF(sqrt2pi * std::exp(square(inv_Phi(x)) / 2)),
               CF(inv_Phi(x) * 2 * pi * std::exp(square(inv_Phi(x)))), {1e-10, 0.025, 0.5, 0.9, 1 - 1e-10}, rel,
               {0.0, 1.0}),
      unary_op("lgamma", FN1(lgamma(x)), CF(digamma(x)), CF(trigamma(x)), {-2.5, 0.01, 0.5, 3.7, 1e5}, rel,
               gamma_poles),
      unary_op("digamma", FN1(digamma(x)), CF(trigamma(x)), CF(polygamma(2, x)), {-2.5, 0.3, 1.0, 7.5, 1e5}, rel,
               gamma_poles),
      unary_op("trigamma", FN1(trigamma(x)), CF(polygamma(2, x)), CF(polygamma(3, x)), {-1.5, 0.2, 2.0, 30.0},
               rel, gamma_poles),
      unary_op("tgamma", FN1(tgamma(x)), CF(std::tgamma(x) * digamma(x)),
               CF(std::tgamma(x) * (square(digamma(x)) + trigamma(x))), {-1.5, 0.3, 1.0, 4.5, 170.0}, unit,
               gamma_poles),
      unary_op("log1p_exp", FN1(log1p_exp(x)), CF(logistic(x)), CF(logistic_density(x)),
               {-700.0, -20.0, 0.0, 3.0, 40.0, 700.0}, unit),
      unary_op("log1m_exp", FN1(log1m_exp(x)), CF(std::exp(x) / std::expm1(x)),
               CF(-std::exp(x) / square(std::expm1(x))), {-30.0, -2.0, -0.5, -1e-3, -1e-8}, unit, {0.0}),
      unary_op("logit", FN1(logit(x)), CF(1 / (x * (1 - x))), CF((2 * x - 1) / square(x * (1 - x))),
               {1e-6, 0.1, 0.5, 0.8, 1 - 1e-6}, rel, {0.0, 1.0}),
      unary_op("inv_logit", FN1(inv_logit(x)), CF(logistic_density(x)),
               CF(-logistic_density(x) * std::tanh(x / 2)), {-40.0, -3.0, 0.0, 2.0, 40.0}, unit),
      unary_op("log_inv_logit", FN1(log_inv_logit(x)), CF(logistic(-x)), CF(-logistic_density(x)),
               {-40.0, -2.0, 0.0, 1.0, 40.0}, unit),
      unary_op("log1m_inv_logit", FN1(log1m_inv_logit(x)), CF(-logistic(x)), CF(-logistic_density(x)),
               {-40.0, -2.0, 0.0, 1.0, 40.0}, unit),
      // polygamma(int, x): the binary op Polygamma in its data-var form.
      unary_op("polygamma_op(0, x)", FN1(polygamma(0, x)), CF(polygamma(1, x)), CF(polygamma(2, x)),
               {-1.5, 0.5, 2.5, 40.0}, rel, gamma_poles),
      unary_op("polygamma_op(1, x)", FN1(polygamma(1, x)), CF(polygamma(2, x)), CF(polygamma(3, x)),
               {-1.5, 0.5, 2.5, 40.0}, rel, gamma_poles),
      unary_op("polygamma_op(2, x)", FN1(polygamma(2, x)), CF(polygamma(3, x)), CF(polygamma(4, x)),
               {-1.5, 0.5, 2.5, 40.0}, rel, gamma_poles),
      unary_op("polygamma_op(5, x)", FN1(polygamma(5, x)), CF(polygamma(6, x)), CF(polygamma(7, x)),
               {0.5, 2.5, 40.0}, rel, gamma_poles),
  };
  return table;
}

double fd_length(const UnaryOp& op, double x) {
  double len = op.len(x);
  for (double s : op.singular) len = std::min(len, std::fabs(x - s));
  return len;
}

// Value of the op through the Var overload, recorded in a scope that is rewound at once.
double var_value(const UnaryOp& op, double x) {
  NestedScope scope;
  return op.fv(Var::independent(x)).value();
}

void check_unary(const UnaryOp& op, double x) {
  INFO(std::string(op.name), "(", num(x), ")");
  const double fx = op.f(x);
  const Vec xs{x};
  auto fvar = [&op](const Vector<Var>& v) { return op.fv(v[0]); };

  // Values: every mode equals the double function exactly.
  check_identical(var_value(op, x), fx, "Var value");

  // Reverse mode against the closed form and finite differences.
  const auto g = value_and_gradient(fvar, xs);
  check_identical(g.value, fx, "value_and_gradient value");
  check_close(g.gradient[0], op.d1(x), kClosed, "gradient vs closed form");
  const double h = step(fd_length(op, x));
  check_fd(g.gradient[0], richardson(op.f, x, h), "gradient vs finite difference");

  // Exact second order on the tape.
  const auto H = hessian(fvar, xs);
  const double hxx = H.hessian(0, 0);
  check_identical(H.value, fx, "hessian value");
  check_identical(H.gradient[0], g.gradient[0], "hessian gradient");
  check_close(hxx, op.d2(x), kClosed, "hessian vs closed form");
  const auto hv = hvp(fvar, xs, Vec{0.75});
  check_identical(hv.gradient[0], g.gradient[0], "hvp gradient");
  check_close(hv.hvp[0], 0.75 * hxx, 1e-15, "hvp vs hessian");
  auto grad_at = [&fvar](double t) { return value_and_gradient(fvar, Vec{t}).gradient[0]; };
  check_fd(hxx, richardson(grad_at, x, h), "hessian vs finite difference of the gradient");

  // Forward mode: the same rules, so the first derivative is the reverse one exactly.
  const auto dd = directional_derivative([&op](const Vector<D1>& v) { return op.f1(v[0]); }, xs, Vec{1.0});
  check_identical(dd.value, fx, "Dual<double> value");
  // (close with zero tolerance: a reverse sweep turns a -0 derivative into 0 + -0 = +0.)
  check_close(dd.derivative, g.gradient[0], 0.0, "Dual<double> derivative");
  const D2 y2 = op.f2(seed2(x, 1.0, 1.0));
  check_identical(y2.val.val, fx, "Dual<Dual> value");
  check_close(y2.val.tan, g.gradient[0], 0.0, "Dual<Dual> inner derivative");
  check_close(y2.tan.val, g.gradient[0], 0.0, "Dual<Dual> outer derivative");
  check_close(y2.tan.tan, hxx, kModes, "Dual<Dual> second derivative vs hessian");

  // Forward-over-reverse by types: the gradient of the tangent is the Hessian-vector product.
  const auto fov = value_and_gradient(
      [&op](const Vector<Var>& v) { return op.fdv(DV(v[0], Var(0.75))).tan; }, xs);
  check_close(fov.value, 0.75 * g.gradient[0], 1e-15, "Dual<Var> tangent");
  check_close(fov.gradient[0], hv.hvp[0], kModes, "Dual<Var> vs hvp");
}

TEST_CASE("unary operations: derivatives in every mode") {
  for (const UnaryOp& op : unary_ops()) {
    for (double x : op.points) check_unary(op, x);
  }
}

// ---- binary operations -------------------------------------------------------------------

using Pt = std::pair<double, double>;
using BinFn = double (*)(double, double);

struct BinaryOp {
  const char* name;
  double (*f)(const double&, const double&);
  Var (*fvv)(const Var&, const Var&);
  Var (*fvd)(const Var&, const double&);
  Var (*fdv)(const double&, const Var&);
  D1 (*f1)(const D1&, const D1&);
  D1 (*f1d)(const D1&, const double&);
  D1 (*fd1)(const double&, const D1&);
  D2 (*f2)(const D2&, const D2&);
  D2 (*f2d)(const D2&, const double&);
  D2 (*fd2)(const double&, const D2&);
  DV (*fdv2)(const DV&, const DV&);
  BinFn da, db, daa, dab, dbb;
  std::vector<Pt> points;
  Pt (*len)(double, double);
};

Pt rel2(double a, double b) { return {rel(a), rel(b)}; }

template <class F>
BinaryOp binary_op(const char* name, F f, BinFn da, BinFn db, BinFn daa, BinFn dab, BinFn dbb,
                   std::vector<Pt> points, Pt (*len)(double, double) = rel2) {
  return {name, f, f, f, f, f, f, f, f, f, f, f, da, db, daa, dab, dbb, std::move(points), len};
}

// The double form of the residual normal density (the library's lives in distributions/); the Var
// and Dual forms are found by argument-dependent lookup.
double normal_residual_lpdf(double d, double s) { return ops::NormalResidual::value(d, s); }

#define FN2(expr) [](const auto& a, const auto& b) { return expr; }
#define CF2(expr) []([[maybe_unused]] double a, [[maybe_unused]] double b) -> double { return expr; }

const std::vector<BinaryOp>& binary_ops() {
  static const std::vector<BinaryOp> table = {
      binary_op("operator+", FN2(a + b), CF2(1.0), CF2(1.0), CF2(0.0), CF2(0.0), CF2(0.0),
                {{1.5, -2.0}, {0.0, 3.0}, {1e10, 1e-10}}),
      binary_op("operator-", FN2(a - b), CF2(1.0), CF2(-1.0), CF2(0.0), CF2(0.0), CF2(0.0),
                {{1.5, -2.0}, {0.0, 3.0}, {1e10, 1e-10}}),
      binary_op("operator*", FN2(a * b), CF2(b), CF2(a), CF2(0.0), CF2(1.0), CF2(0.0),
                {{1.5, -2.0}, {0.0, 3.0}, {1e150, 1e-150}}),
      binary_op("operator/", FN2(a / b), CF2(1 / b), CF2(-a / (b * b)), CF2(0.0), CF2(-1 / (b * b)),
                CF2(2 * a / (b * b * b)), {{1.5, -2.0}, {0.0, 3.0}, {3.0, 1e-8}, {1e100, 1e100}},
                [](double a, double b) -> Pt { return {rel(a), std::min(rel(b), std::fabs(b))}; }),
      binary_op("pow", FN2(pow(a, b)), CF2(b * std::pow(a, b - 1)), CF2(std::pow(a, b) * std::log(a)),
                CF2(b * (b - 1) * std::pow(a, b - 2)), CF2(std::pow(a, b - 1) * (1 + b * std::log(a))),
                CF2(std::pow(a, b) * square(std::log(a))),
                {{2.0, 3.0}, {0.5, -1.5}, {3.0, 0.5}, {1e-3, 2.5}, {10.0, 300.0}, {1.1, 0.0}},
                [](double a, double b) -> Pt {
                  return {std::min(rel(a), std::fabs(a)) / rel(b), 1 / rel(std::log(a))};
                }),
      binary_op("atan2", FN2(atan2(a, b)), CF2(b / (a * a + b * b)), CF2(-a / (a * a + b * b)),
                CF2(-2 * a * b / square(a * a + b * b)), CF2((a * a - b * b) / square(a * a + b * b)),
                CF2(2 * a * b / square(a * a + b * b)),
                {{1.0, 2.0}, {-0.5, -1.0}, {3.0, -0.2}, {1e-8, 1.0}, {0.0, 1.0}},
                [](double a, double b) -> Pt { return {std::hypot(a, b), std::hypot(a, b)}; }),
      binary_op("hypot", FN2(hypot(a, b)), CF2(a / std::hypot(a, b)), CF2(b / std::hypot(a, b)),
                CF2(b * b / std::pow(std::hypot(a, b), 3)), CF2(-a * b / std::pow(std::hypot(a, b), 3)),
                CF2(a * a / std::pow(std::hypot(a, b), 3)), {{3.0, 4.0}, {-1.0, 0.5}, {1e-3, 2.0}},
                [](double a, double b) -> Pt { return {std::hypot(a, b), std::hypot(a, b)}; }),
      binary_op("fmin", FN2(fmin(a, b)), CF2(a < b ? 1.0 : 0.0), CF2(a < b ? 0.0 : 1.0), CF2(0.0), CF2(0.0),
                CF2(0.0), {{1.0, 2.0}, {3.0, -1.0}, {-0.5, 0.5}},
                [](double a, double b) -> Pt { return {std::fabs(a - b) / 4, std::fabs(a - b) / 4}; }),
      binary_op("fmax", FN2(fmax(a, b)), CF2(a > b ? 1.0 : 0.0), CF2(a > b ? 0.0 : 1.0), CF2(0.0), CF2(0.0),
                CF2(0.0), {{1.0, 2.0}, {3.0, -1.0}, {-0.5, 0.5}},
                [](double a, double b) -> Pt { return {std::fabs(a - b) / 4, std::fabs(a - b) / 4}; }),
      binary_op("log_sum_exp", FN2(log_sum_exp(a, b)), CF2(logistic(a - b)), CF2(logistic(b - a)),
                CF2(logistic_density(a - b)), CF2(-logistic_density(a - b)), CF2(logistic_density(a - b)),
                {{0.25, -0.5}, {1.0, 2.0}, {800.0, 790.0}, {-1000.0, -1001.0}, {3.0, -40.0}},
                [](double, double) -> Pt { return {1.0, 1.0}; }),
      // d = a - b > 0: d/da = 1 / (1 - e^-d), d/db = -e^-d / (1 - e^-d).
      binary_op("log_diff_exp", FN2(log_diff_exp(a, b)), CF2(-1 / std::expm1(b - a)),
                CF2(std::exp(b - a) / std::expm1(b - a)), CF2(-std::exp(b - a) / square(std::expm1(b - a))),
                CF2(std::exp(b - a) / square(std::expm1(b - a))), CF2(-std::exp(b - a) / square(std::expm1(b - a))),
                {{1.0, 0.0}, {0.0, -3.0}, {2.0, 2.0 - 1e-6}, {-1.0, -10.0}, {700.0, 699.0}},
                [](double a, double b) -> Pt { return {std::min(1.0, a - b), std::min(1.0, a - b)}; }),
      binary_op("lbeta", FN2(lbeta(a, b)), CF2(digamma(a) - digamma(a + b)), CF2(digamma(b) - digamma(a + b)),
                CF2(trigamma(a) - trigamma(a + b)), CF2(-trigamma(a + b)), CF2(trigamma(b) - trigamma(a + b)),
                {{0.5, 1.5}, {2.0, 3.0}, {1e-3, 2.0}, {100.0, 0.3}, {1e4, 1e4}},
                [](double a, double b) -> Pt { return {std::min(rel(a), a), std::min(rel(b), b)}; }),
      binary_op("lchoose", FN2(lchoose(a, b)), CF2(digamma(a + 1) - digamma(a - b + 1)),
                CF2(digamma(a - b + 1) - digamma(b + 1)), CF2(trigamma(a + 1) - trigamma(a - b + 1)),
                CF2(trigamma(a - b + 1)), CF2(-trigamma(b + 1) - trigamma(a - b + 1)),
                {{5.0, 2.0}, {10.5, 3.2}, {3.0, 0.5}, {100.0, 50.0}},
                [](double a, double b) -> Pt {
                  const double m = std::min({a - b + 1, b + 1, a + 1});
                  return {std::min(rel(a), m), std::min(rel(b), m)};
                }),
      // Residual d and scale s: -(d/s)^2 / 2 - log s - log(2 pi) / 2.
      binary_op("normal_residual_lpdf", FN2(normal_residual_lpdf(a, b)), CF2(-a / (b * b)),
                CF2((a * a / (b * b) - 1) / b), CF2(-1 / (b * b)), CF2(2 * a / (b * b * b)),
                CF2((1 - 3 * a * a / (b * b)) / (b * b)), {{0.5, 1.2}, {-3.0, 0.5}, {0.0, 2.0}, {1e3, 1e-2}},
                [](double a, double b) -> Pt { return {rel(a), std::min(rel(b), b)}; }),
  };
  return table;
}

void check_binary(const BinaryOp& op, double a, double b) {
  INFO(std::string(op.name), " at (", num(a), ", ", num(b), ")");
  const double y = op.f(a, b);
  const Vec ab{a, b}, xa{a}, xb{b};
  const double da = op.da(a, b), db = op.db(a, b);
  const double daa = op.daa(a, b), dab = op.dab(a, b), dbb = op.dbb(a, b);
  const auto [la, lb] = op.len(a, b);
  const double ha = step(la), hb = step(lb);
  auto fa = [&](double t) { return op.f(t, b); };
  auto fb = [&](double t) { return op.f(a, t); };

  // ---- var-var ----
  auto fvv = [&op](const Vector<Var>& v) { return op.fvv(v[0], v[1]); };
  const auto g = value_and_gradient(fvv, ab);
  check_identical(g.value, y, "vv value");
  check_close(g.gradient[0], da, kClosed, "vv d/da vs closed form");
  check_close(g.gradient[1], db, kClosed, "vv d/db vs closed form");
  check_fd(g.gradient[0], richardson(fa, a, ha), "vv d/da vs finite difference");
  check_fd(g.gradient[1], richardson(fb, b, hb), "vv d/db vs finite difference");
  const auto H = hessian(fvv, ab);
  check_close(H.hessian(0, 0), daa, kClosed, "vv d2/da2 vs closed form");
  check_close(H.hessian(0, 1), dab, kClosed, "vv d2/dadb vs closed form");
  check_close(H.hessian(1, 0), dab, kClosed, "vv d2/dbda vs closed form");
  check_close(H.hessian(1, 1), dbb, kClosed, "vv d2/db2 vs closed form");
  auto grad_vv = [&fvv](double s, double t, int i) { return value_and_gradient(fvv, Vec{s, t}).gradient[i]; };
  check_fd(H.hessian(0, 0), richardson([&](double t) { return grad_vv(t, b, 0); }, a, ha), "vv d2/da2 vs FD");
  check_fd(H.hessian(1, 0), richardson([&](double t) { return grad_vv(t, b, 1); }, a, ha), "vv d2/dbda vs FD");
  check_fd(H.hessian(0, 1), richardson([&](double t) { return grad_vv(a, t, 0); }, b, hb), "vv d2/dadb vs FD");
  check_fd(H.hessian(1, 1), richardson([&](double t) { return grad_vv(a, t, 1); }, b, hb), "vv d2/db2 vs FD");
  const Vec v{0.6, -0.8};
  const auto hv = hvp(fvv, ab, v);
  check_close(hv.hvp[0], daa * v[0] + dab * v[1], kClosed, "vv hvp[0] vs closed form",
              kClosed * (std::fabs(daa * v[0]) + std::fabs(dab * v[1])));
  check_close(hv.hvp[1], dab * v[0] + dbb * v[1], kClosed, "vv hvp[1] vs closed form",
              kClosed * (std::fabs(dab * v[0]) + std::fabs(dbb * v[1])));

  // Forward modes in the var-var form.
  const auto d1a = directional_derivative([&op](const Vector<D1>& x) { return op.f1(x[0], x[1]); }, ab, Vec{1, 0});
  const auto d1b = directional_derivative([&op](const Vector<D1>& x) { return op.f1(x[0], x[1]); }, ab, Vec{0, 1});
  check_identical(d1a.value, y, "Dual value");
  check_close(d1a.derivative, g.gradient[0], 0.0, "Dual d/da vs reverse");
  check_close(d1b.derivative, g.gradient[1], 0.0, "Dual d/db vs reverse");
  const D2 yaa = op.f2(seed2(a, 1, 1), seed2(b, 0, 0));
  const D2 yab = op.f2(seed2(a, 1, 0), seed2(b, 0, 1));
  const D2 ybb = op.f2(seed2(a, 0, 0), seed2(b, 1, 1));
  check_identical(yaa.val.val, y, "Dual<Dual> value");
  check_close(yaa.tan.tan, H.hessian(0, 0), kModes, "Dual<Dual> d2/da2 vs hessian");
  check_close(yab.tan.tan, H.hessian(0, 1), kModes, "Dual<Dual> d2/dadb vs hessian");
  check_close(ybb.tan.tan, H.hessian(1, 1), kModes, "Dual<Dual> d2/db2 vs hessian");
  const auto fov = value_and_gradient(
      [&op, &v](const Vector<Var>& x) { return op.fdv2(DV(x[0], Var(v[0])), DV(x[1], Var(v[1]))).tan; }, ab);
  // Absolute floor: the hvp entries can cancel to 0.
  const double scale0 = std::fabs(daa * v[0]) + std::fabs(dab * v[1]);
  const double scale1 = std::fabs(dab * v[0]) + std::fabs(dbb * v[1]);
  check_close(fov.gradient[0], hv.hvp[0], kModes, "Dual<Var> vs hvp [0]", kModes * scale0);
  check_close(fov.gradient[1], hv.hvp[1], kModes, "Dual<Var> vs hvp [1]", kModes * scale1);

  // ---- var-data ----
  auto fvd = [&op, b](const Vector<Var>& x) { return op.fvd(x[0], b); };
  const auto gvd = value_and_gradient(fvd, xa);
  check_identical(gvd.value, y, "vd value");
  check_close(gvd.gradient[0], da, kClosed, "vd d/da vs closed form");
  check_fd(gvd.gradient[0], richardson(fa, a, ha), "vd d/da vs finite difference");
  const auto Hvd = hessian(fvd, xa);
  check_close(Hvd.hessian(0, 0), daa, kClosed, "vd d2/da2 vs closed form");
  check_fd(Hvd.hessian(0, 0),
           richardson([&](double t) { return value_and_gradient(fvd, Vec{t}).gradient[0]; }, a, ha),
           "vd d2/da2 vs FD");
  check_close(hvp(fvd, xa, Vec{-1.5}).hvp[0], -1.5 * daa, kClosed, "vd hvp vs closed form");
  const auto dvd = directional_derivative([&op, b](const Vector<D1>& x) { return op.f1d(x[0], b); }, xa, Vec{1});
  check_identical(dvd.value, y, "Dual vd value");
  check_close(dvd.derivative, gvd.gradient[0], 0.0, "Dual vd derivative vs reverse");
  const D2 y2vd = op.f2d(seed2(a, 1, 1), b);
  check_identical(y2vd.val.val, y, "Dual<Dual> vd value");
  check_close(y2vd.tan.tan, Hvd.hessian(0, 0), kModes, "Dual<Dual> vd second derivative");

  // ---- data-var ----
  auto fdv = [&op, a](const Vector<Var>& x) { return op.fdv(a, x[0]); };
  const auto gdv = value_and_gradient(fdv, xb);
  check_identical(gdv.value, y, "dv value");
  check_close(gdv.gradient[0], db, kClosed, "dv d/db vs closed form");
  check_fd(gdv.gradient[0], richardson(fb, b, hb), "dv d/db vs finite difference");
  const auto Hdv = hessian(fdv, xb);
  check_close(Hdv.hessian(0, 0), dbb, kClosed, "dv d2/db2 vs closed form");
  check_fd(Hdv.hessian(0, 0),
           richardson([&](double t) { return value_and_gradient(fdv, Vec{t}).gradient[0]; }, b, hb),
           "dv d2/db2 vs FD");
  check_close(hvp(fdv, xb, Vec{2.5}).hvp[0], 2.5 * dbb, kClosed, "dv hvp vs closed form");
  const auto ddv = directional_derivative([&op, a](const Vector<D1>& x) { return op.fd1(a, x[0]); }, xb, Vec{1});
  check_identical(ddv.value, y, "Dual dv value");
  check_close(ddv.derivative, gdv.gradient[0], 0.0, "Dual dv derivative vs reverse");
  const D2 y2dv = op.fd2(a, seed2(b, 1, 1));
  check_identical(y2dv.val.val, y, "Dual<Dual> dv value");
  check_close(y2dv.tan.tan, Hdv.hessian(0, 0), kModes, "Dual<Dual> dv second derivative");
}

TEST_CASE("binary operations: derivatives in every form and mode") {
  for (const BinaryOp& op : binary_ops()) {
    for (const auto& [a, b] : op.points) check_binary(op, a, b);
  }
}

// The var-var opcode with both operands on one slot: f(x, x) has derivative da + db and second
// derivative daa + 2 dab + dbb.
TEST_CASE("binary operations with one variable in both arguments") {
  const double x = 1.7;
  for (const BinaryOp& op : binary_ops()) {
    if (!std::isfinite(op.f(x, x))) continue;  // log_diff_exp(x, x) = -inf
    INFO(std::string(op.name), "(x, x) at x = ", num(x));
    auto f = [&op](const Vector<Var>& v) { return op.fvv(v[0], v[0]); };
    const double da = op.da(x, x), db = op.db(x, x), daa = op.daa(x, x), dab = op.dab(x, x), dbb = op.dbb(x, x);
    const auto H = hessian(f, Vec{x});
    check_close(H.gradient[0], da + db, kClosed, "derivative vs closed form", kClosed * (std::fabs(da) + std::fabs(db)));
    check_close(H.hessian(0, 0), daa + 2 * dab + dbb, kClosed, "second derivative vs closed form",
                kClosed * (std::fabs(daa) + 2 * std::fabs(dab) + std::fabs(dbb)));
    const double h = step(1.0);
    check_fd(H.gradient[0], richardson([&op](double t) { return op.f(t, t); }, x, h), "derivative vs FD");
    check_fd(H.hessian(0, 0), richardson([&f](double t) { return value_and_gradient(f, Vec{t}).gradient[0]; }, x, h),
             "second derivative vs FD of the gradient");
    check_close(hvp(f, Vec{x}, Vec{-2.0}).hvp[0], -2.0 * H.hessian(0, 0), 1e-15, "hvp vs hessian");
    const D2 y2 = op.f2(seed2(x, 1, 1), seed2(x, 1, 1));
    check_close(y2.val.tan, H.gradient[0], 1e-15, "Dual<Dual> derivative", 1e-15 * (std::fabs(da) + std::fabs(db)));
    check_close(y2.tan.tan, H.hessian(0, 0), kModes, "Dual<Dual> second derivative",
                kModes * (std::fabs(daa) + 2 * std::fabs(dab) + std::fabs(dbb)));
  }
}

// Every operation of the lists in scalar_ops.hpp has a line in the tables above: a new operation
// without one fails here.
TEST_CASE("every listed operation is in the tables") {
  std::vector<std::string> unary_names, binary_names;
  for (const UnaryOp& op : unary_ops()) unary_names.emplace_back(op.name);
  for (const BinaryOp& op : binary_ops()) binary_names.emplace_back(op.name);
  auto covered = [](const std::vector<std::string>& names, const std::string& fn) {
    return std::any_of(names.begin(), names.end(), [&fn](const std::string& n) { return n.rfind(fn, 0) == 0; });
  };
#define TAPIR_TEST_U(Op, fn)                                  \
  {                                                           \
    INFO("unary operation " #Op " (" #fn ")");                \
    CHECK(covered(unary_names, #fn));                         \
  }
#define TAPIR_TEST_B(Op, fn)                                                                    \
  {                                                                                             \
    INFO("binary operation " #Op " (" #fn ")");                                                 \
    /* polygamma_op(n, x) is tested as the unary family polygamma(n, x) */                      \
    CHECK((covered(binary_names, #fn) || covered(unary_names, #fn)));                           \
  }
  TAPIR_UNARY_OPS(TAPIR_TEST_U)
  TAPIR_BINARY_OPS(TAPIR_TEST_B)
#undef TAPIR_TEST_U
#undef TAPIR_TEST_B
}

// ---- IEEE behaviour outside the domains ------------------------------------------------------

const Vec special_points = {-2.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.0, 1e308, -1e308, inf, -inf, qnan};

TEST_CASE("unary operations: IEEE values outside the domain, nothing throws") {
  for (const UnaryOp& op : unary_ops()) {
    for (double x : special_points) {
      INFO(std::string(op.name), "(", num(x), ")");
      const double fx = op.f(x);
      check_identical(var_value(op, x), fx, "Var value");
      auto fvar = [&op](const Vector<Var>& v) { return op.fv(v[0]); };
      ValueAndGradient g{};
      CHECK_NOTHROW(g = value_and_gradient(fvar, Vec{x}));
      check_identical(g.value, fx, "value_and_gradient value");
      CHECK_NOTHROW(hessian(fvar, Vec{x}));
      CHECK_NOTHROW(hvp(fvar, Vec{x}, Vec{1.0}));
      ValueAndDerivative dd{};
      CHECK_NOTHROW(dd = directional_derivative([&op](const Vector<D1>& v) { return op.f1(v[0]); }, Vec{x}, Vec{1}));
      check_identical(dd.value, fx, "Dual value");
      // Both modes evaluate the same rule: same derivative, NaN-ness included.
      check_close(dd.derivative, g.gradient[0], 0.0, "Dual derivative vs reverse");
      check_identical(op.f2(seed2(x, 1, 1)).val.val, fx, "Dual<Dual> value");
    }
  }
}

TEST_CASE("binary operations: IEEE values outside the domain, nothing throws") {
  const std::vector<Pt> pts = {{-1.0, 2.0}, {0.0, 0.0}, {2.0, -1.0}, {0.0, -1.0}, {-1.0, 0.5}, {inf, 1.0},
                               {1.0, inf},  {-inf, -inf}, {inf, inf}, {qnan, 1.0}, {1.0, qnan}, {-2.0, -3.0}};
  for (const BinaryOp& op : binary_ops()) {
    for (const Pt& p : pts) {
      const double a = p.first, b = p.second;  // (lambdas capture these; not a structured binding)
      INFO(std::string(op.name), " at (", num(a), ", ", num(b), ")");
      const double y = op.f(a, b);
      {
        NestedScope scope;
        const Var va = Var::independent(a), vb = Var::independent(b);
        check_identical(op.fvv(va, vb).value(), y, "vv value");
        check_identical(op.fvd(va, b).value(), y, "vd value");
        check_identical(op.fdv(a, vb).value(), y, "dv value");
      }
      check_identical(op.f1(D1(a, 1), D1(b, 0)).val, y, "Dual value");
      check_identical(op.f1d(D1(a, 1), b).val, y, "Dual vd value");
      check_identical(op.fd1(a, D1(b, 1)).val, y, "Dual dv value");
      check_identical(op.f2(seed2(a, 1, 1), seed2(b, 0, 0)).val.val, y, "Dual<Dual> value");
      auto fvv = [&op](const Vector<Var>& x) { return op.fvv(x[0], x[1]); };
      auto fvd = [&op, b](const Vector<Var>& x) { return op.fvd(x[0], b); };
      auto fdv = [&op, a](const Vector<Var>& x) { return op.fdv(a, x[0]); };
      ValueAndGradient g{}, gvd{}, gdv{};
      CHECK_NOTHROW(g = value_and_gradient(fvv, Vec{a, b}));
      CHECK_NOTHROW(gvd = value_and_gradient(fvd, Vec{a}));
      CHECK_NOTHROW(gdv = value_and_gradient(fdv, Vec{b}));
      CHECK_NOTHROW(hessian(fvv, Vec{a, b}));
      CHECK_NOTHROW(hessian(fvd, Vec{a}));
      CHECK_NOTHROW(hessian(fdv, Vec{b}));
      // The three forms evaluate the same first-derivative rules.
      check_close(gvd.gradient[0], g.gradient[0], 0.0, "vd vs vv d/da");
      check_close(gdv.gradient[0], g.gradient[1], 0.0, "dv vs vv d/db");
      check_close(op.f1d(D1(a, 1), b).tan, gvd.gradient[0], 0.0, "Dual vd vs reverse");
      check_close(op.fd1(a, D1(b, 1)).tan, gdv.gradient[0], 0.0, "Dual dv vs reverse");
    }
  }
}

template <class F>
double var_val(F f, double x) {
  NestedScope scope;
  return f(Var::independent(x)).value();
}
template <class F>
double var_grad(F f, double x) {
  return value_and_gradient([&f](const Vector<Var>& v) { return f(v[0]); }, Vec{x}).gradient[0];
}

TEST_CASE("IEEE values at domain edges") {
  auto vlog = [](const Var& x) { return log(x); };
  auto vsqrt = [](const Var& x) { return sqrt(x); };
  CHECK(std::isnan(var_val(vlog, -1.0)));
  CHECK(var_val(vlog, 0.0) == -inf);
  CHECK(var_val(vlog, inf) == inf);
  CHECK(std::isnan(var_val(vsqrt, -1.0)));
  CHECK(var_val(vsqrt, 0.0) == 0.0);
  CHECK(std::isnan(var_val([](const Var& x) { return acosh(x); }, 0.5)));
  CHECK(std::isnan(var_val([](const Var& x) { return asin(x); }, 1.5)));
  CHECK(var_val([](const Var& x) { return atanh(x); }, 1.0) == inf);
  CHECK(var_val([](const Var& x) { return log1p(x); }, -1.0) == -inf);
  CHECK(std::isnan(var_val([](const Var& x) { return log1p(x); }, -2.0)));
  CHECK(var_val([](const Var& x) { return lgamma(x); }, 0.0) == inf);
  CHECK(var_val([](const Var& x) { return lgamma(x); }, -2.0) == inf);
  CHECK(std::isnan(var_val([](const Var& x) { return digamma(x); }, 0.0)));
  CHECK(var_val([](const Var& x) { return trigamma(x); }, 0.0) == inf);
  CHECK(std::isnan(var_val([](const Var& x) { return tgamma(x); }, -1.0)));
  CHECK(var_val([](const Var& x) { return logit(x); }, 0.0) == -inf);
  CHECK(var_val([](const Var& x) { return logit(x); }, 1.0) == inf);
  CHECK(std::isnan(var_val([](const Var& x) { return logit(x); }, 1.5)));
  CHECK(var_val([](const Var& x) { return log1m_exp(x); }, 0.0) == -inf);
  CHECK(std::isnan(var_val([](const Var& x) { return log1m_exp(x); }, 0.5)));
  CHECK(var_val([](const Var& x) { return inv_Phi(x); }, 0.0) == -inf);
  CHECK(std::isnan(var_val([](const Var& x) { return inv_Phi(x); }, 1.2)));
  CHECK(var_val([](const Var& x) { return inv(x); }, 0.0) == inf);
  CHECK(var_val([](const Var& x) { return inv(x); }, -0.0) == -inf);
  CHECK(std::isnan(var_val([](const Var& x) { return pow(x, 0.5); }, -1.0)));
  CHECK(std::isnan(var_val([](const Var& x) { return log_diff_exp(x, 1.0); }, 0.0)));
  CHECK(var_val([](const Var& x) { return log_diff_exp(x, 1.0); }, 1.0) == -inf);
  CHECK(std::isnan(var_val([](const Var& x) { return lbeta(x, 1.0); }, -1.0)));
  CHECK(var_val([](const Var& x) { return hypot(x, qnan); }, inf) == inf);
  CHECK(var_val([](const Var& x) { return fmin(x, 1.0); }, qnan) == 1.0);
  CHECK(var_val([](const Var& x) { return log_sum_exp(x, 1.0); }, inf) == inf);
  // Derivatives there: the rule's formula evaluated at the point.
  CHECK(var_grad(vlog, 0.0) == inf);
  CHECK(var_grad(vlog, -1.0) == -1.0);  // value NaN, formula 1/x finite
  CHECK(var_grad(vsqrt, 0.0) == inf);
  CHECK(std::isnan(var_grad(vsqrt, -1.0)));
  CHECK(var_grad([](const Var& x) { return atanh(x); }, 1.0) == inf);
  CHECK(std::isnan(var_grad([](const Var& x) { return acosh(x); }, 0.5)));
  CHECK(var_grad([](const Var& x) { return fmin(x, 1.0); }, qnan) == 0.0);  // the NaN is ignored
  CHECK(var_grad([](const Var& x) { return fmin(1.0, x); }, qnan) == 0.0);
  CHECK(var_grad([](const Var& x) { return log_sum_exp(x, 1.0); }, inf) == 1.0);
}

// ---- conventions -------------------------------------------------------------------------

TEST_CASE("conventions at kinks and degenerate points") {
  // abs at 0 (and -0): derivative 0, second derivative 0, in every mode.
  auto fabs1 = [](const auto& x) { return abs(x[0]); };
  for (double z : {0.0, -0.0}) {
    CHECK(gradient(fabs1, Vec{z})[0] == 0.0);
    CHECK(hessian(fabs1, Vec{z}).hessian(0, 0) == 0.0);
    CHECK(directional_derivative(fabs1, Vec{z}, Vec{1.0}).derivative == 0.0);
    CHECK(abs(seed2(z, 1, 1)).tan.tan == 0.0);
  }
  CHECK(gradient([](const auto& x) { return fabs(x[0]); }, Vec{-3.0})[0] == -1.0);

  // fmin / fmax ties: the first argument gets the derivative, in all three forms.
  for (double t : {1.0, -2.0, 0.0}) {
    INFO("tie at ", t);
    auto gmin = gradient([](const auto& x) { return fmin(x[0], x[1]); }, Vec{t, t});
    auto gmax = gradient([](const auto& x) { return fmax(x[0], x[1]); }, Vec{t, t});
    CHECK(gmin == Vec{1.0, 0.0});
    CHECK(gmax == Vec{1.0, 0.0});
    CHECK(gradient([t](const auto& x) { return fmin(x[0], t); }, Vec{t})[0] == 1.0);
    CHECK(gradient([t](const auto& x) { return fmax(x[0], t); }, Vec{t})[0] == 1.0);
    CHECK(gradient([t](const auto& x) { return fmin(t, x[0]); }, Vec{t})[0] == 0.0);
    CHECK(gradient([t](const auto& x) { return fmax(t, x[0]); }, Vec{t})[0] == 0.0);
    CHECK(fmin(D1(t, 1.0), D1(t, 2.0)).tan == 1.0);
    CHECK(fmax(D1(t, 1.0), D1(t, 2.0)).tan == 1.0);
  }
  // A NaN argument is ignored by the value, and the other argument takes the derivative.
  CHECK(gradient([](const auto& x) { return fmin(x[0], x[1]); }, Vec{qnan, 2.0}) == Vec{0.0, 1.0});
  CHECK(gradient([](const auto& x) { return fmax(x[0], x[1]); }, Vec{2.0, qnan}) == Vec{1.0, 0.0});

  // pow: the derivative in the exponent is 0 where the value is 0.
  auto fpow = [](const auto& x) { return pow(x[0], x[1]); };
  CHECK(gradient(fpow, Vec{0.0, 2.0}) == Vec{0.0, 0.0});
  CHECK(gradient(fpow, Vec{0.0, 1.0}) == Vec{1.0, 0.0});
  CHECK(gradient(fpow, Vec{0.0, 3.0}) == Vec{0.0, 0.0});
  CHECK(gradient(fpow, Vec{0.0, 0.5})[0] == inf);
  CHECK(hessian(fpow, Vec{0.0, 2.0}).hessian(0, 0) == 2.0);
  CHECK(hessian(fpow, Vec{0.0, 3.0}).hessian(1, 1) == 0.0);
  CHECK(gradient([](const auto& x) { return pow(0.0, x[0]); }, Vec{2.0})[0] == 0.0);
  CHECK(directional_derivative([](const auto& x) { return pow(0.0, x[0]); }, Vec{2.0}, Vec{1.0}).derivative == 0.0);
  // Negative base, integer exponent: finite in the base, NaN in the exponent.
  const auto gneg = gradient(fpow, Vec{-2.0, 3.0});
  CHECK(gneg[0] == 12.0);
  CHECK(std::isnan(gneg[1]));
  CHECK(gradient([](const auto& x) { return pow(x[0], 3.0); }, Vec{-2.0})[0] == 12.0);
  CHECK(hessian([](const auto& x) { return pow(x[0], 3.0); }, Vec{-2.0}).hessian(0, 0) == -12.0);

  // log_sum_exp at a tie: 1/2 each, Hessian [[1/4, -1/4], [-1/4, 1/4]].
  const auto hl = hessian([](const auto& x) { return log_sum_exp(x[0], x[1]); }, Vec{0.3, 0.3});
  CHECK(hl.gradient == Vec{0.5, 0.5});
  CHECK(hl.hessian(0, 0) == 0.25);
  CHECK(hl.hessian(0, 1) == -0.25);
  CHECK(hl.hessian(1, 1) == 0.25);

  // polygamma: the order is data; the derivative in it is NaN when it is recorded as a Var.
  const auto gp = gradient([](const auto& x) { return polygamma_op(x[0], x[1]); }, Vec{1.0, 2.5});
  CHECK(std::isnan(gp[0]));
  CHECK(gp[1] == doctest::Approx(polygamma(2, 2.5)).epsilon(1e-14));
  CHECK(std::isnan(gradient([](const auto& x) { return polygamma_op(x[0], 2.5); }, Vec{1.0})[0]));
  CHECK(gradient([](const auto& x) { return polygamma(1, x[0]); }, Vec{2.5})[0] == polygamma(2, 2.5));
}

// ---- fma, compound assignment, comparisons -----------------------------------------------------

TEST_CASE("fma in every Var/double combination") {
  const double a = 1.5, b = -2.25, c = 0.75, want = std::fma(a, b, c);
  auto check = [&](const auto& f, const Vec& x, const Vec& grad, const std::vector<Vec>& hess) {
    const auto H = hessian(f, x);
    CHECK(H.value == doctest::Approx(want).epsilon(1e-15));
    CHECK(H.gradient == grad);
    for (std::size_t i = 0; i < x.size(); ++i)
      for (std::size_t j = 0; j < x.size(); ++j) CHECK(H.hessian(i, j) == hess[i][j]);
  };
  check([](const auto& x) { return fma(x[0], x[1], x[2]); }, Vec{a, b, c}, Vec{b, a, 1.0},
        {{0, 1, 0}, {1, 0, 0}, {0, 0, 0}});
  check([&](const auto& x) { return fma(x[0], b, x[1]); }, Vec{a, c}, Vec{b, 1.0}, {{0, 0}, {0, 0}});
  check([&](const auto& x) { return fma(a, x[0], c); }, Vec{b}, Vec{a}, {{0}});
  check([&](const auto& x) { return fma(x[0], x[1], c); }, Vec{a, b}, Vec{b, a}, {{0, 1}, {1, 0}});
  check([&](const auto& x) { return fma(a, b, x[0]); }, Vec{c}, Vec{1.0}, {{0}});
  check([&](const auto& x) { return fma(x[0], b, c); }, Vec{a}, Vec{b}, {{0}});
  check([&](const auto& x) { return fma(a, x[0], x[1]); }, Vec{b, c}, Vec{a, 1.0}, {{0, 0}, {0, 0}});
  // Literal ints convert.
  CHECK(gradient([](const auto& x) { return fma(x[0], 2, 1); }, Vec{a})[0] == 2.0);
  // Forward mode.
  const D1 y = fma(D1(a, 1.0), D1(b, 0.0), D1(c, 1.0));
  CHECK(y.val == doctest::Approx(want).epsilon(1e-15));
  CHECK(y.tan == b + 1.0);
}

// z = x; z += y; z *= x; z -= 2; z /= y; z += 3; z *= 1.5; z -= x; z /= 4
//   = (1.5 x^2 / y + 0.5 x - 3 / y + 4.5) / 4.
template <class T>
T compound(const T& x, const T& y) {
  T z = x;
  z += y;
  z *= x;
  z -= 2.0;
  z /= y;
  z += 3.0;
  z *= 1.5;
  z -= x;
  z /= 4.0;
  return z;
}

TEST_CASE("compound assignment with Var and double operands") {
  const double x = 1.3, y = -0.7;
  auto f = [](const auto& v) { return compound(v[0], v[1]); };
  const auto H = hessian(f, Vec{x, y});
  const double value = (1.5 * x * x / y + 0.5 * x - 3 / y + 4.5) / 4;
  CHECK(H.value == doctest::Approx(value).epsilon(1e-14));
  CHECK(H.gradient[0] == doctest::Approx((3 * x / y + 0.5) / 4).epsilon(1e-14));
  CHECK(H.gradient[1] == doctest::Approx((-1.5 * x * x + 3) / (y * y) / 4).epsilon(1e-14));
  CHECK(H.hessian(0, 0) == doctest::Approx(3 / y / 4).epsilon(1e-14));
  CHECK(H.hessian(0, 1) == doctest::Approx(-3 * x / (y * y) / 4).epsilon(1e-14));
  CHECK(H.hessian(1, 0) == doctest::Approx(-3 * x / (y * y) / 4).epsilon(1e-14));
  CHECK(H.hessian(1, 1) == doctest::Approx((3 * x * x - 6) / (y * y * y) / 4).epsilon(1e-14));
  // The same through Dual<double> and Dual<Dual<double>> (whose compound ops take Duals).
  const auto dd = directional_derivative(f, Vec{x, y}, Vec{0.5, 2.0});
  CHECK(dd.derivative == doctest::Approx(0.5 * H.gradient[0] + 2.0 * H.gradient[1]).epsilon(1e-14));
  const D2 z2 = compound(seed2(x, 1, 0), seed2(y, 0, 1));
  CHECK(z2.tan.tan == doctest::Approx(H.hessian(0, 1)).epsilon(1e-14));

  // Each compound form records the same as the binary operator it stands for.
  NestedScope scope;
  const Var a = Var::independent(2.5), b = Var::independent(-4.0);
  Var z = a;
  CHECK((z += b).value() == -1.5);
  CHECK((z -= b).value() == 2.5);
  CHECK((z *= b).value() == -10.0);
  CHECK((z /= b).value() == 2.5);
  CHECK((z += 1.0).value() == 3.5);
  CHECK((z -= 0.5).value() == 3.0);
  CHECK((z *= 2.0).value() == 6.0);
  CHECK((z /= 4.0).value() == 1.5);
  CHECK((z += 1).value() == 2.5);  // literal int
  const auto gz = gradient(
      [](const auto& v) {
        auto w = v[0];
        w *= v[0];
        w /= 2;
        w -= v[1];
        return w;
      },
      Vec{3.0, 1.0});
  CHECK(gz == Vec{3.0, -1.0});
}

TEST_CASE("comparisons look at values only") {
  NestedScope scope;
  const Var a = Var::independent(1.0), b = Var::independent(2.0), a2 = exp(Var::independent(0.0));
  const Var n = Var::independent(qnan);
  CHECK(a < b);
  CHECK(a <= b);
  CHECK(b > a);
  CHECK(b >= a);
  CHECK(a != b);
  CHECK(a == a2);  // different slots, same value
  CHECK(a <= a2);
  CHECK(a >= a2);
  CHECK(a < 1.5);
  CHECK(1.5 < b);
  CHECK(a == 1.0);
  CHECK(1.0 == a);
  CHECK(a != 2.0);
  CHECK(2 > a);
  CHECK(a >= 1);
  CHECK_FALSE(n == n);
  CHECK(n != n);
  CHECK_FALSE(n < a);
  CHECK_FALSE(n > a);
  CHECK_FALSE(n <= 1.0);
  CHECK_FALSE(n >= 1.0);
  CHECK((a <=> b) == std::partial_ordering::less);
  CHECK((n <=> a) == std::partial_ordering::unordered);
  CHECK(isnan(n));
  CHECK_FALSE(isnan(a));
  CHECK(isinf(Var(inf)));
  CHECK(isfinite(a));
  // Comparing records nothing.
  const std::size_t before = tape().statements();
  [[maybe_unused]] const bool c = a < b && a == 1.0 && b >= a;
  CHECK(tape().statements() == before);
  // Dual: the value decides, tangents are ignored.
  CHECK(D1(1.0, 5.0) == D1(1.0, -3.0));
  CHECK(D1(1.0, 5.0) < D1(2.0, -3.0));
  CHECK(D1(1.0, 5.0) < 1.5);
  CHECK(1.5 > D1(1.0, 5.0));
  CHECK(seed2(1.0, 1, 1) == 1.0);
  CHECK(seed2(1.0, 1, 1) < seed2(2.0, 0, 0));
  CHECK(DV(a, b) == DV(a2, a));
  CHECK(DV(a, b) < 1.5);
}

// ---- regressions ------------------------------------------------------------------------------
// Each of these failed against an earlier version of the rules (cancellation, overflow of an
// intermediate, a constant where nested modes need the rule's slope).
TEST_CASE("regressions: derivative rules fixed after review") {
  // 1. LogSumExp::da/db return the constant 0.5 at a tie (a == b). Nested forward mode
  //    differentiates the first-derivative rule, so Dual<Dual<T>> and Dual<Var> see a zero second
  //    derivative there instead of +-1/4 (the tape's own daa/dab/dbb rules are right).
  {
    const D2 y = log_sum_exp(seed2(0.3, 1, 1), seed2(0.3, 0, 0));
    check_close(y.tan.tan, 0.25, 1e-15, "Dual<Dual> d2/da2 of log_sum_exp at a tie");
    const D2 y2 = log_sum_exp(seed2(0.3, 1, 0), seed2(0.3, 0, 1));
    check_close(y2.tan.tan, -0.25, 1e-15, "Dual<Dual> d2/dadb of log_sum_exp at a tie");
    const auto fov = value_and_gradient(
        [](const Vector<Var>& x) { return log_sum_exp(DV(x[0], Var(1.0)), DV(x[1], Var(0.0))).tan; },
        Vec{0.3, 0.3});
    check_close(fov.gradient[0], 0.25, 1e-15, "Dual<Var> hvp of log_sum_exp at a tie [0]");
    check_close(fov.gradient[1], -0.25, 1e-15, "Dual<Var> hvp of log_sum_exp at a tie [1]");
  }
  // 2. Expm1::d1 = d2 = y + 1 loses relative accuracy as x decreases (y -> -1) and is 0 for
  //    x < -37 instead of e^x; it also spoils nested derivatives of log_diff_exp and log1m_exp.
  {
    auto f = [](const Vector<Var>& x) { return expm1(x[0]); };
    const auto H = hessian(f, Vec{-40.0});
    check_close(H.gradient[0], std::exp(-40.0), 1e-12, "expm1'(-40)");
    check_close(H.hessian(0, 0), std::exp(-40.0), 1e-12, "expm1''(-40)");
    check_close(gradient(f, Vec{-20.0})[0], std::exp(-20.0), 1e-12, "expm1'(-20)");
    const D2 y = log_diff_exp(seed2(-1.0, 1, 1), seed2(-40.0, 0, 0));
    check_close(y.tan.tan, -std::exp(-39.0) / square(std::expm1(-39.0)), 1e-12,
                "Dual<Dual> d2/da2 of log_diff_exp(-1, -40)");
  }
  // 3. Tanh::d1 = (1 - y)(1 + y) loses relative accuracy as |x| grows and is 0 for |x| > 19.1
  //    instead of 1 / cosh(x)^2 (same for d2).
  for (double x : {-20.0, 20.0, 10.0}) {
    INFO("tanh at ", x);
    const auto H = hessian([](const Vector<Var>& v) { return tanh(v[0]); }, Vec{x});
    const double c = std::cosh(x);
    check_close(H.gradient[0], 1 / (c * c), 1e-12, "tanh'");
    check_close(H.hessian(0, 0), -2 * std::tanh(x) / (c * c), 1e-12, "tanh''");
  }
  // 4. Hypot's second derivatives b^2 / y^3, -ab / y^3, a^2 / y^3 are NaN (inf / inf, 0 / 0) once
  //    y^3 overflows or underflows, although the results are representable.
  for (double t : {1e200, 1e-200}) {
    INFO("hypot(t, t) at t = ", t);
    const auto H = hessian([](const Vector<Var>& v) { return hypot(v[0], v[1]); }, Vec{t, t});
    const double r = std::hypot(t, t), u = t / r;
    check_close(H.hessian(0, 0), u * u / r, 1e-12, "d2/da2");
    check_close(H.hessian(0, 1), -u * u / r, 1e-12, "d2/dadb");
  }
  // 5. Atan2's derivatives divide by a^2 + b^2, which overflows or underflows: the gradient is 0 at
  //    (1e200, 1e200) and inf at (1e-200, 1e-200), the Hessian NaN; the true values are representable.
  for (double t : {1e200, 1e-150, 1e-200}) {
    INFO("atan2(t, t) at t = ", t);
    const auto H = hessian([](const Vector<Var>& v) { return atan2(v[0], v[1]); }, Vec{t, t});
    const double r = std::hypot(t, t);
    check_close(H.gradient[0], (t / r) / r, 1e-12, "d/da");
    check_close(H.gradient[1], -(t / r) / r, 1e-12, "d/db");
    if (t < 1e-160) continue;  // the Hessian -+1 / (2 t^2) itself overflows
    check_close(H.hessian(0, 0), -0.5 / t / t, 1e-12, "d2/da2");
    check_close(H.hessian(0, 1), 0.0, 1e-12, "d2/dadb");
  }
  // 6. Pow at a = 0, b = 0: d/da = b * pow(a, b - 1) = 0 * inf = NaN, but a^0 = 1 for every a.
  check_close(gradient([](const auto& x) { return pow(x[0], x[1]); }, Vec{0.0, 0.0})[0], 0.0, 0.0, "d/da pow(0, 0)");
  check_close(gradient([](const auto& x) { return pow(x[0], 0.0); }, Vec{0.0})[0], 0.0, 0.0, "d/da pow(0, 0.0)");
  //    Likewise d2/da2 = b (b - 1) pow(a, b - 2) = 0 * inf at a = 0 for b = 0 and b = 1 (a^1 is linear).
  check_close(hessian([](const auto& x) { return pow(x[0], 1.0); }, Vec{0.0}).hessian(0, 0), 0.0, 0.0,
              "d2/da2 pow(0, 1.0)");
  check_close(hessian([](const auto& x) { return pow(x[0], 0.0); }, Vec{0.0}).hessian(0, 0), 0.0, 0.0,
              "d2/da2 pow(0, 0.0)");
  // 7. LogDiffExp at a == b: d/da = -1 / expm1(b - a) = -1 / expm1(+0) = -inf, but the value -inf is
  //    approached from a > b with slope +inf (d/db = -inf is right).
  check_close(gradient([](const auto& x) { return log_diff_exp(x[0], x[1]); }, Vec{1.0, 1.0})[0], inf, 0.0,
              "d/da log_diff_exp(1, 1)");
  // 8. Second derivatives that overflow an intermediate at large |x| and return 0 (or a first
  //    derivative that does) where the true value is representable.
  check_close(gradient([](const auto& x) { return acosh(x[0]); }, Vec{1e200})[0], 1e-200, 1e-12, "acosh'(1e200)");
  check_close(hessian([](const auto& x) { return acosh(x[0]); }, Vec{1e120}).hessian(0, 0), -1e-240, 1e-12,
              "acosh''(1e120)");
  check_close(hessian([](const auto& x) { return asinh(x[0]); }, Vec{1e150}).hessian(0, 0), -1e-300, 1e-12,
              "asinh''(1e150)");
  check_close(hessian([](const auto& x) { return atan(x[0]); }, Vec{1e100}).hessian(0, 0), -2e-300, 1e-12,
              "atan''(1e100)");
}

}  // namespace
}  // namespace tapir::autodiff::scalar_ops_test
