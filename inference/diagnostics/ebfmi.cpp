#include "inference/diagnostics/ebfmi.hpp"

#include <cmath>
#include <limits>

namespace tapir::inference::diagnostics {

double ebfmi(std::span<const double> energy) noexcept {
  const std::size_t n = energy.size();
  if (n < 2 || any_nonfinite(energy)) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0.0;
  for (double e : energy) mean += e;
  mean /= static_cast<double>(n);
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    den += (energy[i] - mean) * (energy[i] - mean);
    if (i > 0) num += (energy[i] - energy[i - 1]) * (energy[i] - energy[i - 1]);
  }
  if (den == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return num / den;
}

std::vector<double> ebfmi(const Draws& energy) {
  std::vector<double> out(energy.num_chains());
  for (std::size_t c = 0; c < energy.num_chains(); ++c) out[c] = ebfmi(energy.chain(c));
  return out;
}

}  // namespace tapir::inference::diagnostics
