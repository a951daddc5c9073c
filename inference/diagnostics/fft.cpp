#include "inference/diagnostics/fft.hpp"

#include <cmath>
#include <numbers>
#include <sstream>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"

namespace tapir::inference::diagnostics {

std::size_t next_power_of_two(std::size_t n) noexcept {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

void fft(std::span<std::complex<double>> data, bool inverse) {
  const std::size_t n = data.size();
  if (n <= 1) return;
  if ((n & (n - 1)) != 0) {
    std::ostringstream o;
    o << "fft: length " << n << " is not a power of two";
    throw size_error(o.str());
  }
  // Bit-reversal permutation.
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  // Twiddles w_k = exp(-+ 2 pi i k / n), k < n / 2; a stage of length len uses every (n / len)-th.
  const double sign = inverse ? 1.0 : -1.0;
  std::vector<std::complex<double>> w(n / 2);
  for (std::size_t k = 0; k < n / 2; ++k) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
    w[k] = {std::cos(angle), sign * std::sin(angle)};
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const std::size_t half = len / 2, stride = n / len;
    for (std::size_t start = 0; start < n; start += len) {
      for (std::size_t k = 0; k < half; ++k) {
        const std::complex<double> t = w[k * stride] * data[start + k + half];
        const std::complex<double> u = data[start + k];
        data[start + k] = u + t;
        data[start + k + half] = u - t;
      }
    }
  }
}

}  // namespace tapir::inference::diagnostics
