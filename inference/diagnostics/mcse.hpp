#pragma once
// Monte Carlo standard errors of posterior summaries, as posterior 1.4.0 computes them (Vehtari,
// Gelman, Simpson, Carpenter and Buerkner 2021, sections 4.4-4.5). NaN wherever the ESS they use
// is NaN (degenerate draws: see ess.hpp).
#include "inference/diagnostics/draws.hpp"

namespace tapir::inference::diagnostics {

// MCSE of the mean: sd(theta) / sqrt(ess_basic(theta)), sd with divisor S - 1 over all draws.
double mcse_mean(const Draws& draws);

// MCSE of the standard deviation, posterior 1.4.0's mcse_sd: with c = theta - mean(theta) over all
// draws, E2 = mean(c^2), E4 = mean(c^4) and ess = ess_basic(c^2) (the ESS of the squared centred
// draws), Var(sigma^2 estimate) ~ (E4 - E2^2) / ess, and by the delta method
//   mcse_sd = sqrt(Var(sigma^2 estimate) / (4 E2)).
// (rstan 2.21's monitor uses instead sd * sqrt(e (1 - 1/ess_sd)^(ess_sd - 1) - 1), a normal-theory
// formula with the ESS of |theta - mean|.)
double mcse_sd(const Draws& draws);

// MCSE of the prob-quantile by the beta-distribution method of Vehtari et al. 2021 (section 4.4):
// with ess = ess_quantile(draws, prob), S draws sorted theta_(1..S), and
//   a_lo, a_hi = the 0.1586553 and 0.8413447 quantiles of Beta(ess prob + 1, ess (1 - prob) + 1)
// (Phi(-1) and Phi(1) rounded to 7 digits, the constants posterior uses),
//   mcse = (theta_(min(ceil(a_hi S), S)) - theta_(max(floor(a_lo S), 1))) / 2   (1-based),
// half the width of a central ~68% interval for the quantile.
double mcse_quantile(const Draws& draws, double prob);

}  // namespace tapir::inference::diagnostics
