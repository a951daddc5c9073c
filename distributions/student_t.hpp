#pragma once
// Student's t distribution with nu degrees of freedom, location mu and scale sigma:
//
//   student_t_lpdf(y | nu, mu, sigma) = C(nu) - log(sigma) - (nu + 1)/2 log1p(z^2 / nu),
//   z = (y - mu) / sigma,  C(nu) = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2
//                               = -lbeta(nu/2, 1/2) - log(nu)/2
// (the lbeta form has no cancellation for large nu). Requirements: y not NaN, nu positive
// finite, mu finite, sigma positive finite.
//
// With g(z, nu) = -(nu + 1)/2 log1p(z^2/nu), w = nu + z^2:
//   g_z = -(nu+1) z / w,            g_zz = -(nu+1) (nu - z^2) / w^2,
//   g_nu = -log1p(z^2/nu)/2 + (nu+1) z^2 / (2 nu w),   g_znu = z (1 - z^2) / w^2,
//   g_nunu = z^2 ((nu-1) z^2 - 2 nu) / (2 nu^2 w^2),
//   C'(nu) = (psi((nu+1)/2) - psi(nu/2))/2 - 1/(2 nu),  C''(nu) = (psi'((nu+1)/2) - psi'(nu/2))/4 + 1/(2 nu^2);
// the (y, mu, sigma) block follows the location-scale chain rule and the nu row is
// f_ynu = g_znu / sigma, f_munu = -g_znu / sigma, f_sigmanu = -g_znu z / sigma.
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct StudentTKernel : KernelBase<4, Propto, V, S> {
  using B = KernelBase<4, Propto, V, S>;
  static constexpr const char* name = "student_t_lpdf";
  static constexpr std::array<const char*, 4> args{"y", "nu", "mu", "sigma"};
  static double c0(double nu) { return -autodiff::lbeta(0.5 * nu, 0.5) - 0.5 * std::log(nu); }
  static double c1(double nu) {
    return 0.5 * (autodiff::digamma(0.5 * (nu + 1.0)) - autodiff::digamma(0.5 * nu)) - 0.5 / nu;
  }
  static double c2(double nu) {
    return 0.25 * (autodiff::trigamma(0.5 * (nu + 1.0)) - autodiff::trigamma(0.5 * nu)) + 0.5 / (nu * nu);
  }
  double c0_ = 0.0, c1_ = 0.0, c2_ = 0.0, inv_s_ = 0.0, log_s_ = 0.0;
  StudentTKernel(const double* x0, int order) {
    if constexpr (B::scalar(1) && B::keep(2)) {
      if (order < 2) c0_ = c0(x0[1]);
      if (B::var(1) && order == 1) c1_ = c1(x0[1]);
      if (B::var(1) && order == 2) c2_ = c2(x0[1]);
    }
    if constexpr (B::scalar(3)) {
      inv_s_ = 1.0 / x0[3];
      log_s_ = std::log(x0[3]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<4>& p) const {
    const double nu = x[1];
    const double inv_s = B::scalar(3) ? inv_s_ : 1.0 / x[3];
    const double z = (x[0] - x[2]) * inv_s, z2 = z * z, w = nu + z2;
    double v = 0.0;
    if constexpr (Order < 2) {
      const double l = std::log1p(z2 / nu);
      v = -0.5 * (nu + 1.0) * l;
      if constexpr (B::keep(2)) v += hoisted<B::scalar(1)>(c0_, [&] { return c0(nu); });
      if constexpr (B::keep(8)) v -= hoisted<B::scalar(3)>(log_s_, [&] { return std::log(x[3]); });
      if constexpr (Order == 1) {
        location_scale<1, 0, 2, 3>(p, z, inv_s, -(nu + 1.0) * z / w, 0.0, 1.0);
        if constexpr (B::var(1))
          p.d[1] = hoisted<B::scalar(1)>(c1_, [&] { return c1(nu); }) - 0.5 * l +
                   0.5 * (nu + 1.0) * z2 / (nu * w);
      }
    } else {
      const double w2 = w * w;
      location_scale<2, 0, 2, 3>(p, z, inv_s, -(nu + 1.0) * z / w, -(nu + 1.0) * (nu - z2) / w2, 1.0);
      if constexpr (B::var(1)) {
        const double gzn = z * (1.0 - z2) / w2;
        p.set(1, 0, gzn * inv_s);
        p.set(1, 2, -gzn * inv_s);
        p.set(1, 3, -gzn * z * inv_s);
        p.set(1, 1, hoisted<B::scalar(1)>(c2_, [&] { return c2(nu); }) +
                        z2 * ((nu - 1.0) * z2 - 2.0 * nu) / (2.0 * nu * nu * w2));
      }
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class N, class M, class S>
auto student_t_lpdf(const Y& y, const N& nu, const M& mu, const S& sigma) {
  using namespace detail;
  constexpr const char* fn = "student_t_lpdf";
  using K = kernel_t<StudentTKernel, propto, Y, N, M, S>;
  using R = result_t<Y, N, M, S>;
  const std::size_t n = common_size<K>(y, nu, mu, sigma);
  check_not_nan(fn, "random variable y", y);
  check_positive_finite(fn, "degrees of freedom nu", nu);
  check_finite(fn, "location mu", mu);
  check_positive_finite(fn, "scale sigma", sigma);
  if constexpr (propto && !any_ad_v<Y, N, M, S>)
    return R(0.0);
  else
    return reduce<K>(n, y, nu, mu, sigma);
}

}  // namespace tapir::distributions
