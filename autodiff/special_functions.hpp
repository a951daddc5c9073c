// tapir — double-precision special functions used by the autodiff engine.
//
// All functions take and return plain doubles and never throw.  Outside their
// domain they return NaN; at poles and infinities they return the IEEE value
// described in each comment.  Every function returns NaN for a NaN argument.
// (They rely on NaN/inf semantics: do not compile with -ffast-math or
// -ffinite-math-only.)
//
// Accuracy target: 1e-14 relative error wherever the function is
// well-conditioned; measured worst cases (mostly < 1e-15) are listed in
// tests/autodiff/special_functions_test.cpp.  Near a zero of the function that
// the algorithm can only reach through cancellation (digamma and even-order
// polygamma at negative x, lbeta / lchoose near B = 1 or C = 1,
// log_sum_exp / log_diff_exp near 0) the error is bounded in absolute terms
// (~1e-15 times the size of the cancelling terms) instead.
#pragma once

#include <cmath>
#include <limits>

namespace tapir::autodiff {

// ---------------------------------------------------------------------------
// Elementary helpers (inline).
// ---------------------------------------------------------------------------

/// 1 / x.
inline double inv(double x) noexcept { return 1.0 / x; }

/// x * x.
inline double square(double x) noexcept { return x * x; }

using std::erf;
using std::erfc;

/// log(1 + exp(x)), accurate for every x (no overflow for large x, full
/// relative accuracy for very negative x).  log1p_exp(+inf) = +inf,
/// log1p_exp(-inf) = 0.
inline double log1p_exp(double x) noexcept {
  if (x > 0.0) return x + std::log1p(std::exp(-x));
  return std::log1p(std::exp(x));
}

/// log(1 - exp(x)) for x <= 0 (Maechler 2012, "Accurately computing
/// log(1 - exp(-|a|))": log(-expm1(x)) for x > -ln 2, log1p(-exp(x))
/// otherwise).  x = 0 -> -inf, x > 0 -> NaN, x = -inf -> 0.
inline double log1m_exp(double x) noexcept {
  if (x > 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x > -0.693147180559945309417232121458176568) return std::log(-std::expm1(x));
  return std::log1p(-std::exp(x));  // also NaN -> NaN
}

/// log(exp(a) + exp(b)) without overflow/underflow.
/// log_sum_exp(-inf, -inf) = -inf; if either argument is +inf the result is
/// +inf; NaN if either argument is NaN.
inline double log_sum_exp(double a, double b) noexcept {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  const double m = a > b ? a : b;
  if (m == -std::numeric_limits<double>::infinity() || m == std::numeric_limits<double>::infinity())
    return m;
  const double d = a > b ? b - a : a - b;  // <= 0
  return m + std::log1p(std::exp(d));
}

/// log(exp(a) - exp(b)) for a >= b.  a == b -> -inf (including -inf, -inf);
/// a < b -> NaN; a = b = +inf -> NaN (inf - inf); a = +inf > b -> +inf.
inline double log_diff_exp(double a, double b) noexcept {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (std::isnan(a) || std::isnan(b) || a < b) return std::numeric_limits<double>::quiet_NaN();
  if (a == b) return a == inf ? std::numeric_limits<double>::quiet_NaN() : -inf;
  if (a == inf || b == -inf) return a;
  return a + log1m_exp(b - a);
}

/// log(p / (1 - p)) for p in [0, 1]; logit(0) = -inf, logit(1) = +inf,
/// NaN outside [0, 1].  Accurate near p = 1/2 (where the result is ~0).
inline double logit(double p) noexcept {
  if (!(p >= 0.0 && p <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
  // For p >= 1/4, 2p - 1 and 1 - p are exact (Sterbenz), so the log1p form
  // keeps full relative accuracy around p = 1/2.
  if (p >= 0.25) return std::log1p((2.0 * p - 1.0) / (1.0 - p));
  return std::log(p / (1.0 - p));
}

/// 1 / (1 + exp(-x)), stable in both tails (full relative accuracy for
/// x >= -708; gradual underflow below).
inline double inv_logit(double x) noexcept {
  if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

/// log(inv_logit(x)) = -log1p_exp(-x).
inline double log_inv_logit(double x) noexcept { return -log1p_exp(-x); }

/// log(1 - inv_logit(x)) = -log1p_exp(x).
inline double log1m_inv_logit(double x) noexcept { return -log1p_exp(x); }

// ---------------------------------------------------------------------------
// Gamma family (special_functions.cpp).
// ---------------------------------------------------------------------------

/// log|Gamma(x)|.  Thread-safe (does not write the global `signgam`; uses
/// lgamma_r where available).  +inf at the poles x = 0, -1, -2, ... and at
/// x = +-inf.
double lgamma(double x) noexcept;

/// Digamma psi(x) = d/dx log Gamma(x), for every real x.
/// Poles: at x = 0, -1, -2, ... the one-sided limits are -inf and +inf, so the
/// result is NaN.  digamma(+inf) = +inf, digamma(-inf) = NaN.
double digamma(double x) noexcept;

/// Trigamma psi'(x), for every real x.  At the poles x = 0, -1, -2, ... both
/// one-sided limits are +inf, so the result is +inf.  trigamma(+inf) = 0,
/// trigamma(-inf) = NaN.
double trigamma(double x) noexcept;

/// Largest derivative order supported by polygamma().
inline constexpr int polygamma_max_order = 16;

/// Polygamma psi^(n)(x) for 0 <= n <= polygamma_max_order and every real x
/// (negative x via the reflection formula).  polygamma(0, x) == digamma(x),
/// polygamma(1, x) == trigamma(x).
/// Pole rule (x = 0, -1, -2, ...): the two-sided limit when it exists, i.e.
/// +inf for odd n, and NaN for even n (the one-sided limits differ in sign).
/// x = +inf -> the limit (+inf for n = 0, signed zero otherwise);
/// x = -inf -> NaN.  n < 0 or n > polygamma_max_order -> NaN.
double polygamma(int n, double x) noexcept;

/// log Beta(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) for a, b >= 0,
/// accurate also when one or both arguments are large (Stirling-difference
/// form).  lbeta(0, b) = +inf for finite b; lbeta(a, +inf) = -inf for a > 0;
/// NaN if a or b is negative or NaN, or for (0, +inf).
double lbeta(double a, double b) noexcept;

/// log of the binomial coefficient C(n, k) for real n >= k >= 0, computed as
/// -log1p(n) - lbeta(n - k + 1, k + 1).  NaN if k < 0 or k > n.
double lchoose(double n, double k) noexcept;

// ---------------------------------------------------------------------------
// Normal distribution (special_functions.cpp).
// ---------------------------------------------------------------------------

/// Standard normal CDF Phi(x) = erfc(-x / sqrt(2)) / 2, with full relative
/// accuracy in the lower tail (down to the underflow threshold x ~ -37.5).
double Phi(double x) noexcept;

/// log Phi(x), accurate for every x: uses the asymptotic (Mills ratio)
/// expansion for x < -37, below which Phi(x) approaches the underflow range;
/// log1p(-Phi(-x)) for x > 0.  log_Phi(-inf) = -inf, log_Phi(+inf) = 0.
double log_Phi(double x) noexcept;

/// Inverse of Phi on [0, 1] (Wichura 1988, AS 241 PPND16, followed by one
/// Newton step).  inv_Phi(0) = -inf, inv_Phi(1) = +inf, NaN outside [0, 1].
double inv_Phi(double p) noexcept;

}  // namespace tapir::autodiff
