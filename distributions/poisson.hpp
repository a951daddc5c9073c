#pragma once
// The Poisson distribution: poisson_lpmf (rate lambda) and poisson_log_lpmf (log rate alpha).
//
//   poisson_lpmf(n | lambda)    = n log(lambda) - lambda - lgamma(n + 1)   (0 log 0 = 0)
//   poisson_log_lpmf(n | alpha) = n alpha - exp(alpha) - lgamma(n + 1)
//
// n is an integer (or a vector of integers); n < 0 gives -inf (Stan throws instead), and so does
// alpha = +inf. Requirements: lambda nonnegative finite; alpha not NaN (alpha = -inf is the rate
// 0). propto drops lgamma(n + 1).
//   poisson:     f_lambda = n/lambda - 1, f_lambdalambda = -n/lambda^2
//   poisson_log: f_alpha = n - exp(alpha), f_alphaalpha = -exp(alpha)
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct PoissonKernel : KernelBase<2, Propto, V, S> {
  using B = KernelBase<2, Propto, V, S>;
  static constexpr const char* name = "poisson_lpmf";
  static constexpr std::array<const char*, 2> args{"n", "lambda"};
  double log_l_ = 0.0;
  PoissonKernel(const double* x0, int) {
    if constexpr (B::scalar(1)) log_l_ = std::log(x0[1]);
  }
  template <int Order>
  double eval(const double* x, Partials<2>& p) const {
    const double k = x[0], l = x[1];
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (!Propto) v = -log_factorial(k);
      if constexpr (B::keep(2)) {
        if (k != 0.0) v += k * hoisted<B::scalar(1)>(log_l_, [&] { return std::log(l); });
        v -= l;
      }
      if constexpr (Order == 1) p.d[1] = (k == 0.0 ? 0.0 : k / l) - 1.0;
    } else {
      p.set(1, 1, k == 0.0 ? 0.0 : -k / (l * l));
    }
    return v;
  }
};

template <bool Propto, unsigned V, unsigned S>
struct PoissonLogKernel : KernelBase<2, Propto, V, S> {
  using B = KernelBase<2, Propto, V, S>;
  static constexpr const char* name = "poisson_log_lpmf";
  static constexpr std::array<const char*, 2> args{"n", "alpha"};
  double exp_a_ = 0.0;
  PoissonLogKernel(const double* x0, int) {
    if constexpr (B::scalar(1)) exp_a_ = std::exp(x0[1]);
  }
  template <int Order>
  double eval(const double* x, Partials<2>& p) const {
    const double k = x[0], a = x[1];
    const double ea = hoisted<B::scalar(1)>(exp_a_, [&] { return std::exp(a); });
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (!Propto) v = -log_factorial(k);
      if constexpr (B::keep(2)) v += (k == 0.0 ? 0.0 : k * a) - ea;
      if constexpr (Order == 1) p.d[1] = k - ea;
    } else {
      p.set(1, 1, -ea);
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class N, class L>
auto poisson_lpmf(const N& n, const L& lambda) {
  using namespace detail;
  static_assert(is_int_arg<N>, "poisson_lpmf: n must be an integer or a vector of integers");
  constexpr const char* fn = "poisson_lpmf";
  using K = kernel_t<PoissonKernel, propto, N, L>;
  using R = result_t<N, L>;
  const std::size_t size = common_size<K>(n, lambda);
  check_nonnegative_finite(fn, "rate lambda", lambda);
  if constexpr (propto && !any_ad_v<N, L>) {
    return R(0.0);
  } else {
    if (!all_of(n, [](double v) { return v >= 0.0; })) return R(-inf);
    return reduce<K>(size, n, lambda);
  }
}

template <bool propto = false, class N, class A>
auto poisson_log_lpmf(const N& n, const A& alpha) {
  using namespace detail;
  static_assert(is_int_arg<N>, "poisson_log_lpmf: n must be an integer or a vector of integers");
  constexpr const char* fn = "poisson_log_lpmf";
  using K = kernel_t<PoissonLogKernel, propto, N, A>;
  using R = result_t<N, A>;
  const std::size_t size = common_size<K>(n, alpha);
  check_not_nan(fn, "log rate alpha", alpha);
  if constexpr (propto && !any_ad_v<N, A>) {
    return R(0.0);
  } else {
    if (!all_of(n, [](double v) { return v >= 0.0; })) return R(-inf);
    if (!all_of(alpha, [](double v) { return v < inf; })) return R(-inf);
    return reduce<K>(size, n, alpha);
  }
}

}  // namespace tapir::distributions
