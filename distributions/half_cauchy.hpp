#pragma once
// The half-Cauchy distribution on [0, inf) with scale sigma (SciPy's halfcauchy(scale = sigma)):
//
//   half_cauchy_lpdf(y | sigma) = log 2 - log(pi) - log(sigma) - log1p((y / sigma)^2),  y >= 0
//
// y < 0 gives -inf. Requirements: y not NaN, sigma positive finite.
#include <cmath>

#include "distributions/cauchy.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct HalfCauchyKernel : KernelBase<2, Propto, V, S> {
  using B = KernelBase<2, Propto, V, S>;
  static constexpr const char* name = "half_cauchy_lpdf";
  static constexpr std::array<const char*, 2> args{"y", "sigma"};
  double inv_s_ = 0.0, log_s_ = 0.0;
  HalfCauchyKernel(const double* x0, int) {
    if constexpr (B::scalar(1)) {
      inv_s_ = 1.0 / x0[1];
      log_s_ = std::log(x0[1]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<2>& p) const {
    const double inv_s = B::scalar(1) ? inv_s_ : 1.0 / x[1];
    const double z = x[0] * inv_s;
    double g1 = 0.0, g2 = 0.0;
    double v = cauchy_term<Order>(z, g1, g2);
    if constexpr (Order < 2) {
      if constexpr (B::keep(2)) v -= hoisted<B::scalar(1)>(log_s_, [&] { return std::log(x[1]); });
      if constexpr (!Propto) v += log_two - log_pi;
    }
    location_scale<Order, 0, -1, 1>(p, z, inv_s, g1, g2, 1.0);
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class S>
auto half_cauchy_lpdf(const Y& y, const S& sigma) {
  using namespace detail;
  constexpr const char* fn = "half_cauchy_lpdf";
  using K = kernel_t<HalfCauchyKernel, propto, Y, S>;
  using R = result_t<Y, S>;
  const std::size_t n = common_size<K>(y, sigma);
  check_not_nan(fn, "random variable y", y);
  check_positive_finite(fn, "scale sigma", sigma);
  if constexpr (propto && !any_ad_v<Y, S>) {
    return R(0.0);
  } else {
    if (!all_of(y, [](double v) { return v >= 0.0; })) return R(-inf);
    return reduce<K>(n, y, sigma);
  }
}

}  // namespace tapir::distributions
