#pragma once
// Every scalar operation, defined once: its value, first derivative(s) and second derivative(s)
// side by side. The tape's three sweeps (reverse, tangent, second-order reverse), the Var overloads
// and the forward-mode Dual overloads are all generated from these definitions and from the two
// lists at the end of this file, so no operation can exist without its HVP rule.
//
// Rules are templates over the scalar so that Dual<T> can evaluate them in T (nested modes).
// Unary ops: value(x), d1(x, y), d2(x, y) with y = value(x).
// Binary ops: value(a, b), da, db, daa, dab, dbb, all taking (a, b, y).
// A second derivative that is identically zero returns `zero_t`, which the sweeps skip.
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "autodiff/special_functions.hpp"

namespace tapir::autodiff {

using std::abs;
using std::acos;
using std::acosh;
using std::asin;
using std::asinh;
using std::atan;
using std::atan2;
using std::atanh;
using std::cbrt;
using std::cos;
using std::cosh;
using std::erf;
using std::erfc;
using std::exp;
using std::expm1;
using std::fabs;
using std::fmax;
using std::fmin;
using std::hypot;
using std::log;
using std::log10;
using std::log1p;
using std::log2;
using std::pow;
using std::sin;
using std::sinh;
using std::sqrt;
using std::tan;
using std::tanh;
using std::tgamma;

struct zero_t {};

namespace ops {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// ---- unary -------------------------------------------------------------------------------

struct Neg {
  template <class T> static T value(const T& x) { return -x; }
  template <class T> static T d1(const T&, const T&) { return T(-1.0); }
  template <class T> static zero_t d2(const T&, const T&) { return {}; }
};
struct Exp {
  template <class T> static T value(const T& x) { return exp(x); }
  template <class T> static T d1(const T&, const T& y) { return y; }
  template <class T> static T d2(const T&, const T& y) { return y; }
};
struct Log {
  template <class T> static T value(const T& x) { return log(x); }
  template <class T> static T d1(const T& x, const T&) { return 1.0 / x; }
  template <class T> static T d2(const T& x, const T&) { return -1.0 / (x * x); }
};
struct Log1p {
  template <class T> static T value(const T& x) { return log1p(x); }
  template <class T> static T d1(const T& x, const T&) { return 1.0 / (1.0 + x); }
  template <class T> static T d2(const T& x, const T&) { return -1.0 / ((1.0 + x) * (1.0 + x)); }
};
struct Expm1 {
  template <class T> static T value(const T& x) { return expm1(x); }
  template <class T> static T d1(const T& x, const T&) { return exp(x); }
  template <class T> static T d2(const T& x, const T&) { return exp(x); }
};
struct Log2 {
  template <class T> static T value(const T& x) { return log2(x); }
  template <class T> static T d1(const T& x, const T&) { return std::numbers::log2e / x; }
  template <class T> static T d2(const T& x, const T&) { return -std::numbers::log2e / (x * x); }
};
struct Log10 {
  template <class T> static T value(const T& x) { return log10(x); }
  template <class T> static T d1(const T& x, const T&) { return std::numbers::log10e / x; }
  template <class T> static T d2(const T& x, const T&) { return -std::numbers::log10e / (x * x); }
};
struct Sqrt {
  template <class T> static T value(const T& x) { return sqrt(x); }
  template <class T> static T d1(const T&, const T& y) { return 0.5 / y; }
  template <class T> static T d2(const T&, const T& y) { return -0.25 / (y * y * y); }
};
struct Cbrt {
  template <class T> static T value(const T& x) { return cbrt(x); }
  template <class T> static T d1(const T&, const T& y) { return 1.0 / (3.0 * y * y); }
  template <class T> static T d2(const T&, const T& y) {
    return -2.0 / (9.0 * y * y * y * y * y);
  }
};
struct Square {
  template <class T> static T value(const T& x) { return x * x; }
  template <class T> static T d1(const T& x, const T&) { return 2.0 * x; }
  template <class T> static T d2(const T&, const T&) { return T(2.0); }
};
struct Inv {
  template <class T> static T value(const T& x) { return 1.0 / x; }
  template <class T> static T d1(const T&, const T& y) { return -(y * y); }
  template <class T> static T d2(const T&, const T& y) { return 2.0 * y * y * y; }
};
// abs: derivative sign(x), taken as 0 at x = 0 (as Stan does); NaN stays NaN.
struct Abs {
  template <class T> static T value(const T& x) { return abs(x); }
  template <class T> static T d1(const T& x, const T&) {
    return T(x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : nan);
  }
  template <class T> static zero_t d2(const T&, const T&) { return {}; }
};
struct Sin {
  template <class T> static T value(const T& x) { return sin(x); }
  template <class T> static T d1(const T& x, const T&) { return cos(x); }
  template <class T> static T d2(const T&, const T& y) { return -y; }
};
struct Cos {
  template <class T> static T value(const T& x) { return cos(x); }
  template <class T> static T d1(const T& x, const T&) { return -sin(x); }
  template <class T> static T d2(const T&, const T& y) { return -y; }
};
struct Tan {
  template <class T> static T value(const T& x) { return tan(x); }
  template <class T> static T d1(const T&, const T& y) { return 1.0 + y * y; }
  template <class T> static T d2(const T&, const T& y) { return 2.0 * y * (1.0 + y * y); }
};
struct Asin {
  template <class T> static T value(const T& x) { return asin(x); }
  template <class T> static T d1(const T& x, const T&) { return 1.0 / sqrt((1.0 - x) * (1.0 + x)); }
  template <class T> static T d2(const T& x, const T&) {
    T u = (1.0 - x) * (1.0 + x);
    return x / (u * sqrt(u));
  }
};
struct Acos {
  template <class T> static T value(const T& x) { return acos(x); }
  template <class T> static T d1(const T& x, const T&) { return -1.0 / sqrt((1.0 - x) * (1.0 + x)); }
  template <class T> static T d2(const T& x, const T&) {
    T u = (1.0 - x) * (1.0 + x);
    return -x / (u * sqrt(u));
  }
};
struct Atan {
  template <class T> static T value(const T& x) { return atan(x); }
  template <class T> static T d1(const T& x, const T&) { return 1.0 / (1.0 + x * x); }
  template <class T> static T d2(const T& x, const T&) {
    T u = 1.0 + x * x;
    return -2.0 * (x / u) / u;
  }
};
struct Sinh {
  template <class T> static T value(const T& x) { return sinh(x); }
  template <class T> static T d1(const T& x, const T&) { return cosh(x); }
  template <class T> static T d2(const T&, const T& y) { return y; }
};
struct Cosh {
  template <class T> static T value(const T& x) { return cosh(x); }
  template <class T> static T d1(const T& x, const T&) { return sinh(x); }
  template <class T> static T d2(const T&, const T& y) { return y; }
};
// tanh' = 1 - y^2 is exact enough while |x| < 3 (relative error below 1e-13) and cheap; beyond,
// 1 - y^2 cancels and 1/cosh(x)^2 is used instead.
struct Tanh {
  template <class T> static T value(const T& x) { return tanh(x); }
  template <class T> static T d1(const T& x, const T& y) {
    if (x < 3.0 && x > -3.0) return (1.0 - y) * (1.0 + y);
    T c = cosh(x);
    return 1.0 / (c * c);
  }
  template <class T> static T d2(const T& x, const T& y) { return -2.0 * y * d1(x, y); }
};
struct Asinh {
  template <class T> static T value(const T& x) { return asinh(x); }
  template <class T> static T d1(const T& x, const T&) { return 1.0 / hypot(x, 1.0); }
  template <class T> static T d2(const T& x, const T&) {
    T r = hypot(x, 1.0);
    return -(x / r) / (r * r);
  }
};
struct Acosh {
  template <class T> static T value(const T& x) { return acosh(x); }
  template <class T> static T d1(const T& x, const T&) { return 1.0 / (sqrt(x - 1.0) * sqrt(x + 1.0)); }
  template <class T> static T d2(const T& x, const T&) {
    T s = sqrt(x - 1.0) * sqrt(x + 1.0);
    return -(x / s) / (s * s);
  }
};
struct Atanh {
  template <class T> static T value(const T& x) { return atanh(x); }
  template <class T> static T d1(const T& x, const T&) { return 1.0 / ((1.0 - x) * (1.0 + x)); }
  template <class T> static T d2(const T& x, const T&) {
    T u = (1.0 - x) * (1.0 + x);
    return 2.0 * x / (u * u);
  }
};
// d/dx erf(x) = 2/sqrt(pi) exp(-x^2).
struct Erf {
  template <class T> static T value(const T& x) { return erf(x); }
  template <class T> static T d1(const T& x, const T&) {
    return (2.0 * std::numbers::inv_sqrtpi) * exp(-(x * x));
  }
  template <class T> static T d2(const T& x, const T&) {
    return (-4.0 * std::numbers::inv_sqrtpi) * x * exp(-(x * x));
  }
};
struct Erfc {
  template <class T> static T value(const T& x) { return erfc(x); }
  template <class T> static T d1(const T& x, const T&) {
    return (-2.0 * std::numbers::inv_sqrtpi) * exp(-(x * x));
  }
  template <class T> static T d2(const T& x, const T&) {
    return (4.0 * std::numbers::inv_sqrtpi) * x * exp(-(x * x));
  }
};
// 1 / sqrt(2 pi)
inline constexpr double inv_sqrt_2pi = 0.3989422804014326779399460599343818684758586311649;
struct PhiOp {
  template <class T> static T value(const T& x) { return Phi(x); }
  template <class T> static T d1(const T& x, const T&) { return inv_sqrt_2pi * exp(-0.5 * (x * x)); }
  template <class T> static T d2(const T& x, const T&) {
    return -inv_sqrt_2pi * x * exp(-0.5 * (x * x));
  }
};
// x = Phi(y): dy/dx = 1 / phi(y), d2y/dx2 = y / phi(y)^2.
struct InvPhiOp {
  template <class T> static T value(const T& p) { return inv_Phi(p); }
  template <class T> static T d1(const T&, const T& y) { return exp(0.5 * (y * y)) / inv_sqrt_2pi; }
  template <class T> static T d2(const T&, const T& y) {
    T g = exp(0.5 * (y * y)) / inv_sqrt_2pi;
    return y * g * g;
  }
};
struct Lgamma {
  template <class T> static T value(const T& x) { return lgamma(x); }
  template <class T> static T d1(const T& x, const T&) { return digamma(x); }
  template <class T> static T d2(const T& x, const T&) { return trigamma(x); }
};
struct Digamma {
  template <class T> static T value(const T& x) { return digamma(x); }
  template <class T> static T d1(const T& x, const T&) { return trigamma(x); }
  template <class T> static T d2(const T& x, const T&) { return polygamma(2, x); }
};
struct Trigamma {
  template <class T> static T value(const T& x) { return trigamma(x); }
  template <class T> static T d1(const T& x, const T&) { return polygamma(2, x); }
  template <class T> static T d2(const T& x, const T&) { return polygamma(3, x); }
};
// d/dx Gamma(x) = Gamma(x) psi(x); d2 = Gamma(x) (psi(x)^2 + psi'(x)).
struct Tgamma {
  template <class T> static T value(const T& x) { return tgamma(x); }
  template <class T> static T d1(const T& x, const T& y) { return y * digamma(x); }
  template <class T> static T d2(const T& x, const T& y) {
    T p = digamma(x);
    return y * (p * p + trigamma(x));
  }
};
struct Log1pExp {
  template <class T> static T value(const T& x) { return log1p_exp(x); }
  template <class T> static T d1(const T& x, const T&) { return inv_logit(x); }
  template <class T> static T d2(const T& x, const T&) { return inv_logit(x) * inv_logit(-x); }
};
// y = log(1 - e^x), x < 0: y' = -1 / expm1(-x), y'' = y' (1 - y').
struct Log1mExp {
  template <class T> static T value(const T& x) { return log1m_exp(x); }
  template <class T> static T d1(const T& x, const T&) { return -1.0 / expm1(-x); }
  template <class T> static T d2(const T& x, const T&) {
    T g = -1.0 / expm1(-x);
    return g * (1.0 - g);
  }
};
struct Logit {
  template <class T> static T value(const T& p) { return logit(p); }
  template <class T> static T d1(const T& p, const T&) { return 1.0 / (p * (1.0 - p)); }
  template <class T> static T d2(const T& p, const T&) {
    T u = p * (1.0 - p);
    return (2.0 * p - 1.0) / (u * u);
  }
};
struct InvLogit {
  template <class T> static T value(const T& x) { return inv_logit(x); }
  template <class T> static T d1(const T& x, const T& y) { return y * inv_logit(-x); }
  template <class T> static T d2(const T& x, const T& y) { return y * inv_logit(-x) * (1.0 - 2.0 * y); }
};
struct LogInvLogit {
  template <class T> static T value(const T& x) { return log_inv_logit(x); }
  template <class T> static T d1(const T& x, const T&) { return inv_logit(-x); }
  template <class T> static T d2(const T& x, const T&) { return -(inv_logit(x) * inv_logit(-x)); }
};
struct Log1mInvLogit {
  template <class T> static T value(const T& x) { return log1m_inv_logit(x); }
  template <class T> static T d1(const T& x, const T&) { return -inv_logit(x); }
  template <class T> static T d2(const T& x, const T&) { return -(inv_logit(x) * inv_logit(-x)); }
};

// ---- binary ------------------------------------------------------------------------------

struct Add {
  template <class T> static T value(const T& a, const T& b) { return a + b; }
  template <class T> static T da(const T&, const T&, const T&) { return T(1.0); }
  template <class T> static T db(const T&, const T&, const T&) { return T(1.0); }
  template <class T> static zero_t daa(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dab(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dbb(const T&, const T&, const T&) { return {}; }
};
struct Sub {
  template <class T> static T value(const T& a, const T& b) { return a - b; }
  template <class T> static T da(const T&, const T&, const T&) { return T(1.0); }
  template <class T> static T db(const T&, const T&, const T&) { return T(-1.0); }
  template <class T> static zero_t daa(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dab(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dbb(const T&, const T&, const T&) { return {}; }
};
struct Mul {
  template <class T> static T value(const T& a, const T& b) { return a * b; }
  template <class T> static T da(const T&, const T& b, const T&) { return b; }
  template <class T> static T db(const T& a, const T&, const T&) { return a; }
  template <class T> static zero_t daa(const T&, const T&, const T&) { return {}; }
  template <class T> static T dab(const T&, const T&, const T&) { return T(1.0); }
  template <class T> static zero_t dbb(const T&, const T&, const T&) { return {}; }
};
struct Div {
  template <class T> static T value(const T& a, const T& b) { return a / b; }
  template <class T> static T da(const T&, const T& b, const T&) { return 1.0 / b; }
  template <class T> static T db(const T&, const T& b, const T& y) { return -y / b; }
  template <class T> static zero_t daa(const T&, const T&, const T&) { return {}; }
  template <class T> static T dab(const T&, const T& b, const T&) { return -1.0 / (b * b); }
  template <class T> static T dbb(const T&, const T& b, const T& y) { return 2.0 * y / (b * b); }
};
// y = a^b. At a = 0 the quotient forms y/a break down, so pow is evaluated directly there;
// d/db is taken as 0 where y = 0 (the limit along b for a = 0).
struct Pow {
  template <class T> static T value(const T& a, const T& b) { return pow(a, b); }
  template <class T> static T da(const T& a, const T& b, const T& y) {
    if (a == 0) return b == 0 ? T(0.0) : T(b * pow(a, b - 1.0));
    return b * y / a;
  }
  template <class T> static T db(const T& a, const T&, const T& y) {
    return y == 0 ? T(0.0) : T(y * log(a));
  }
  template <class T> static T daa(const T& a, const T& b, const T& y) {
    if (a == 0) return b == 0 || b == 1 ? T(0.0) : T(b * (b - 1.0) * pow(a, b - 2.0));
    return b * (b - 1.0) * y / (a * a);
  }
  template <class T> static T dab(const T& a, const T& b, const T& y) {
    return a == 0 ? T(pow(a, b - 1.0)) : T(y / a * (1.0 + b * log(a)));
  }
  template <class T> static T dbb(const T& a, const T&, const T& y) {
    if (y == 0) return T(0.0);
    T l = log(a);
    return y * l * l;
  }
};
struct Atan2 {
  template <class T> static T value(const T& a, const T& b) { return atan2(a, b); }
  template <class T> static T da(const T& a, const T& b, const T&) {
    T r = hypot(a, b);
    return (b / r) / r;
  }
  template <class T> static T db(const T& a, const T& b, const T&) {
    T r = hypot(a, b);
    return -(a / r) / r;
  }
  template <class T> static T daa(const T& a, const T& b, const T&) {
    T r = hypot(a, b);
    return -2.0 * (a / r) * (b / r) / r / r;
  }
  template <class T> static T dab(const T& a, const T& b, const T&) {
    T r = hypot(a, b), u = a / r, w = b / r;
    return (u - w) * (u + w) / r / r;
  }
  template <class T> static T dbb(const T& a, const T& b, const T&) {
    T r = hypot(a, b);
    return 2.0 * (a / r) * (b / r) / r / r;
  }
};
struct Hypot {
  template <class T> static T value(const T& a, const T& b) { return hypot(a, b); }
  template <class T> static T da(const T& a, const T&, const T& y) { return a / y; }
  template <class T> static T db(const T&, const T& b, const T& y) { return b / y; }
  template <class T> static T daa(const T&, const T& b, const T& y) { return (b / y) * (b / y) / y; }
  template <class T> static T dab(const T& a, const T& b, const T& y) { return -(a / y) * (b / y) / y; }
  template <class T> static T dbb(const T& a, const T&, const T& y) { return (a / y) * (a / y) / y; }
};
// fmin/fmax follow IEEE: a NaN argument is ignored. Ties send the derivative to the first argument.
struct Fmin {
  template <class T> static T value(const T& a, const T& b) { return fmin(a, b); }
  template <class T> static T da(const T& a, const T& b, const T&) {
    return T((a <= b || b != b) ? 1.0 : 0.0);
  }
  template <class T> static T db(const T& a, const T& b, const T&) {
    return T((a <= b || b != b) ? 0.0 : 1.0);
  }
  template <class T> static zero_t daa(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dab(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dbb(const T&, const T&, const T&) { return {}; }
};
struct Fmax {
  template <class T> static T value(const T& a, const T& b) { return fmax(a, b); }
  template <class T> static T da(const T& a, const T& b, const T&) {
    return T((a >= b || b != b) ? 1.0 : 0.0);
  }
  template <class T> static T db(const T& a, const T& b, const T&) {
    return T((a >= b || b != b) ? 0.0 : 1.0);
  }
  template <class T> static zero_t daa(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dab(const T&, const T&, const T&) { return {}; }
  template <class T> static zero_t dbb(const T&, const T&, const T&) { return {}; }
};
// log(e^a + e^b): da = inv_logit(a - b), db = inv_logit(b - a), Hessian da db [[1,-1],[-1,1]].
struct LogSumExp {
  template <class T> static T value(const T& a, const T& b) { return log_sum_exp(a, b); }
  // a == b = +-inf: a - b is NaN, the limit along a = b is 1/2. A finite tie goes through
  // inv_logit(0) = 1/2, so that nested modes differentiating this rule see its slope.
  template <class T> static T da(const T& a, const T& b, const T&) {
    return (a == b && a - b != 0.0) ? T(0.5) : T(inv_logit(a - b));
  }
  template <class T> static T db(const T& a, const T& b, const T&) {
    return (a == b && a - b != 0.0) ? T(0.5) : T(inv_logit(b - a));
  }
  template <class T> static T daa(const T& a, const T& b, const T& y) { return da(a, b, y) * db(a, b, y); }
  template <class T> static T dab(const T& a, const T& b, const T& y) { return -(da(a, b, y) * db(a, b, y)); }
  template <class T> static T dbb(const T& a, const T& b, const T& y) { return da(a, b, y) * db(a, b, y); }
};
// log(e^a - e^b), a > b: da = -1/expm1(b - a), db = -1/expm1(a - b), Hessian da db [[1,-1],[-1,1]].
struct LogDiffExp {
  template <class T> static T value(const T& a, const T& b) { return log_diff_exp(a, b); }
  template <class T> static T da(const T& a, const T& b, const T&) { return -1.0 / expm1(-(a - b)); }
  template <class T> static T db(const T& a, const T& b, const T&) { return -1.0 / expm1(a - b); }
  template <class T> static T daa(const T& a, const T& b, const T& y) { return da(a, b, y) * db(a, b, y); }
  template <class T> static T dab(const T& a, const T& b, const T& y) { return -(da(a, b, y) * db(a, b, y)); }
  template <class T> static T dbb(const T& a, const T& b, const T& y) { return da(a, b, y) * db(a, b, y); }
};
struct Lbeta {
  template <class T> static T value(const T& a, const T& b) { return lbeta(a, b); }
  template <class T> static T da(const T& a, const T& b, const T&) { return digamma(a) - digamma(a + b); }
  template <class T> static T db(const T& a, const T& b, const T&) { return digamma(b) - digamma(a + b); }
  template <class T> static T daa(const T& a, const T& b, const T&) { return trigamma(a) - trigamma(a + b); }
  template <class T> static T dab(const T& a, const T& b, const T&) { return -trigamma(a + b); }
  template <class T> static T dbb(const T& a, const T& b, const T&) { return trigamma(b) - trigamma(a + b); }
};
// log C(n, k) = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1).
struct Lchoose {
  template <class T> static T value(const T& n, const T& k) { return lchoose(n, k); }
  template <class T> static T da(const T& n, const T& k, const T&) {
    return digamma(n + 1.0) - digamma(n - k + 1.0);
  }
  template <class T> static T db(const T& n, const T& k, const T&) {
    return digamma(n - k + 1.0) - digamma(k + 1.0);
  }
  template <class T> static T daa(const T& n, const T& k, const T&) {
    return trigamma(n + 1.0) - trigamma(n - k + 1.0);
  }
  template <class T> static T dab(const T& n, const T& k, const T&) { return trigamma(n - k + 1.0); }
  template <class T> static T dbb(const T& n, const T& k, const T&) {
    return -(trigamma(k + 1.0) + trigamma(n - k + 1.0));
  }
};
// The normal log density as a function of the residual d = y - mu and the scale s:
// -(d/s)^2 / 2 - log(s) - log(2 pi) / 2. One statement per density call (distributions/normal.hpp).
inline constexpr double half_log_two_pi = 0.91893853320467274178032973640561763986139747363778;
struct NormalResidual {
  template <class T> static T value(const T& d, const T& s) {
    T z = d / s;
    return -0.5 * (z * z) - log(s) - half_log_two_pi;
  }
  template <class T> static T da(const T& d, const T& s, const T&) { return -d / (s * s); }
  template <class T> static T db(const T& d, const T& s, const T&) {
    T z = d / s;
    return (z * z - 1.0) / s;
  }
  template <class T> static T daa(const T&, const T& s, const T&) { return -1.0 / (s * s); }
  template <class T> static T dab(const T& d, const T& s, const T&) { return 2.0 * d / (s * s * s); }
  template <class T> static T dbb(const T& d, const T& s, const T&) {
    T z = d / s;
    return (1.0 - 3.0 * z * z) / (s * s);
  }
};
// polygamma(n, x) with the order n always data: only the (data, var) form is ever recorded, and
// the derivative in n is undefined (NaN).
struct Polygamma {
  template <class T> static T value(const T& n, const T& x) { return polygamma(static_cast<int>(n), x); }
  template <class T> static T da(const T&, const T&, const T&) { return T(nan); }
  template <class T> static T db(const T& n, const T& x, const T&) {
    return polygamma(static_cast<int>(n) + 1, x);
  }
  template <class T> static T daa(const T&, const T&, const T&) { return T(nan); }
  template <class T> static T dab(const T&, const T&, const T&) { return T(nan); }
  template <class T> static T dbb(const T& n, const T& x, const T&) {
    return polygamma(static_cast<int>(n) + 2, x);
  }
};

}  // namespace ops

// The operation lists. X(OpStruct, function_name). Appending an operation here and defining its
// struct above is all it takes to give it reverse, tangent, second-order, Var and Dual support.
#define TAPIR_UNARY_OPS(X)                                                                     \
  X(Neg, operator-)                                                                            \
  X(Exp, exp) X(Log, log) X(Log1p, log1p) X(Expm1, expm1) X(Log2, log2) X(Log10, log10)        \
  X(Sqrt, sqrt) X(Cbrt, cbrt) X(Square, square) X(Inv, inv) X(Abs, abs) X(Sin, sin)            \
  X(Cos, cos) X(Tan, tan) X(Asin, asin) X(Acos, acos) X(Atan, atan) X(Sinh, sinh)              \
  X(Cosh, cosh) X(Tanh, tanh) X(Asinh, asinh) X(Acosh, acosh) X(Atanh, atanh) X(Erf, erf)      \
  X(Erfc, erfc) X(PhiOp, Phi) X(InvPhiOp, inv_Phi) X(Lgamma, lgamma) X(Digamma, digamma)       \
  X(Trigamma, trigamma) X(Tgamma, tgamma) X(Log1pExp, log1p_exp) X(Log1mExp, log1m_exp)        \
  X(Logit, logit) X(InvLogit, inv_logit) X(LogInvLogit, log_inv_logit)                         \
  X(Log1mInvLogit, log1m_inv_logit)

#define TAPIR_BINARY_OPS(X)                                                                    \
  X(Add, operator+) X(Sub, operator-) X(Mul, operator*) X(Div, operator/) X(Pow, pow)          \
  X(Atan2, atan2) X(Hypot, hypot) X(Fmin, fmin) X(Fmax, fmax) X(LogSumExp, log_sum_exp)        \
  X(LogDiffExp, log_diff_exp) X(Lbeta, lbeta) X(Lchoose, lchoose) X(Polygamma, polygamma_op)                       \
  X(NormalResidual, normal_residual_lpdf)

// Opcodes: unary ops, then each binary op in three forms (var-var, var-data, data-var).
enum class Opcode : std::uint32_t {
#define TAPIR_ENUM_U(Op, fn) Op,
#define TAPIR_ENUM_B(Op, fn) Op##_vv, Op##_vd, Op##_dv,
  TAPIR_UNARY_OPS(TAPIR_ENUM_U) TAPIR_BINARY_OPS(TAPIR_ENUM_B)
#undef TAPIR_ENUM_U
#undef TAPIR_ENUM_B
  Custom,
};

template <class Op> struct op_code;
#define TAPIR_CODE_U(Op, fn)                                                                   \
  template <> struct op_code<ops::Op> {                                                        \
    static constexpr std::uint32_t unary = static_cast<std::uint32_t>(Opcode::Op);             \
  };
#define TAPIR_CODE_B(Op, fn)                                                                   \
  template <> struct op_code<ops::Op> {                                                        \
    static constexpr std::uint32_t vv = static_cast<std::uint32_t>(Opcode::Op##_vv);           \
    static constexpr std::uint32_t vd = static_cast<std::uint32_t>(Opcode::Op##_vd);           \
    static constexpr std::uint32_t dv = static_cast<std::uint32_t>(Opcode::Op##_dv);           \
  };
TAPIR_UNARY_OPS(TAPIR_CODE_U)
TAPIR_BINARY_OPS(TAPIR_CODE_B)
#undef TAPIR_CODE_U
#undef TAPIR_CODE_B

}  // namespace tapir::autodiff
