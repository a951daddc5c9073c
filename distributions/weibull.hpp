#pragma once
// The Weibull distribution with shape alpha and scale sigma (SciPy's weibull_min(alpha, scale = sigma)):
//
//   weibull_lpdf(y | alpha, sigma) = log(alpha) + (alpha - 1) log(y) - alpha log(sigma) - (y/sigma)^alpha,
//   y >= 0 (with 0 log 0 = 0 at y = 0, alpha = 1)
//
// y < 0 (and y = inf) gives -inf. Requirements: y not NaN, alpha and sigma positive finite.
// With l = log(y/sigma) and w = (y/sigma)^alpha:
//   f_y = (alpha - 1 - alpha w)/y, f_alpha = 1/alpha + l - w l, f_sigma = alpha (w - 1)/sigma,
//   f_yy = -(alpha-1)(1 + alpha w)/y^2, f_yalpha = (1 - w - alpha w l)/y, f_ysigma = alpha^2 w/(sigma y),
//   f_alphaalpha = -1/alpha^2 - w l^2, f_alphasigma = (w + alpha w l - 1)/sigma,
//   f_sigmasigma = -alpha (alpha w + w - 1)/sigma^2.
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct WeibullKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "weibull_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "alpha", "sigma"};
  double log_a_ = 0.0, inv_s_ = 0.0, log_s_ = 0.0;
  WeibullKernel(const double* x0, int) {
    if constexpr (B::scalar(1)) log_a_ = std::log(x0[1]);
    if constexpr (B::scalar(2)) {
      inv_s_ = 1.0 / x0[2];
      log_s_ = std::log(x0[2]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double y = x[0], a = x[1], s = x[2];
    const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / s;
    const double r = y / s, w = std::pow(r, a);
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (B::keep(2)) v += hoisted<B::scalar(1)>(log_a_, [&] { return std::log(a); });
      if constexpr (B::keep(3)) v += multiply_log(a - 1.0, y);
      if constexpr (B::keep(6)) v -= a * hoisted<B::scalar(2)>(log_s_, [&] { return std::log(s); });
      v -= w;
      if constexpr (Order == 1) {
        p.d[0] = (a - 1.0 - a * w) / y;
        if constexpr (B::var(1)) {
          const double l = std::log(r);
          p.d[1] = 1.0 / a + l - w * l;
        }
        p.d[2] = a * (w - 1.0) * inv_s;
      }
    } else {
      const double l = std::log(r), awl = a * w * l;
      p.set(0, 0, -(a - 1.0) * (1.0 + a * w) / (y * y));
      p.set(0, 1, (1.0 - w - awl) / y);
      p.set(0, 2, a * a * w * inv_s / y);
      p.set(1, 1, -1.0 / (a * a) - w * l * l);
      p.set(1, 2, (w + awl - 1.0) * inv_s);
      p.set(2, 2, -a * (a * w + w - 1.0) * inv_s * inv_s);
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class A, class S>
auto weibull_lpdf(const Y& y, const A& alpha, const S& sigma) {
  using namespace detail;
  constexpr const char* fn = "weibull_lpdf";
  using K = kernel_t<WeibullKernel, propto, Y, A, S>;
  using R = result_t<Y, A, S>;
  const std::size_t n = common_size<K>(y, alpha, sigma);
  check_not_nan(fn, "random variable y", y);
  check_positive_finite(fn, "shape alpha", alpha);
  check_positive_finite(fn, "scale sigma", sigma);
  if constexpr (propto && !any_ad_v<Y, A, S>) {
    return R(0.0);
  } else {
    if (!all_of(y, [](double v) { return v >= 0.0 && v < inf; })) return R(-inf);
    return reduce<K>(n, y, alpha, sigma);
  }
}

}  // namespace tapir::distributions
