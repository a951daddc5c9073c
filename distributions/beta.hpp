#pragma once
// The beta distribution:
//
//   beta_lpdf(y | a, b) = (a - 1) log(y) + (b - 1) log1p(-y) - lbeta(a, b),  0 <= y <= 1
//   (with 0 log 0 = 0 at the ends)
//
// y outside [0, 1] gives -inf. Requirements: y not NaN, a and b positive finite.
//   f_y = (a-1)/y - (b-1)/(1-y), f_a = log(y) - psi(a) + psi(a+b), f_b = log1p(-y) - psi(b) + psi(a+b),
//   f_yy = -(a-1)/y^2 - (b-1)/(1-y)^2, f_ya = 1/y, f_yb = -1/(1-y),
//   f_aa = psi'(a+b) - psi'(a), f_ab = psi'(a+b), f_bb = psi'(a+b) - psi'(b).
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct BetaKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "beta_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "a", "b"};
  static constexpr bool both = B::scalar(1) && B::scalar(2);
  double lbeta_ = 0.0, fa_ = 0.0, fb_ = 0.0, fab_ = 0.0;
  // order 1: fa_ = psi(a), fb_ = psi(b), fab_ = psi(a+b); order 2: the same with psi'.
  static double poly(int order, double x) {
    return order == 1 ? autodiff::digamma(x) : autodiff::trigamma(x);
  }
  BetaKernel(const double* x0, int order) {
    const double a = x0[1], b = x0[2];
    if constexpr (both && B::keep(6))
      if (order < 2) lbeta_ = autodiff::lbeta(a, b);
    if (order > 0) {
      if constexpr (B::scalar(1) && B::var(1)) fa_ = poly(order, a);
      if constexpr (B::scalar(2) && B::var(2)) fb_ = poly(order, b);
      if constexpr (both && (B::var(1) || B::var(2))) fab_ = poly(order, a + b);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double y = x[0], a = x[1], b = x[2];
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (B::keep(6)) v -= hoisted<both>(lbeta_, [&] { return autodiff::lbeta(a, b); });
      if constexpr (B::keep(3)) v += multiply_log(a - 1.0, y);
      if constexpr (B::keep(5)) v += multiply_log1p(b - 1.0, -y);
      if constexpr (Order == 1) {
        p.d[0] = (a - 1.0) / y - (b - 1.0) / (1.0 - y);
        if constexpr (B::var(1) || B::var(2)) {
          const double dab = hoisted<both>(fab_, [&] { return autodiff::digamma(a + b); });
          if constexpr (B::var(1))
            p.d[1] = std::log(y) - hoisted<B::scalar(1)>(fa_, [&] { return autodiff::digamma(a); }) + dab;
          if constexpr (B::var(2))
            p.d[2] = std::log1p(-y) - hoisted<B::scalar(2)>(fb_, [&] { return autodiff::digamma(b); }) + dab;
        }
      }
    } else {
      const double c = 1.0 - y;
      p.set(0, 0, -(a - 1.0) / (y * y) - (b - 1.0) / (c * c));
      p.set(0, 1, 1.0 / y);
      p.set(0, 2, -1.0 / c);
      if constexpr (B::var(1) || B::var(2)) {
        const double tab = hoisted<both>(fab_, [&] { return autodiff::trigamma(a + b); });
        if constexpr (B::var(1))
          p.set(1, 1, tab - hoisted<B::scalar(1)>(fa_, [&] { return autodiff::trigamma(a); }));
        p.set(1, 2, tab);
        if constexpr (B::var(2))
          p.set(2, 2, tab - hoisted<B::scalar(2)>(fb_, [&] { return autodiff::trigamma(b); }));
      }
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class A, class Bt>
auto beta_lpdf(const Y& y, const A& a, const Bt& b) {
  using namespace detail;
  constexpr const char* fn = "beta_lpdf";
  using K = kernel_t<BetaKernel, propto, Y, A, Bt>;
  using R = result_t<Y, A, Bt>;
  const std::size_t n = common_size<K>(y, a, b);
  check_not_nan(fn, "random variable y", y);
  check_positive_finite(fn, "first shape a", a);
  check_positive_finite(fn, "second shape b", b);
  if constexpr (propto && !any_ad_v<Y, A, Bt>) {
    return R(0.0);
  } else {
    if (!all_of(y, [](double v) { return v >= 0.0 && v <= 1.0; })) return R(-inf);
    return reduce<K>(n, y, a, b);
  }
}

}  // namespace tapir::distributions
