#pragma once
// The energy Bayesian fraction of missing information (Betancourt 2016, "Diagnosing suboptimal
// cotangent disintegrations in Hamiltonian Monte Carlo", equation (7)'s estimator), per chain from
// the energy__ draws E_1..E_N of the sampling iterations:
//   E-BFMI = sum_{n=2}^{N} (E_n - E_{n-1})^2 / sum_{n=1}^{N} (E_n - Ebar)^2.
// Values below 0.3 suggest the momentum resampling explores the energy distribution poorly.
// (rstan's get_bfmi and ArviZ's bfmi scale the two sums by 1/N and 1/(N - 1) in opposite ways;
// their values differ from this ratio by the factor (N - 1)/N or N/(N - 1).)
// NaN for fewer than 2 draws, any non-finite energy, or constant energies.
#include <span>
#include <vector>

#include "inference/diagnostics/draws.hpp"

namespace tapir::inference::diagnostics {

double ebfmi(std::span<const double> energy) noexcept;

// One value per chain.
std::vector<double> ebfmi(const Draws& energy);

}  // namespace tapir::inference::diagnostics
