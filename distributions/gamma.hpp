#pragma once
// The gamma distribution with shape alpha and rate beta:
//
//   gamma_lpdf(y | alpha, beta) = alpha log(beta) - lgamma(alpha) + (alpha - 1) log(y) - beta y,
//   y >= 0 (with 0 log 0 = 0 at y = 0, alpha = 1)
//
// y < 0 (and y = inf) gives -inf. Requirements: y not NaN, alpha and beta positive finite.
//   f_y = (alpha-1)/y - beta, f_alpha = log(beta) - psi(alpha) + log(y), f_beta = alpha/beta - y,
//   f_yy = -(alpha-1)/y^2, f_yalpha = 1/y, f_ybeta = -1, f_alphaalpha = -psi'(alpha),
//   f_alphabeta = 1/beta, f_betabeta = -alpha/beta^2.
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct GammaKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "gamma_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "alpha", "beta"};
  double log_y_ = 0.0, lg_a_ = 0.0, dg_a_ = 0.0, tg_a_ = 0.0, log_b_ = 0.0;
  GammaKernel(const double* x0, int order) {
    if constexpr (B::scalar(0)) log_y_ = std::log(x0[0]);
    if constexpr (B::scalar(1)) {
      if (order < 2 && B::keep(2)) lg_a_ = autodiff::lgamma(x0[1]);
      if (order == 1 && B::var(1)) dg_a_ = autodiff::digamma(x0[1]);
      if (order == 2 && B::var(1)) tg_a_ = autodiff::trigamma(x0[1]);
    }
    if constexpr (B::scalar(2)) log_b_ = std::log(x0[2]);
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double y = x[0], a = x[1], b = x[2];
    double v = 0.0;
    if constexpr (Order < 2) {
      const double log_b = hoisted<B::scalar(2)>(log_b_, [&] { return std::log(b); });
      if constexpr (B::keep(6)) v += a * log_b;
      if constexpr (B::keep(2)) v -= hoisted<B::scalar(1)>(lg_a_, [&] { return autodiff::lgamma(a); });
      if constexpr (B::keep(3)) v += a == 1.0 ? 0.0 : (a - 1.0) * hoisted<B::scalar(0)>(log_y_, [&] { return std::log(y); });
      if constexpr (B::keep(5)) v -= b * y;
      if constexpr (Order == 1) {
        p.d[0] = (a - 1.0) / y - b;
        if constexpr (B::var(1))
          p.d[1] = log_b - hoisted<B::scalar(1)>(dg_a_, [&] { return autodiff::digamma(a); }) +
                   hoisted<B::scalar(0)>(log_y_, [&] { return std::log(y); });
        p.d[2] = a / b - y;
      }
    } else {
      p.set(0, 0, -(a - 1.0) / (y * y));
      p.set(0, 1, 1.0 / y);
      p.set(0, 2, -1.0);
      if constexpr (B::var(1)) p.set(1, 1, -hoisted<B::scalar(1)>(tg_a_, [&] { return autodiff::trigamma(a); }));
      p.set(1, 2, 1.0 / b);
      p.set(2, 2, -a / (b * b));
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class A, class Beta>
auto gamma_lpdf(const Y& y, const A& alpha, const Beta& beta) {
  using namespace detail;
  constexpr const char* fn = "gamma_lpdf";
  using K = kernel_t<GammaKernel, propto, Y, A, Beta>;
  using R = result_t<Y, A, Beta>;
  const std::size_t n = common_size<K>(y, alpha, beta);
  check_not_nan(fn, "random variable y", y);
  check_positive_finite(fn, "shape alpha", alpha);
  check_positive_finite(fn, "rate beta", beta);
  if constexpr (propto && !any_ad_v<Y, A, Beta>) {
    return R(0.0);
  } else {
    if (!all_of(y, [](double v) { return v >= 0.0 && v < inf; })) return R(-inf);
    return reduce<K>(n, y, alpha, beta);
  }
}

}  // namespace tapir::distributions
