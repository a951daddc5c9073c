#pragma once
// The lognormal distribution (SciPy's lognorm(s = sigma, scale = exp(mu))):
//
//   lognormal_lpdf(y | mu, sigma) = -((log y - mu) / sigma)^2 / 2 - log(sigma) - log(y)
//                                   - log(2 pi) / 2,  y > 0
//
// y <= 0 gives -inf. Requirements: y not NaN, mu finite, sigma positive finite.
// Partials in y by the chain rule through u = log y: f_y = (F_u - 1) / y with F_u the normal
// term's derivative in u, f_yy = (F_uu - F_u + 1) / y^2, f_ymu = F_umu / y, f_ysigma = F_usigma / y.
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct LognormalKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "lognormal_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "mu", "sigma"};
  double inv_s_ = 0.0, log_s_ = 0.0;
  LognormalKernel(const double* x0, int) {
    if constexpr (B::scalar(2)) {
      inv_s_ = 1.0 / x0[2];
      log_s_ = std::log(x0[2]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / x[2];
    const double u = std::log(x[0]);
    const double z = (u - x[1]) * inv_s;
    double v = 0.0;
    if constexpr (Order < 2) {
      v = -0.5 * z * z;
      if constexpr (B::keep(4)) v -= hoisted<B::scalar(2)>(log_s_, [&] { return std::log(x[2]); });
      if constexpr (B::keep(1)) v -= u;
      if constexpr (!Propto) v -= half_log_two_pi;
    }
    location_scale<Order, 0, 1, 2>(p, z, inv_s, -z, -1.0, 1.0);
    const double iy = 1.0 / x[0];
    if constexpr (Order == 1) {
      p.d[0] = (p.d[0] - 1.0) * iy;
    } else if constexpr (Order == 2) {
      const double fu = -z * inv_s - 1.0;
      p.set(0, 0, (p.h[0][0] - fu) * iy * iy);
      p.set(0, 1, p.h[0][1] * iy);
      p.set(0, 2, p.h[0][2] * iy);
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class M, class S>
auto lognormal_lpdf(const Y& y, const M& mu, const S& sigma) {
  using namespace detail;
  constexpr const char* fn = "lognormal_lpdf";
  using K = kernel_t<LognormalKernel, propto, Y, M, S>;
  using R = result_t<Y, M, S>;
  const std::size_t n = common_size<K>(y, mu, sigma);
  check_not_nan(fn, "random variable y", y);
  check_finite(fn, "location mu", mu);
  check_positive_finite(fn, "scale sigma", sigma);
  if constexpr (propto && !any_ad_v<Y, M, S>) {
    return R(0.0);
  } else {
    if (!all_of(y, [](double v) { return v > 0.0; })) return R(-inf);
    return reduce<K>(n, y, mu, sigma);
  }
}

}  // namespace tapir::distributions
