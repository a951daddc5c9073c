#pragma once
// Effective sample sizes (Vehtari, Gelman, Simpson, Carpenter and Buerkner 2021, sections 3.2 and
// 4.3; the estimator of Stan's compute_effective_sample_size and of posterior's ess_* functions).
//
// For M chains of N draws, with acov_{m,t} the chain autocovariances (autocovariance.hpp):
//   W        = mean_m acov_{m,0} N / (N - 1)                    (mean within-chain variance)
//   var_plus = W (N - 1) / N + var_m(chain means)               (the second term only when M > 1)
//   rho_t    = 1 - (W - mean_m acov_{m,t}) / var_plus
// Geyer's initial positive sequence: the pair sums P_k = rho_{2k} + rho_{2k+1} are accumulated
// while positive (the first negative pair ends the sequence), then made monotone (initial
// monotone sequence: each pair sum is capped at the one before it);
//   tau = -1 + 2 sum_{t < max_t} rho_t + rho_{max_t}   (rho_{max_t}: the last even lag, if > 0),
// tau is raised to at least 1 / log10(M N), and ESS = M N / tau.
//
// Degenerate draws give NaN (posterior gives NA): fewer than 3 draws per chain, any NaN or
// infinite value in the draws the estimator sees, or all draws equal (max - min < DBL_EPSILON).
#include "inference/diagnostics/draws.hpp"

namespace tapir::inference::diagnostics {

// The estimator above applied to the chains as given (no splitting, no transformation):
// posterior's internal .ess.
double ess_chains(const Draws& draws);

// Basic ESS of the mean: ess_chains of the split chains (posterior's ess_basic / ess_mean, Stan's
// compute_split_effective_sample_size); split = false applies it to the chains unsplit.
double ess_basic(const Draws& draws, bool split = true);

// Bulk ESS: ess_chains of the rank-normalized split chains (Vehtari et al. 2021, section 4.3).
double ess_bulk(const Draws& draws);

// ESS of the indicator 1[theta <= Q(prob)] on split chains, with Q the type-7 quantile of all
// draws (prob = 1 uses (S - 1/2) / S as posterior does). NaN if the draws are degenerate.
double ess_quantile(const Draws& draws, double prob);

// Tail ESS: min(ess_quantile(0.05), ess_quantile(0.95)). The indicator of theta <= q95 has the
// same ESS as that of theta >= q95 up to ties at q95, which is the convention posterior follows.
double ess_tail(const Draws& draws);

// ESS for the standard deviation: ess_chains of the split chains of |theta - mean(theta)|
// (posterior's ess_sd).
double ess_sd(const Draws& draws);

}  // namespace tapir::inference::diagnostics
