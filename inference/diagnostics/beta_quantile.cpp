#include "inference/diagnostics/beta_quantile.hpp"

#include <cmath>
#include <limits>

#include "autodiff/special_functions.hpp"

namespace tapir::inference::diagnostics {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The continued fraction 1 / (1 + d_1 / (1 + d_2 / (1 + ...))) of DLMF 8.17.22, with
//   d_{2m}   =  m (b - m) x / ((a + 2m - 1)(a + 2m)),
//   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
// by the modified Lentz algorithm. Converges quickly for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double x, double a, double b) noexcept {
  constexpr double tiny = 1e-300, eps = 1e-16;
  constexpr int max_terms = 100000;
  // f = 1 / (1 + d_1 / (1 + d_2 / ...)); start Lentz on the denominator 1 + d_1 / (1 + ...).
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);  // 1 + d_1
  if (std::abs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double f = d;
  for (int m = 1; m <= max_terms; ++m) {
    const double dm = static_cast<double>(m);
    const double two_m = 2.0 * dm;
    // Even term d_{2m}.
    double coef = dm * (b - dm) * x / ((a + two_m - 1.0) * (a + two_m));
    d = 1.0 + coef * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + coef / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    f *= d * c;
    // Odd term d_{2m+1}.
    coef = -(a + dm) * (a + b + dm) * x / ((a + two_m) * (a + two_m + 1.0));
    d = 1.0 + coef * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + coef / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    f *= delta;
    if (std::abs(delta - 1.0) < eps) break;
  }
  return f;
}

// x^a (1 - x)^b / (a B(a, b)) times the continued fraction.
double lower_tail(double x, double a, double b) noexcept {
  const double log_front = a * std::log(x) + b * std::log1p(-x) - std::log(a) - autodiff::lbeta(a, b);
  return std::exp(log_front) * beta_continued_fraction(x, a, b);
}

}  // namespace

double beta_cdf(double x, double a, double b) noexcept {
  if (std::isnan(x) || !(a > 0.0) || !(b > 0.0) || std::isinf(a) || std::isinf(b) || x < 0.0 || x > 1.0) return nan;
  if (x == 0.0) return 0.0;
  if (x == 1.0) return 1.0;
  if (x < (a + 1.0) / (a + b + 2.0)) return lower_tail(x, a, b);
  return 1.0 - lower_tail(1.0 - x, b, a);
}

double beta_quantile(double p, double a, double b) noexcept {
  if (!(p >= 0.0 && p <= 1.0) || !(a > 0.0) || !(b > 0.0) || std::isinf(a) || std::isinf(b)) return nan;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return 1.0;
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 1100; ++it) {
    const double mid = lo + (hi - lo) / 2.0;
    if (mid <= lo || mid >= hi) break;  // no double strictly between: full resolution
    if (beta_cdf(mid, a, b) < p)
      lo = mid;
    else
      hi = mid;
  }
  return lo + (hi - lo) / 2.0;
}

}  // namespace tapir::inference::diagnostics
