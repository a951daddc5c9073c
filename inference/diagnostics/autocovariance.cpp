#include "inference/diagnostics/autocovariance.hpp"

#include <cmath>
#include <complex>

#include "inference/diagnostics/fft.hpp"

namespace tapir::inference::diagnostics {

namespace {

double mean_of(std::span<const double> x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

// Two-pass sample variance (divisor N - 1).
double sample_variance(std::span<const double> x, double mean) {
  double s = 0.0;
  for (double v : x) s += (v - mean) * (v - mean);
  return s / static_cast<double>(x.size() - 1);
}

}  // namespace

std::vector<double> autocovariance(std::span<const double> x) {
  const std::size_t n = x.size();
  std::vector<double> acov(n, 0.0);
  if (n == 0) return acov;
  if (n == 1) return acov;  // one draw: no variance
  const double m = mean_of(x);
  const double var = sample_variance(x, m);
  if (var == 0.0 || std::isnan(var)) {
    if (std::isnan(var)) acov.assign(n, var);
    return acov;
  }
  const std::size_t len = next_power_of_two(2 * n);
  std::vector<std::complex<double>> f(len, 0.0);
  for (std::size_t i = 0; i < n; ++i) f[i] = x[i] - m;
  fft(f);
  for (auto& c : f) c = std::norm(c);
  fft(f, true);
  // f[t] = len * sum_i y_i y_{i+t}; rescale so that acov_0 = var (N - 1) / N.
  const double scale = var * static_cast<double>(n - 1) / static_cast<double>(n) / f[0].real();
  for (std::size_t t = 0; t < n; ++t) acov[t] = f[t].real() * scale;
  return acov;
}

std::vector<double> autocovariance_direct(std::span<const double> x) {
  const std::size_t n = x.size();
  std::vector<double> acov(n, 0.0);
  if (n < 2) return acov;
  const double m = mean_of(x);
  const double var = sample_variance(x, m);
  if (var == 0.0) return acov;
  for (std::size_t t = 0; t < n; ++t) {
    double s = 0.0;
    for (std::size_t i = 0; i + t < n; ++i) s += (x[i] - m) * (x[i + t] - m);
    acov[t] = s / static_cast<double>(n);
  }
  return acov;
}

}  // namespace tapir::inference::diagnostics
