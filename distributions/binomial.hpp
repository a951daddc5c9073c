#pragma once
// The binomial distribution: binomial_lpmf (probability theta) and binomial_logit_lpmf (log odds
// alpha, theta = inv_logit(alpha)).
//
//   binomial_lpmf(n | N, theta)       = lchoose(N, n) + n log(theta) + (N - n) log1p(-theta)
//   binomial_logit_lpmf(n | N, alpha) = lchoose(N, n) + n log inv_logit(alpha)
//                                       + (N - n) log(1 - inv_logit(alpha))
// (with 0 log 0 = 0). n and N are integers (or vectors of them); n outside [0, N] gives -inf
// (Stan throws instead). Requirements: N >= 0, theta in [0, 1], alpha finite. propto drops
// lchoose(N, n).
//   binomial:       f_theta = n/theta - (N-n)/(1-theta), f_thetatheta = -n/theta^2 - (N-n)/(1-theta)^2
//   binomial_logit: f_alpha = n - N p, f_alphaalpha = -N p (1 - p), p = inv_logit(alpha)
#include <cmath>
#include <type_traits>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct BinomialKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "binomial_lpmf";
  static constexpr std::array<const char*, 3> args{"n", "N", "theta"};
  double log_t_ = 0.0, log1m_t_ = 0.0;
  BinomialKernel(const double* x0, int) {
    if constexpr (B::scalar(2)) {
      log_t_ = std::log(x0[2]);
      log1m_t_ = std::log1p(-x0[2]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double k = x[0], m = x[1] - x[0], t = x[2];
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (!Propto) v = autodiff::lchoose(x[1], k);
      if constexpr (B::keep(4)) {
        if (k != 0.0) v += k * hoisted<B::scalar(2)>(log_t_, [&] { return std::log(t); });
        if (m != 0.0) v += m * hoisted<B::scalar(2)>(log1m_t_, [&] { return std::log1p(-t); });
      }
      if constexpr (Order == 1) p.d[2] = (k == 0.0 ? 0.0 : k / t) - (m == 0.0 ? 0.0 : m / (1.0 - t));
    } else {
      const double c = 1.0 - t;
      p.set(2, 2, -(k == 0.0 ? 0.0 : k / (t * t)) - (m == 0.0 ? 0.0 : m / (c * c)));
    }
    return v;
  }
};

template <bool Propto, unsigned V, unsigned S>
struct BinomialLogitKernel : KernelBase<3, Propto, V, S> {
  static constexpr const char* name = "binomial_logit_lpmf";
  static constexpr std::array<const char*, 3> args{"n", "N", "alpha"};
  BinomialLogitKernel(const double*, int) {}
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double k = x[0], total = x[1], a = x[2], e = std::exp(-std::fabs(a)), r = 1.0 / (1.0 + e);
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (!Propto) v = autodiff::lchoose(total, k);
      const double l = std::log1p(e);
      // log inv_logit(a) = min(a, 0) - l, log(1 - inv_logit(a)) = min(-a, 0) - l
      v += k * ((a < 0.0 ? a : 0.0) - l) + (total - k) * ((a > 0.0 ? -a : 0.0) - l);
      if constexpr (Order == 1) p.d[2] = k - total * (a >= 0.0 ? r : e * r);
    } else {
      p.set(2, 2, -total * e * r * r);
    }
    return v;
  }
};

template <bool logit, bool propto, class N, class Tot, class T>
auto binomial_impl(const N& n, const Tot& trials, const T& theta) {
  static_assert(is_int_arg<N> && is_int_arg<Tot>,
                "binomial_lpmf: n and N must be integers or vectors of integers");
  using K = std::conditional_t<logit, kernel_t<BinomialLogitKernel, propto, N, Tot, T>,
                               kernel_t<BinomialKernel, propto, N, Tot, T>>;
  using R = result_t<N, Tot, T>;
  const char* fn = K::name;
  const std::size_t size = common_size<K>(n, trials, theta);
  check_nonnegative(fn, "number of trials N", trials);
  if constexpr (logit)
    check_finite(fn, "log odds alpha", theta);
  else
    check_probability(fn, "probability theta", theta);
  if constexpr (propto && !any_ad_v<N, Tot, T>) {
    return R(0.0);
  } else {
    if (!all_elements(size, [](double k, double m) { return k >= 0.0 && k <= m; }, n, trials)) return R(-inf);
    return reduce<K>(size, n, trials, theta);
  }
}

}  // namespace detail

template <bool propto = false, class N, class Tot, class T>
auto binomial_lpmf(const N& n, const Tot& trials, const T& theta) {
  return detail::binomial_impl<false, propto>(n, trials, theta);
}

template <bool propto = false, class N, class Tot, class T>
auto binomial_logit_lpmf(const N& n, const Tot& trials, const T& alpha) {
  return detail::binomial_impl<true, propto>(n, trials, alpha);
}

}  // namespace tapir::distributions
