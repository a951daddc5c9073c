// The vectorizable array kernels: exp within 2 ulp of the correctly rounded value everywhere,
// sums, dots and maxima exact in their contracts.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "autodiff/array_kernels.hpp"

using namespace tapir::autodiff;

namespace {
// Distance in units in the last place of the reference (long double exp as the reference).
double ulps(double got, long double want) {
  if (std::isinf(static_cast<double>(want))) return got == static_cast<double>(want) ? 0.0 : 1e300;
  const double w = static_cast<double>(want);
  const double spacing = std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / spacing);
}
}  // namespace

TEST_CASE("vector_exp is within 2 ulp over the whole range, subnormals included") {
  std::mt19937_64 rng(20261124);
  double worst = 0.0;
  for (auto [lo, hi] : {std::pair{-745.1, 709.78}, std::pair{-1.0, 1.0}, std::pair{-1e-8, 1e-8},
                        std::pair{-745.1, -708.0}, std::pair{700.0, 709.78}}) {
    std::uniform_real_distribution<double> u(lo, hi);
    for (int i = 0; i < 200000; ++i) {
      const double x = u(rng);
      worst = std::max(worst, ulps(vector_exp(x), std::exp(static_cast<long double>(x))));
    }
  }
  CHECK(worst <= 2.0);
}

TEST_CASE("vector_exp special values follow IEEE") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(vector_exp(0.0) == 1.0);
  CHECK(vector_exp(-0.0) == 1.0);
  CHECK(vector_exp(709.79) == inf);
  CHECK(vector_exp(1e300) == inf);
  CHECK(vector_exp(inf) == inf);
  CHECK(vector_exp(-inf) == 0.0);
  CHECK(vector_exp(-746.0) == 0.0);
  CHECK(vector_exp(-745.0) == std::exp(-745.0));  // the smallest subnormal
  CHECK(std::isnan(vector_exp(std::nan(""))));
  std::vector<double> x = {1.0, 2.0, 3.0}, y(3);
  vector_exp(x.data(), 1.0, y.data(), 3);
  CHECK(y[2] == doctest::Approx(std::exp(2.0)).epsilon(1e-15));
}

TEST_CASE("array sums, dots and maxima") {
  std::vector<double> x(37), y(37);
  double s = 0.0, d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<double>(i) - 10.0;  // integers: every order of addition is exact
    y[i] = 0.5 * static_cast<double>(i % 5);
    s += x[i];
    d += x[i] * y[i];
  }
  CHECK(array_sum(x.data(), x.size()) == s);
  CHECK(array_dot(x.data(), y.data(), x.size()) == d);
  bool nan = true;
  CHECK(array_max(x.data(), x.size(), nan) == 26.0);
  CHECK_FALSE(nan);
  x[30] = std::nan("");
  array_max(x.data(), x.size(), nan);
  CHECK(nan);
  CHECK(array_max(x.data(), 0, nan) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("array_copy copies every value bit for bit and nothing past the end") {
  // Sizes around the 8-value block, and a destination a little past the source modulo 4096, the
  // placement that array_copy exists for.
  const std::vector<double> specials = {-0.0, 4.9e-324, std::numeric_limits<double>::infinity(),
                                        std::bit_cast<double>(std::uint64_t{0x7ff8dead0000beefull})};
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 17u, 63u, 64u, 65u, 1000u, 16384u}) {
    std::vector<double> x(n + 1), y(n + 600, 42.0);
    for (std::size_t i = 0; i < n; ++i) x[i] = i < specials.size() ? specials[i] : normal(rng);
    const std::size_t shift = 1 + n % 3;  // y + shift: 8-24 bytes apart from a fresh allocation
    array_copy(x.data(), n, y.data() + shift);
    for (std::size_t i = 0; i < shift; ++i) CHECK(y[i] == 42.0);
    for (std::size_t i = 0; i < n; ++i)
      CHECK(std::bit_cast<std::uint64_t>(y[shift + i]) == std::bit_cast<std::uint64_t>(x[i]));
    CHECK(y[shift + n] == 42.0);
  }
}
