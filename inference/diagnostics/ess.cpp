#include "inference/diagnostics/ess.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "autodiff/errors.hpp"
#include "inference/diagnostics/autocovariance.hpp"
#include "inference/diagnostics/quantile.hpp"
#include "inference/diagnostics/rank_normalization.hpp"

namespace tapir::inference::diagnostics {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double mean_of(std::span<const double> x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

}  // namespace

double ess_chains(const Draws& draws) {
  const std::size_t m = draws.num_chains(), n = draws.num_iterations();
  if (n < 3 || m == 0 || is_degenerate(draws.values())) return nan;

  std::vector<double> acov_mean(n, 0.0), chain_mean(m);
  for (std::size_t c = 0; c < m; ++c) {
    const std::vector<double> acov = autocovariance(draws.chain(c));
    for (std::size_t t = 0; t < n; ++t) acov_mean[t] += acov[t];
    chain_mean[c] = mean_of(draws.chain(c));
  }
  for (double& a : acov_mean) a /= static_cast<double>(m);

  const double dn = static_cast<double>(n);
  const double mean_var = acov_mean[0] * dn / (dn - 1.0);
  double var_plus = mean_var * (dn - 1.0) / dn;
  if (m > 1) {
    const double mu = mean_of(chain_mean);
    double s = 0.0;
    for (double v : chain_mean) s += (v - mu) * (v - mu);
    var_plus += s / static_cast<double>(m - 1);
  }
  auto rho_at = [&](std::size_t t) { return 1.0 - (mean_var - acov_mean[t]) / var_plus; };

  // Geyer's initial positive sequence over the pairs (rho_t, rho_{t+1}), t even.
  std::vector<double> rho(n, 0.0);
  std::size_t t = 0;
  double rho_even = 1.0;
  double rho_odd = rho_at(1);
  rho[0] = rho_even;
  rho[1] = rho_odd;
  while (t + 5 < n && !std::isnan(rho_even + rho_odd) && rho_even + rho_odd > 0.0) {
    t += 2;
    rho_even = rho_at(t);
    rho_odd = rho_at(t + 1);
    if (rho_even + rho_odd >= 0.0) {
      rho[t] = rho_even;
      rho[t + 1] = rho_odd;
    }
  }
  const std::size_t max_t = t;
  // The even lag that ended the sequence still counts (half-weighted below) if it is positive.
  if (rho_even > 0.0) rho[max_t] = rho_even;

  // Initial monotone sequence: no pair sum may exceed the one before it.
  for (std::size_t k = 2; k + 2 <= max_t; k += 2) {
    if (rho[k] + rho[k + 1] > rho[k - 2] + rho[k - 1]) {
      rho[k] = (rho[k - 2] + rho[k - 1]) / 2.0;
      rho[k + 1] = rho[k];
    }
  }

  double sum = 0.0;
  for (std::size_t k = 0; k < max_t; ++k) sum += rho[k];
  // With max_t = 0, Stan's and posterior's sum(rho[1:max_t]) is R's rho[1:0] = rho[1] = 1.
  if (max_t == 0) sum = rho[0];
  double tau = -1.0 + 2.0 * sum + rho[max_t];
  const double total = static_cast<double>(m) * dn;
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}

double ess_basic(const Draws& draws, bool split) { return ess_chains(split ? split_chains(draws) : draws); }

double ess_bulk(const Draws& draws) { return ess_chains(rank_normalize(split_chains(draws))); }

double ess_quantile(const Draws& draws, double prob) {
  if (!(prob >= 0.0 && prob <= 1.0)) throw_domain_error("ess_quantile", "prob", prob, "in [0, 1]");
  if (is_degenerate(draws.values())) return nan;
  const double s = static_cast<double>(draws.size());
  if (prob == 1.0) prob = (s - 0.5) / s;
  const double q = quantile(draws.values(), prob);
  Draws indicator = draws;
  for (double& v : indicator.values()) v = v <= q ? 1.0 : 0.0;
  return ess_chains(split_chains(indicator));
}

double ess_tail(const Draws& draws) {
  const double lower = ess_quantile(draws, 0.05), upper = ess_quantile(draws, 0.95);
  if (std::isnan(lower) || std::isnan(upper)) return nan;
  return std::min(lower, upper);
}

double ess_sd(const Draws& draws) {
  if (any_nonfinite(draws.values())) return nan;
  Draws dev = draws;
  const double mu = mean_of(draws.values());
  for (double& v : dev.values()) v = std::abs(v - mu);
  return ess_chains(split_chains(dev));
}

}  // namespace tapir::inference::diagnostics
