#pragma once
// A posterior summary of one scalar quantity, with the definitions of posterior 1.4.0's
// summarise_draws (and CmdStan's stansummary columns): mean; sd (divisor S - 1); the 5%, 50% and
// 95% quantiles of type 7 (quantile.hpp, as R's quantile() and posterior's quantile2); the MCSEs of
// the mean and of the sd (mcse.hpp); bulk and tail ESS (ess.hpp); and R-hat, the max of the bulk
// and tail rank-normalized split R-hats (rhat.hpp).
//
// Degenerate draws: NaN in any draw makes every field NaN (posterior gives NA). All draws equal:
// mean, sd = 0 and the quantiles are reported, the MCSEs, ESSs and R-hat are NaN (posterior: NA).
// Infinite draws: the rank-based R-hat and bulk ESS are still defined (ranks are), the moments and
// the tail ESS are not.
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "inference/diagnostics/draws.hpp"

namespace tapir::inference::diagnostics {

struct Summary {
  double mean, sd, q05, q50, q95, mcse_mean, mcse_sd, ess_bulk, ess_tail, rhat;
};

Summary summarize(const Draws& draws);

// One Summary per column of per-chain draw rows (rows[c][i][j]: chain c, iteration i, column j;
// the layout of the sampler's ChainResult::draws).
std::vector<Summary> summarize_columns(std::span<const std::vector<std::vector<double>>> rows);

// A fixed-width table, one row per quantity:
//   name  mean  mcse_mean  sd  mcse_sd  q05  q50  q95  ess_bulk  ess_tail  rhat
// with `digits` significant digits (ESS rounded to integers; NaN printed as NA).
void write_summary_table(std::ostream& out, std::span<const std::string> names, std::span<const Summary> summaries,
                         int digits = 4);

}  // namespace tapir::inference::diagnostics
