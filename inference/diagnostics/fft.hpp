#pragma once
// The discrete Fourier transform of a complex sequence whose length is a power of two
// (iterative radix-2 Cooley-Tukey with bit-reversed input order; twiddle factors computed directly
// by cos/sin of 2 pi k / n, not by repeated multiplication, so the rounding error stays
// O(eps log n)).
//   forward:  X_k = sum_j x_j exp(-2 pi i j k / n)
//   inverse:  x_j = sum_k X_k exp(+2 pi i j k / n)      (unnormalized: divide by n yourself)
#include <complex>
#include <cstddef>
#include <span>

namespace tapir::inference::diagnostics {

// In place; throws tapir::size_error unless data.size() is a power of two (or 0).
void fft(std::span<std::complex<double>> data, bool inverse = false);

// The smallest power of two >= n (1 for n = 0).
std::size_t next_power_of_two(std::size_t n) noexcept;

}  // namespace tapir::inference::diagnostics
