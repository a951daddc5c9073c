#pragma once
// Sample quantiles of draws, with the definition of R's quantile(type = 7) (Hyndman and Fan 1996,
// definition 7), which posterior's quantile2 and summarise_draws use: with the n draws sorted,
// x_(1) <= ... <= x_(n), h = 1 + (n - 1) p, lo = floor(h), hi = ceil(h),
//   Q(p) = (1 - (h - lo)) x_(lo) + (h - lo) x_(hi)    (just x_(lo) when h = lo or x_(lo) = x_(hi)).
// Any NaN draw gives NaN (posterior's quantile2 returns NA then); empty input gives NaN.
#include <span>
#include <vector>

namespace tapir::inference::diagnostics {

// Q(p) for p in [0, 1]; throws tapir::domain_error for p outside [0, 1].
double quantile(std::span<const double> x, double p);

// Q(p) for each p, sorting once.
std::vector<double> quantiles(std::span<const double> x, std::span<const double> probs);

// The type-7 quantile of already sorted draws without NaN.
double quantile_sorted(std::span<const double> sorted, double p) noexcept;

// The median as R's median(): the middle draw, or the mean of the two middle draws.
double median(std::span<const double> x);

}  // namespace tapir::inference::diagnostics
