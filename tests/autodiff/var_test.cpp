// Var itself: construction of independents in bulk (the functional API's inputs).
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "autodiff/functional.hpp"

using namespace tapir::autodiff;

TEST_CASE("write_independents: every value bit for bit, consecutive slots, nothing past the end") {
  const double special[] = {-0.0, std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::infinity(),
                            std::bit_cast<double>(std::uint64_t{0x7ff8000000000abcULL}), -1e308, 3.5};
  for (std::size_t n : {0u, 1u, 2u, 3u, 7u, 8u, 9u, 33u, 1000u}) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = i < 6 ? special[i] : 0.25 * static_cast<double>(i) - 7.0;
    const index_t first = 4000000000u - 1000u;  // slots near the top of the 32-bit range
    const Var sentinel(2.5, 77);
    std::vector<Var> out(n + 1, sentinel);
    Var::write_independents(out.data(), x.data(), n, first);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(std::bit_cast<std::uint64_t>(out[i].value()) == std::bit_cast<std::uint64_t>(x[i]));
      CHECK(out[i].index() == first + i);
    }
    CHECK(out[n].value() == 2.5);
    CHECK(out[n].index() == 77u);
  }
}

TEST_CASE("the functional API's inputs are independents: gradient of sum(c_i x_i) is c") {
  for (std::size_t n : {1u, 5u, 64u, 1001u}) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(static_cast<double>(i));
    auto f = [](const auto& v) {
      typename std::decay_t<decltype(v)>::Scalar s = 0.0;
      for (std::size_t i = 0; i < v.size(); ++i) s += static_cast<double>(i + 1) * v[i];
      return s;
    };
    const auto r = value_and_gradient(f, x);
    double want = 0.0;
    for (std::size_t i = 0; i < n; ++i) want += static_cast<double>(i + 1) * x[i];
    CHECK(r.value == doctest::Approx(want).epsilon(1e-14));
    for (std::size_t i = 0; i < n; ++i) CHECK(r.gradient[i] == static_cast<double>(i + 1));
  }
}
