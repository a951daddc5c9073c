#pragma once
// The exponential distribution with rate beta: exponential_lpdf and exponential_lcdf.
//
//   exponential_lpdf(y | beta) = log(beta) - beta y,           y >= 0
//   exponential_lcdf(y | beta) = log(1 - exp(-beta y)),         y >= 0
//
// y < 0 gives -inf. Requirements: y not NaN, beta positive finite.
// lcdf: with u = beta y and q = 1 / expm1(u): d/du = q, d2/du2 = -q (1 + q).
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct ExponentialKernel : KernelBase<2, Propto, V, S> {
  using B = KernelBase<2, Propto, V, S>;
  static constexpr const char* name = "exponential_lpdf";
  static constexpr std::array<const char*, 2> args{"y", "beta"};
  double log_b_ = 0.0;
  ExponentialKernel(const double* x0, int) {
    if constexpr (B::scalar(1)) log_b_ = std::log(x0[1]);
  }
  template <int Order>
  double eval(const double* x, Partials<2>& p) const {
    const double y = x[0], b = x[1];
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (B::keep(2)) v = hoisted<B::scalar(1)>(log_b_, [&] { return std::log(b); });
      v -= b * y;
    }
    if constexpr (Order == 1) {
      p.d[0] = -b;
      p.d[1] = 1.0 / b - y;
    } else if constexpr (Order == 2) {
      p.set(0, 0, 0.0);
      p.set(0, 1, -1.0);
      p.set(1, 1, -1.0 / (b * b));
    }
    return v;
  }
};

template <bool Propto, unsigned V, unsigned S>
struct ExponentialLcdfKernel : KernelBase<2, Propto, V, S> {
  static constexpr const char* name = "exponential_lcdf";
  static constexpr std::array<const char*, 2> args{"y", "beta"};
  ExponentialLcdfKernel(const double*, int) {}
  template <int Order>
  double eval(const double* x, Partials<2>& p) const {
    const double y = x[0], b = x[1], u = b * y;
    double v = 0.0;
    if constexpr (Order < 2) v = autodiff::log1m_exp(-u);
    if constexpr (Order > 0) {
      const double q = 1.0 / std::expm1(u);
      if constexpr (Order == 1) {
        p.d[0] = q * b;
        p.d[1] = q * y;
      } else {
        const double c = -q * (1.0 + q);
        p.set(0, 0, c * b * b);
        p.set(0, 1, c * b * y + q);
        p.set(1, 1, c * y * y);
      }
    }
    return v;
  }
};

template <template <bool, unsigned, unsigned> class Kern, bool propto, class Y, class Beta>
auto exponential_impl(const Y& y, const Beta& beta) {
  using K = kernel_t<Kern, propto, Y, Beta>;
  using R = result_t<Y, Beta>;
  const char* fn = K::name;
  const std::size_t n = common_size<K>(y, beta);
  check_not_nan(fn, "random variable y", y);
  check_positive_finite(fn, "rate beta", beta);
  if constexpr (propto && !any_ad_v<Y, Beta>) {
    return R(0.0);
  } else {
    if (!all_of(y, [](double v) { return v >= 0.0; })) return R(-inf);
    return reduce<K>(n, y, beta);
  }
}

}  // namespace detail

template <bool propto = false, class Y, class Beta>
auto exponential_lpdf(const Y& y, const Beta& beta) {
  return detail::exponential_impl<detail::ExponentialKernel, propto>(y, beta);
}

template <class Y, class Beta>
auto exponential_lcdf(const Y& y, const Beta& beta) {
  return detail::exponential_impl<detail::ExponentialLcdfKernel, false>(y, beta);
}

}  // namespace tapir::distributions
