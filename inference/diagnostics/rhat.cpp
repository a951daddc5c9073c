#include "inference/diagnostics/rhat.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "inference/diagnostics/rank_normalization.hpp"

namespace tapir::inference::diagnostics {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double mean_of(std::span<const double> x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double variance_of(std::span<const double> x, double mean) {
  double s = 0.0;
  for (double v : x) s += (v - mean) * (v - mean);
  return s / static_cast<double>(x.size() - 1);
}

}  // namespace

double rhat_chains(const Draws& draws) {
  const std::size_t m = draws.num_chains(), n = draws.num_iterations();
  if (m < 2 || n < 2 || is_degenerate(draws.values())) return nan;
  std::vector<double> chain_mean(m), chain_var(m);
  for (std::size_t c = 0; c < m; ++c) {
    chain_mean[c] = mean_of(draws.chain(c));
    chain_var[c] = variance_of(draws.chain(c), chain_mean[c]);
  }
  const double dn = static_cast<double>(n);
  const double var_between = dn * variance_of(chain_mean, mean_of(chain_mean));
  const double var_within = mean_of(chain_var);
  return std::sqrt((var_between / var_within + dn - 1.0) / dn);
}

double rhat_basic(const Draws& draws, bool split) { return rhat_chains(split ? split_chains(draws) : draws); }

double rhat_bulk(const Draws& draws) { return rhat_chains(rank_normalize(split_chains(draws))); }

double rhat_tail(const Draws& draws) { return rhat_chains(rank_normalize(split_chains(fold(draws)))); }

double rhat(const Draws& draws) {
  const double bulk = rhat_bulk(draws), tail = rhat_tail(draws);
  if (std::isnan(bulk) || std::isnan(tail)) return nan;
  return std::max(bulk, tail);
}

}  // namespace tapir::inference::diagnostics
