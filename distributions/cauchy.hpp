#pragma once
// The Cauchy distribution:
//
//   cauchy_lpdf(y | mu, sigma) = -log(pi) - log(sigma) - log1p(z^2),  z = (y - mu) / sigma
//
// Requirements: y not NaN, mu finite, sigma positive finite. With g(z) = -log1p(z^2):
// g' = -2 z / (1 + z^2), g'' = -2 (1 - z^2) / (1 + z^2)^2 (location-scale chain rule in
// density_node.hpp).
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

// log1p(z^2) without overflow of z^2 for |z| > 1e150.
inline double log1p_square(double z) {
  const double a = std::fabs(z);
  return a < 1e150 ? std::log1p(a * a) : 2.0 * std::log(a);
}

// -log1p(z^2) and its first two derivatives: the standardized Cauchy term.
template <int Order>
inline double cauchy_term(double z, double& g1, double& g2) {
  double v = 0.0;
  if constexpr (Order < 2) v = -log1p_square(z);
  if constexpr (Order > 0) {
    const double w = 1.0 / (1.0 + z * z);
    g1 = -2.0 * z * w;
    g2 = -2.0 * (1.0 - z * z) * w * w;
  }
  return v;
}

template <bool Propto, unsigned V, unsigned S>
struct CauchyKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "cauchy_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "mu", "sigma"};
  double inv_s_ = 0.0, log_s_ = 0.0;
  CauchyKernel(const double* x0, int) {
    if constexpr (B::scalar(2)) {
      inv_s_ = 1.0 / x0[2];
      log_s_ = std::log(x0[2]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / x[2];
    const double z = (x[0] - x[1]) * inv_s;
    double g1 = 0.0, g2 = 0.0;
    double v = cauchy_term<Order>(z, g1, g2);
    if constexpr (Order < 2) {
      if constexpr (B::keep(4)) v -= hoisted<B::scalar(2)>(log_s_, [&] { return std::log(x[2]); });
      if constexpr (!Propto) v -= log_pi;
    }
    location_scale<Order, 0, 1, 2>(p, z, inv_s, g1, g2, 1.0);
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class M, class S>
auto cauchy_lpdf(const Y& y, const M& mu, const S& sigma) {
  using namespace detail;
  constexpr const char* fn = "cauchy_lpdf";
  using K = kernel_t<CauchyKernel, propto, Y, M, S>;
  using R = result_t<Y, M, S>;
  const std::size_t n = common_size<K>(y, mu, sigma);
  check_not_nan(fn, "random variable y", y);
  check_finite(fn, "location mu", mu);
  check_positive_finite(fn, "scale sigma", sigma);
  if constexpr (propto && !any_ad_v<Y, M, S>)
    return R(0.0);
  else
    return reduce<K>(n, y, mu, sigma);
}

}  // namespace tapir::distributions
