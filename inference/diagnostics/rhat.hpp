#pragma once
// Potential scale reduction factors (Gelman and Rubin 1992; split and rank-normalized forms of
// Vehtari, Gelman, Simpson, Carpenter and Buerkner 2021, sections 3.1 and 4.1-4.2).
//
// For M chains of N draws with chain means m_j and sample variances s_j^2 (divisor N - 1):
//   B = N var_j(m_j),  W = mean_j s_j^2,  R-hat = sqrt((B / W + N - 1) / N)
// (that is sqrt(var_plus / W) with var_plus = (N - 1) / N W + B / N).
// Degenerate draws give NaN (posterior gives NA): any NaN or infinite value in the draws the
// formula sees, or all of them equal (max - min < DBL_EPSILON). One chain without splitting: NaN.
#include "inference/diagnostics/draws.hpp"

namespace tapir::inference::diagnostics {

// The formula above on the chains as given (posterior's internal .rhat).
double rhat_chains(const Draws& draws);

// Classic (non-rank) R-hat, on split chains unless split = false (posterior's rhat_basic).
double rhat_basic(const Draws& draws, bool split = true);

// Bulk R-hat: rhat_chains of the rank-normalized split chains.
double rhat_bulk(const Draws& draws);

// Tail R-hat: rhat_chains of the rank-normalized split chains of the folded draws
// |theta - median(theta)| (the median of all draws, taken before splitting).
double rhat_tail(const Draws& draws);

// max(rhat_bulk, rhat_tail): the R-hat Stan and posterior report (NaN if either is NaN). Values
// >= 1.01 indicate that the chains have not mixed.
double rhat(const Draws& draws);

}  // namespace tapir::inference::diagnostics
