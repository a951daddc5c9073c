#pragma once
// All of tapir's MCMC diagnostics (Vehtari, Gelman, Simpson, Carpenter and Buerkner 2021), with the
// definitions of Stan and of the R package posterior (1.4.0):
//   draws.hpp               Draws (chains x iterations), split_chains
//   rank_normalization.hpp  average ranks, rank normalization, folding
//   quantile.hpp            type-7 quantiles, median
//   fft.hpp                 radix-2 FFT
//   autocovariance.hpp      chain autocovariances by FFT
//   ess.hpp                 bulk, tail, basic, quantile and sd ESS
//   rhat.hpp                rank-normalized split R-hat (bulk, tail, max) and the classic one
//   beta_quantile.hpp       Beta CDF and quantile (for the quantile MCSE)
//   mcse.hpp                MCSE of the mean, sd and quantiles
//   ebfmi.hpp               E-BFMI per chain
//   summary.hpp             per-parameter summary and table
#include "inference/diagnostics/autocovariance.hpp"
#include "inference/diagnostics/beta_quantile.hpp"
#include "inference/diagnostics/draws.hpp"
#include "inference/diagnostics/ebfmi.hpp"
#include "inference/diagnostics/ess.hpp"
#include "inference/diagnostics/fft.hpp"
#include "inference/diagnostics/mcse.hpp"
#include "inference/diagnostics/quantile.hpp"
#include "inference/diagnostics/rank_normalization.hpp"
#include "inference/diagnostics/rhat.hpp"
#include "inference/diagnostics/summary.hpp"
