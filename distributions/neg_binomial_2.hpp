#pragma once
// The negative binomial distribution in the mean-precision parameterization:
// neg_binomial_2_lpmf (mean mu) and neg_binomial_2_log_lpmf (log mean eta, mu = exp(eta)).
//
//   neg_binomial_2_lpmf(n | mu, phi) = lgamma(n + phi) - lgamma(phi) - lgamma(n + 1)
//                                      + n log(mu / (mu + phi)) + phi log(phi / (mu + phi))
// (mean mu, variance mu + mu^2 / phi). lgamma(n + phi) - lgamma(phi) is computed as
// lgamma(n) - lbeta(n, phi) (0 for n = 0), n log(mu/(mu+phi)) as -n log1p(phi/mu) and
// phi log(phi/(mu+phi)) as -phi log1p(mu/phi), which stay accurate for large phi.
//
// n is an integer (or a vector of integers); n < 0 gives -inf (Stan throws instead).
// Requirements: mu positive finite (eta finite), phi positive finite. propto drops lgamma(n + 1).
// With s = mu + phi, p = mu/s, q = phi/s, D1 = psi(n+phi) - psi(phi), D2 = psi'(n+phi) - psi'(phi):
//   f_mu = n/mu - (n+phi)/s,             f_phi = D1 + log q + p - n/s,
//   f_mumu = -n/mu^2 + (n+phi)/s^2,      f_muphi = (n - mu)/s^2,
//   f_phiphi = D2 + p^2/phi + n/s^2;
// in eta: f_eta = n q - phi p, f_etaeta = -(n+phi) p q, f_etaphi = -p + (n+phi) p q / phi,
//   f_phi = D1 + log q + p - n q/phi, f_phiphi = D2 + p^2/phi + n q^2/phi^2.
#include <cmath>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

// lgamma(n + phi) - lgamma(phi) for a count n >= 0.
inline double lgamma_ratio(double n, double phi) {
  return n == 0.0 ? 0.0 : log_factorial(n - 1.0) - autodiff::lbeta(n, phi);
}

template <bool Propto, unsigned V, unsigned S>
struct NegBinomial2Kernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "neg_binomial_2_lpmf";
  static constexpr std::array<const char*, 3> args{"n", "mu", "phi"};
  NegBinomial2Kernel(const double*, int) {}
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double k = x[0], mu = x[1], phi = x[2], s = mu + phi;
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (!Propto) v = -log_factorial(k);
      if constexpr (B::keep(4)) v += lgamma_ratio(k, phi);
      const double log_q = -std::log1p(mu / phi);
      v += (k == 0.0 ? 0.0 : -k * std::log1p(phi / mu)) + phi * log_q;
      if constexpr (Order == 1) {
        p.d[1] = k / mu - (k + phi) / s;
        if constexpr (B::var(2)) p.d[2] = digamma_diff(k, phi) + log_q + mu / s - k / s;
      }
    } else {
      const double s2 = s * s;
      p.set(1, 1, -k / (mu * mu) + (k + phi) / s2);
      p.set(1, 2, (k - mu) / s2);
      if constexpr (B::var(2)) {
        const double pr = mu / s;
        p.set(2, 2, trigamma_diff(k, phi) + pr * pr / phi + k / s2);
      }
    }
    return v;
  }
};

template <bool Propto, unsigned V, unsigned S>
struct NegBinomial2LogKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "neg_binomial_2_log_lpmf";
  static constexpr std::array<const char*, 3> args{"n", "eta", "phi"};
  double log_phi_ = 0.0;
  NegBinomial2LogKernel(const double* x0, int) {
    if constexpr (B::scalar(2)) log_phi_ = std::log(x0[2]);
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double k = x[0], eta = x[1], phi = x[2];
    const double t = eta - hoisted<B::scalar(2)>(log_phi_, [&] { return std::log(phi); });
    const double pr = autodiff::inv_logit(t), q = autodiff::inv_logit(-t);
    double v = 0.0;
    if constexpr (Order < 2) {
      const double log_q = -autodiff::log1p_exp(t);
      if constexpr (!Propto) v = -log_factorial(k);
      if constexpr (B::keep(4)) v += lgamma_ratio(k, phi);
      v += (k == 0.0 ? 0.0 : -k * autodiff::log1p_exp(-t)) + phi * log_q;
      if constexpr (Order == 1) {
        p.d[1] = k * q - phi * pr;
        if constexpr (B::var(2)) p.d[2] = digamma_diff(k, phi) + log_q + pr - k * q / phi;
      }
    } else {
      const double kp = k + phi;
      p.set(1, 1, -kp * pr * q);
      p.set(1, 2, -pr + kp * pr * q / phi);
      if constexpr (B::var(2)) p.set(2, 2, trigamma_diff(k, phi) + pr * pr / phi + k * q * q / (phi * phi));
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class N, class M, class P>
auto neg_binomial_2_lpmf(const N& n, const M& mu, const P& phi) {
  using namespace detail;
  static_assert(is_int_arg<N>, "neg_binomial_2_lpmf: n must be an integer or a vector of integers");
  constexpr const char* fn = "neg_binomial_2_lpmf";
  using K = kernel_t<NegBinomial2Kernel, propto, N, M, P>;
  using R = result_t<N, M, P>;
  const std::size_t size = common_size<K>(n, mu, phi);
  check_positive_finite(fn, "location mu", mu);
  check_positive_finite(fn, "precision phi", phi);
  if constexpr (propto && !any_ad_v<N, M, P>) {
    return R(0.0);
  } else {
    if (!all_of(n, [](double v) { return v >= 0.0; })) return R(-inf);
    return reduce<K>(size, n, mu, phi);
  }
}

template <bool propto = false, class N, class E, class P>
auto neg_binomial_2_log_lpmf(const N& n, const E& eta, const P& phi) {
  using namespace detail;
  static_assert(is_int_arg<N>, "neg_binomial_2_log_lpmf: n must be an integer or a vector of integers");
  constexpr const char* fn = "neg_binomial_2_log_lpmf";
  using K = kernel_t<NegBinomial2LogKernel, propto, N, E, P>;
  using R = result_t<N, E, P>;
  const std::size_t size = common_size<K>(n, eta, phi);
  check_finite(fn, "log location eta", eta);
  check_positive_finite(fn, "precision phi", phi);
  if constexpr (propto && !any_ad_v<N, E, P>) {
    return R(0.0);
  } else {
    if (!all_of(n, [](double v) { return v >= 0.0; })) return R(-inf);
    return reduce<K>(size, n, eta, phi);
  }
}

}  // namespace tapir::distributions
