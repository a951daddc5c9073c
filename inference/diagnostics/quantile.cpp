#include "inference/diagnostics/quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/errors.hpp"

namespace tapir::inference::diagnostics {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool has_nan(std::span<const double> x) {
  return std::any_of(x.begin(), x.end(), [](double v) { return std::isnan(v); });
}

void check_probability(const char* function, double p) {
  if (!(p >= 0.0 && p <= 1.0)) throw_domain_error(function, "probability", p, "in [0, 1]");
}

}  // namespace

double quantile_sorted(std::span<const double> sorted, double p) noexcept {
  const std::size_t n = sorted.size();
  if (n == 0) return nan;
  // 1-based index h = 1 + (n - 1) p, as R computes it.
  const double h = 1.0 + static_cast<double>(n - 1) * p;
  const double lo = std::floor(h), hi = std::ceil(h);
  const double x_lo = sorted[static_cast<std::size_t>(lo) - 1];
  const double x_hi = sorted[static_cast<std::size_t>(hi) - 1];
  if (h > lo && x_hi != x_lo) {
    const double w = h - lo;
    return (1.0 - w) * x_lo + w * x_hi;
  }
  return x_lo;
}

std::vector<double> quantiles(std::span<const double> x, std::span<const double> probs) {
  for (double p : probs) check_probability("quantiles", p);
  std::vector<double> out(probs.size(), nan);
  if (x.empty() || has_nan(x)) return out;
  std::vector<double> sorted(x.begin(), x.end());
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t k = 0; k < probs.size(); ++k) out[k] = quantile_sorted(sorted, probs[k]);
  return out;
}

double quantile(std::span<const double> x, double p) {
  check_probability("quantile", p);
  return quantiles(x, std::span<const double>(&p, 1))[0];
}

double median(std::span<const double> x) {
  const std::size_t n = x.size();
  if (n == 0 || has_nan(x)) return nan;
  std::vector<double> v(x.begin(), x.end());
  const std::size_t half = (n + 1) / 2;  // 1-based index of the (lower) middle draw
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(half - 1), v.end());
  const double a = v[half - 1];
  if (n % 2 == 1) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(half), v.end());
  return (a + b) / 2.0;
}

}  // namespace tapir::inference::diagnostics
