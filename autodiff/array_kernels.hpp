#pragma once
// Plain-double kernels over arrays, written so that the compiler vectorizes them: the inner loops
// of the vector nodes and of the double evaluation of the same functions.
//
// vector_exp: exp over arrays of doubles, written branch-free so that the compiler vectorizes the loop (std::exp
// is a scalar library call). Accuracy: within 2 ulp of the correctly rounded result over the whole
// double range, including the subnormal results below exp(-708) (checked in vector_exp_test.cpp).
//
// Method (Cody and Waite 1980 argument reduction): x = k ln2 + r with |r| <= ln2 / 2, ln2 split
// into a high part with trailing zero bits and a low part so that k ln2_hi is exact; exp(r) by its
// Taylor polynomial to degree 13 (truncation error below 4e-18 relative on |r| <= 0.347); then
// 2^k applied as two exact power-of-two factors so that results in the subnormal range are right.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tapir::autodiff {

namespace detail {
inline double pow2i(std::int64_t k) {  // 2^k for -1022 <= k <= 1023, exact
  return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}
}  // namespace detail

inline double vector_exp(double x) {
  constexpr double log2e = 1.4426950408889634074;
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
  constexpr double ln2_lo = 1.90821492927058770002e-10;  // ln2 - ln2_hi
  const double xc = x > 710.0 ? 710.0 : (x < -746.0 ? -746.0 : x);
  const double kd = std::nearbyint(xc * log2e);
  const double r = (xc - kd * ln2_hi) - kd * ln2_lo;
  // Taylor coefficients 1/j!, Horner from degree 13 down.
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const auto k = static_cast<std::int64_t>(kd);
  const std::int64_t k1 = k / 2, k2 = k - k1;  // both within the normal exponent range
  double y = p * detail::pow2i(k1) * detail::pow2i(k2);
  y = x > 709.782712893384 ? INFINITY : y;
  return x != x ? x : y;
}

// y[i] = exp(x[i] - shift); y may alias x.
inline void vector_exp(const double* x, double shift, double* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = vector_exp(x[i] - shift);
}

// y[i] = x[i] for i < n; the arrays must not overlap. A loop of 64-byte blocks and not memcpy, on
// purpose: glibc (2.36 here, Debian 12's) copies blocks this large with `rep movsb`, which AMD
// Zen 3 and Zen 4 run more than ten times slower when the destination lies a little past the
// source modulo 4096 (glibc bug 30994). A tape's input slots and the caller's vector often lie
// so: on a Zen 4, copying 16384 inputs took 2.3 ns per value through std::copy against 0.16
// through this loop. The empty asm makes the block index opaque, so that GCC and Clang cannot
// turn the loop back into a memcpy call.
inline void array_copy(const double* x, std::size_t n, double* y) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    double block[8];
    std::memcpy(block, x + i, sizeof block);
    std::memcpy(y + i, block, sizeof block);
#if defined(__GNUC__)
    asm("" : "+r"(i));
#endif
  }
  for (; i < n; ++i) y[i] = x[i];
}

// Sums and dot products with eight independent accumulators: the loop runs at the adder's
// throughput instead of its latency (the rounding differs from a left-to-right sum only in the
// order of the additions).
inline double array_sum(const double* x, std::size_t n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += x[i + j];
  double total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; ++i) total += x[i];
  return total;
}
inline double array_dot(const double* x, const double* y, std::size_t n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += x[i + j] * y[i + j];
  double total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; ++i) total += x[i] * y[i];
  return total;
}
// The maximum, and whether any entry is NaN.
inline double array_max(const double* x, std::size_t n, bool& has_nan) {
  double m[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  std::size_t i = 0;
  bool nan = false;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      nan |= x[i + j] != x[i + j];
      m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
    }
  double r = -INFINITY;
  for (int j = 0; j < 8; ++j) r = m[j] > r ? m[j] : r;
  for (; i < n; ++i) {
    nan |= x[i] != x[i];
    r = x[i] > r ? x[i] : r;
  }
  has_nan = nan;
  return r;
}

}  // namespace tapir::autodiff
