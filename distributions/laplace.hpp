#pragma once
// The Laplace (double exponential) distribution:
//
//   laplace_lpdf(y | mu, sigma) = -log 2 - log(sigma) - |y - mu| / sigma
//
// double_exponential_lpdf is the same function under Stan's name. Requirements: y not NaN,
// mu finite, sigma positive finite. At y = mu the derivative of |y - mu| is taken as 0 (as
// abs does) and its second derivative as 0 everywhere.
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Alias>
struct LaplaceKernelOf {
  template <bool Propto, unsigned V, unsigned S>
  struct K : KernelBase<3, Propto, V, S> {
    using B = KernelBase<3, Propto, V, S>;
    static constexpr const char* name = Alias ? "double_exponential_lpdf" : "laplace_lpdf";
    static constexpr std::array<const char*, 3> args{"y", "mu", "sigma"};
    double inv_s_ = 0.0, log_s_ = 0.0;
    K(const double* x0, int) {
      if constexpr (B::scalar(2)) {
        inv_s_ = 1.0 / x0[2];
        log_s_ = std::log(x0[2]);
      }
    }
    template <int Order>
    double eval(const double* x, Partials<3>& p) const {
      const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / x[2];
      const double z = (x[0] - x[1]) * inv_s;
      double v = 0.0;
      if constexpr (Order < 2) {
        v = -std::fabs(z);
        if constexpr (B::keep(4)) v -= hoisted<B::scalar(2)>(log_s_, [&] { return std::log(x[2]); });
        if constexpr (!Propto) v -= log_two;
      }
      const double sign = z > 0.0 ? 1.0 : (z < 0.0 ? -1.0 : 0.0);
      location_scale<Order, 0, 1, 2>(p, z, inv_s, -sign, 0.0, 1.0);
      return v;
    }
  };
};

template <bool propto, bool alias, class Y, class M, class S>
auto laplace_impl(const Y& y, const M& mu, const S& sigma) {
  using K = kernel_t<LaplaceKernelOf<alias>::template K, propto, Y, M, S>;
  using R = result_t<Y, M, S>;
  const char* fn = K::name;
  const std::size_t n = common_size<K>(y, mu, sigma);
  check_not_nan(fn, "random variable y", y);
  check_finite(fn, "location mu", mu);
  check_positive_finite(fn, "scale sigma", sigma);
  if constexpr (propto && !any_ad_v<Y, M, S>)
    return R(0.0);
  else
    return reduce<K>(n, y, mu, sigma);
}

}  // namespace detail

template <bool propto = false, class Y, class M, class S>
auto laplace_lpdf(const Y& y, const M& mu, const S& sigma) {
  return detail::laplace_impl<propto, false>(y, mu, sigma);
}

template <bool propto = false, class Y, class M, class S>
auto double_exponential_lpdf(const Y& y, const M& mu, const S& sigma) {
  return detail::laplace_impl<propto, true>(y, mu, sigma);
}

}  // namespace tapir::distributions
