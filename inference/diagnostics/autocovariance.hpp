#pragma once
// Sample autocovariances of one chain, as Stan and posterior define them (Vehtari et al. 2021,
// equation (10); Geyer 1992):
//   acov_t = (1/N) sum_{i=0}^{N-1-t} (x_i - xbar) (x_{i+t} - xbar),   t = 0, ..., N - 1,
// normalized by N (not N - t), computed by FFT on the centred chain zero-padded to a power of two
// >= 2N (so the circular correlation equals the linear one). As posterior does, the lags are
// rescaled so that acov_0 equals the two-pass biased variance exactly, and a chain with zero
// sample variance gets all zeros.
#include <span>
#include <vector>

namespace tapir::inference::diagnostics {

// acov_0 .. acov_{N-1} by FFT, O(N log N).
std::vector<double> autocovariance(std::span<const double> x);

// The same by the direct O(N^2) sum (for tests and very short chains).
std::vector<double> autocovariance_direct(std::span<const double> x);

}  // namespace tapir::inference::diagnostics
