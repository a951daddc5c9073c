#include "inference/diagnostics/mcse.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "inference/diagnostics/beta_quantile.hpp"
#include "inference/diagnostics/ess.hpp"

namespace tapir::inference::diagnostics {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double mean_of(std::span<const double> x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

}  // namespace

double mcse_mean(const Draws& draws) {
  const auto x = draws.values();
  if (x.size() < 2) return nan;
  const double mu = mean_of(x);
  double ss = 0.0;
  for (double v : x) ss += (v - mu) * (v - mu);
  const double sd = std::sqrt(ss / static_cast<double>(x.size() - 1));
  return sd / std::sqrt(ess_basic(draws));
}

double mcse_sd(const Draws& draws) {
  const auto x = draws.values();
  if (x.empty()) return nan;
  const double mu = mean_of(x);
  Draws squared = draws;
  double e2 = 0.0, e4 = 0.0;
  for (double& v : squared.values()) {
    const double c2 = (v - mu) * (v - mu);
    v = c2;
    e2 += c2;
    e4 += c2 * c2;
  }
  const double s = static_cast<double>(x.size());
  e2 /= s;
  e4 /= s;
  const double ess = ess_basic(squared);
  const double var_var = (e4 - e2 * e2) / ess;
  return std::sqrt(var_var / e2 / 4.0);
}

double mcse_quantile(const Draws& draws, double prob) {
  const double ess = ess_quantile(draws, prob);  // checks prob, NaN for degenerate draws
  if (std::isnan(ess)) return nan;
  const double a_lo = beta_quantile(0.1586553, ess * prob + 1.0, ess * (1.0 - prob) + 1.0);
  const double a_hi = beta_quantile(0.8413447, ess * prob + 1.0, ess * (1.0 - prob) + 1.0);
  std::vector<double> sorted(draws.values().begin(), draws.values().end());
  std::sort(sorted.begin(), sorted.end());
  const double s = static_cast<double>(sorted.size());
  const double i_lo = std::max(std::floor(a_lo * s), 1.0);
  const double i_hi = std::min(std::ceil(a_hi * s), s);
  return (sorted[static_cast<std::size_t>(i_hi) - 1] - sorted[static_cast<std::size_t>(i_lo) - 1]) / 2.0;
}

}  // namespace tapir::inference::diagnostics
