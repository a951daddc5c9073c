#pragma once
// The Bernoulli distribution: bernoulli_lpmf (probability theta) and bernoulli_logit_lpmf (log
// odds alpha, theta = inv_logit(alpha)).
//
//   bernoulli_lpmf(n | theta)       = log(theta) if n = 1, log1p(-theta) if n = 0
//   bernoulli_logit_lpmf(n | alpha) = log inv_logit(s alpha) = -log1p(exp(-s alpha)),  s = 2n - 1
//
// n is an integer (or a vector of integers); n outside {0, 1} gives -inf (Stan throws instead).
// Requirements: theta in [0, 1]; alpha not NaN.
// bernoulli_logit: with e = exp(-|alpha|) and p = inv_logit(alpha): value min(s alpha, 0) -
// log1p(e), f_alpha = n - p, f_alphaalpha = -p (1 - p) = -e / (1 + e)^2.
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct BernoulliKernel : KernelBase<2, Propto, V, S> {
  using B = KernelBase<2, Propto, V, S>;
  static constexpr const char* name = "bernoulli_lpmf";
  static constexpr std::array<const char*, 2> args{"n", "theta"};
  double log_t_ = 0.0, log1m_t_ = 0.0;
  BernoulliKernel(const double* x0, int) {
    if constexpr (B::scalar(1)) {
      log_t_ = std::log(x0[1]);
      log1m_t_ = std::log1p(-x0[1]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<2>& p) const {
    const bool one = x[0] != 0.0;
    const double t = x[1];
    double v = 0.0;
    if constexpr (Order < 2) {
      v = one ? hoisted<B::scalar(1)>(log_t_, [&] { return std::log(t); })
              : hoisted<B::scalar(1)>(log1m_t_, [&] { return std::log1p(-t); });
      if constexpr (Order == 1) p.d[1] = one ? 1.0 / t : -1.0 / (1.0 - t);
    } else {
      const double r = one ? 1.0 / t : 1.0 / (1.0 - t);
      p.set(1, 1, -r * r);
    }
    return v;
  }
};

template <bool Propto, unsigned V, unsigned S>
struct BernoulliLogitKernel : KernelBase<2, Propto, V, S> {
  static constexpr const char* name = "bernoulli_logit_lpmf";
  static constexpr std::array<const char*, 2> args{"n", "alpha"};
  BernoulliLogitKernel(const double*, int) {}
  template <int Order>
  double eval(const double* x, Partials<2>& p) const {
    const bool one = x[0] != 0.0;
    const double a = x[1], e = std::exp(-std::fabs(a));
    double v = 0.0;
    if constexpr (Order < 2) {
      const double sa = one ? a : -a;
      v = (sa < 0.0 ? sa : 0.0) - std::log1p(e);
      if constexpr (Order == 1) {
        const double prob = (a >= 0.0 ? 1.0 : e) / (1.0 + e);
        p.d[1] = (one ? 1.0 : 0.0) - prob;
      }
    } else {
      const double r = 1.0 / (1.0 + e);
      p.set(1, 1, -e * r * r);
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class N, class T>
auto bernoulli_lpmf(const N& n, const T& theta) {
  using namespace detail;
  static_assert(is_int_arg<N>, "bernoulli_lpmf: n must be an integer or a vector of integers");
  constexpr const char* fn = "bernoulli_lpmf";
  using K = kernel_t<BernoulliKernel, propto, N, T>;
  using R = result_t<N, T>;
  const std::size_t size = common_size<K>(n, theta);
  check_probability(fn, "probability theta", theta);
  if constexpr (propto && !any_ad_v<N, T>) {
    return R(0.0);
  } else {
    if (!all_of(n, [](double v) { return v == 0.0 || v == 1.0; })) return R(-inf);
    return reduce<K>(size, n, theta);
  }
}

template <bool propto = false, class N, class T>
auto bernoulli_logit_lpmf(const N& n, const T& alpha) {
  using namespace detail;
  static_assert(is_int_arg<N>, "bernoulli_logit_lpmf: n must be an integer or a vector of integers");
  constexpr const char* fn = "bernoulli_logit_lpmf";
  using K = kernel_t<BernoulliLogitKernel, propto, N, T>;
  using R = result_t<N, T>;
  const std::size_t size = common_size<K>(n, alpha);
  check_not_nan(fn, "log odds alpha", alpha);
  if constexpr (propto && !any_ad_v<N, T>) {
    return R(0.0);
  } else {
    if (!all_of(n, [](double v) { return v == 0.0 || v == 1.0; })) return R(-inf);
    return reduce<K>(size, n, alpha);
  }
}

}  // namespace tapir::distributions
