#pragma once
// Rank normalization and folding of draws (Vehtari, Gelman, Simpson, Carpenter and Buerkner 2021,
// "Rank-normalization, folding, and localization: an improved R-hat for assessing convergence of
// MCMC", Bayesian Analysis 16(2), equations (14) and (15)).
#include <span>
#include <vector>

#include "inference/diagnostics/draws.hpp"

namespace tapir::inference::diagnostics {

// 1-based ranks of x with ties given the average of the ranks they span (R's
// rank(ties.method = "average")). NaN draws get a NaN rank; the others are ranked among themselves.
std::vector<double> average_ranks(std::span<const double> x);

// z = Phi^{-1}((r - 3/8) / (S + 1/4)) with r the average rank of each draw among all S draws of
// all chains (Blom's offset, equation (14)). NaN draws stay NaN.
Draws rank_normalize(const Draws& draws);

// The folded draws |theta - median(theta)|, the median taken over all chains (equation (15)).
Draws fold(const Draws& draws);

}  // namespace tapir::inference::diagnostics
