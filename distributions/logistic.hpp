#pragma once
// The logistic distribution: logistic_lpdf and logistic_lcdf.
//
//   logistic_lpdf(y | mu, sigma) = -z - 2 log1p(exp(-z)) - log(sigma)
//                                = -|z| - 2 log1p(exp(-|z|)) - log(sigma),  z = (y - mu) / sigma
//   logistic_lcdf(y | mu, sigma) = log inv_logit(z) = -log1p(exp(-z))
//
// Requirements: y not NaN, mu finite, sigma positive finite. With e = exp(-|z|):
//   density:  g' = -sign(z) (1 - e) / (1 + e) = -tanh(z/2),  g'' = -2 e / (1 + e)^2
//   lcdf:     g' = inv_logit(-z),                           g'' = -e / (1 + e)^2
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct LogisticKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "logistic_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "mu", "sigma"};
  double inv_s_ = 0.0, log_s_ = 0.0;
  LogisticKernel(const double* x0, int) {
    if constexpr (B::scalar(2)) {
      inv_s_ = 1.0 / x0[2];
      log_s_ = std::log(x0[2]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / x[2];
    const double z = (x[0] - x[1]) * inv_s, a = std::fabs(z), e = std::exp(-a);
    double v = 0.0;
    if constexpr (Order < 2) {
      v = -a - 2.0 * std::log1p(e);
      if constexpr (B::keep(4)) v -= hoisted<B::scalar(2)>(log_s_, [&] { return std::log(x[2]); });
    }
    if constexpr (Order > 0) {
      const double sign = z > 0.0 ? 1.0 : (z < 0.0 ? -1.0 : 0.0), r = 1.0 / (1.0 + e);
      location_scale<Order, 0, 1, 2>(p, z, inv_s, -sign * (1.0 - e) * r, -2.0 * e * r * r, 1.0);
    }
    return v;
  }
};

template <bool Propto, unsigned V, unsigned S>
struct LogisticLcdfKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "logistic_lcdf";
  static constexpr std::array<const char*, 3> args{"y", "mu", "sigma"};
  double inv_s_ = 0.0;
  LogisticLcdfKernel(const double* x0, int) {
    if constexpr (B::scalar(2)) inv_s_ = 1.0 / x0[2];
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / x[2];
    const double z = (x[0] - x[1]) * inv_s, e = std::exp(-std::fabs(z));
    double v = 0.0;
    if constexpr (Order < 2) v = (z < 0.0 ? z : 0.0) - std::log1p(e);
    if constexpr (Order > 0) {
      const double r = 1.0 / (1.0 + e);
      location_scale<Order, 0, 1, 2>(p, z, inv_s, z >= 0.0 ? e * r : r, -e * r * r, 0.0);
    }
    return v;
  }
};

template <template <bool, unsigned, unsigned> class Kern, bool propto, class Y, class M, class S>
auto logistic_impl(const Y& y, const M& mu, const S& sigma) {
  using K = kernel_t<Kern, propto, Y, M, S>;
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
auto logistic_lpdf(const Y& y, const M& mu, const S& sigma) {
  return detail::logistic_impl<detail::LogisticKernel, propto>(y, mu, sigma);
}

// log of the logistic CDF, summed over broadcast elements.
template <class Y, class M, class S>
auto logistic_lcdf(const Y& y, const M& mu, const S& sigma) {
  return detail::logistic_impl<detail::LogisticLcdfKernel, false>(y, mu, sigma);
}

}  // namespace tapir::distributions
