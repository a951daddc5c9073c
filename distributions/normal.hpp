#pragma once
// The normal distribution: normal_lpdf, normal_lcdf, normal_lccdf.
//
//   normal_lpdf(y | mu, sigma) = -((y - mu) / sigma)^2 / 2 - log(sigma) - log(2 pi) / 2
//   normal_lcdf(y | mu, sigma) = log Phi((y - mu) / sigma)
//   normal_lccdf(y | mu, sigma) = log(1 - Phi((y - mu) / sigma))
//
// Requirements: y not NaN, mu finite, sigma positive finite (else tapir::domain_error).
// Every argument may be a scalar or a vector (see density_node.hpp); the result is the sum.
//
// Three evaluation paths for the density:
// - all arguments scalars: the inner-loop form, one tape statement for the density (plus one for
//   y - mu when neither is data) and any scalar type, including nested ones (Dual<Var>, ...);
// - y data (a vector) and mu, sigma scalars: Z1 = sum(z) and Z2 = sum(z^2) over the data,
//   z = (y - mu) / sigma; value, gradient and Hessian in (mu, sigma) follow from n, Z1 and Z2, so
//   the node's reverse, tangent and second-order rules are O(1):
//     lp = -Z2 / 2 - n log sigma - n log(2 pi) / 2
//     d/dmu = Z1 / sigma,  d/dsigma = (Z2 - n) / sigma
//     d2/dmu2 = -n / sigma^2,  d2/dmu dsigma = -2 Z1 / sigma^2,  d2/dsigma2 = (n - 3 Z2) / sigma^2
// - otherwise the generic single-node density (NormalKernel below).
#include <cmath>
#include <type_traits>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

using autodiff::ops::half_log_two_pi;

inline double normal_residual_lpdf(double d, double s) {
  return autodiff::ops::NormalResidual::value(d, s);
}

namespace detail {

// The statement form of the density for scalar arguments of any type.
template <class Y, class M, class S>
auto normal_scalar(const Y& y, const M& mu, const S& sigma) {
  using autodiff::normal_residual_lpdf;
  using tapir::distributions::normal_residual_lpdf;
  if constexpr (std::is_arithmetic_v<M>) {
    if (mu == 0) return normal_residual_lpdf(y, sigma);
  }
  return normal_residual_lpdf(y - mu, sigma);
}

template <bool Propto, unsigned V, unsigned S>
struct NormalKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "normal_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "mu", "sigma"};
  double inv_s_ = 0.0, log_s_ = 0.0;
  NormalKernel(const double* x0, int) {
    if constexpr (B::scalar(2)) {
      inv_s_ = 1.0 / x0[2];
      if constexpr (B::keep(4)) log_s_ = std::log(x0[2]);
    }
  }
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / x[2];
    const double z = (x[0] - x[1]) * inv_s;
    double v = 0.0;
    if constexpr (Order < 2) {
      v = -0.5 * z * z;
      if constexpr (B::keep(4)) v -= B::scalar(2) ? log_s_ : std::log(x[2]);
      if constexpr (!Propto) v -= half_log_two_pi;
    }
    location_scale<Order, 0, 1, 2>(p, z, inv_s, -z, -1.0, 1.0);
    return v;
  }
};

// O(1) rules from the partials computed at recording (data y, scalar mu and sigma).
template <bool MuVar, bool SigmaVar>
class NormalSufficientNode final : public autodiff::Node {
 public:
  NormalSufficientNode(index_t mu, index_t sigma, index_t out, double dm, double ds, double hmm,
                       double hms, double hss)
      : mu_(mu), sigma_(sigma), out_(out), dm_(dm), ds_(ds), hmm_(hmm), hms_(hms), hss_(hss) {}
  void reverse(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_];
    if constexpr (MuVar) s.adj[mu_] += g * dm_;
    if constexpr (SigmaVar) s.adj[sigma_] += g * ds_;
  }
  void tangent(const autodiff::SweepArrays& s) const override {
    double d = 0.0;
    if constexpr (MuVar) d += dm_ * s.dot[mu_];
    if constexpr (SigmaVar) d += ds_ * s.dot[sigma_];
    s.dot[out_] = d;
  }
  void reverse2(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_];
    const double tm = MuVar ? s.dot[mu_] : 0.0, ts = SigmaVar ? s.dot[sigma_] : 0.0;
    if constexpr (MuVar) {
      s.adj[mu_] += g * dm_;
      s.adj2[mu_] += g2 * dm_ + g * (hmm_ * tm + hms_ * ts);
    }
    if constexpr (SigmaVar) {
      s.adj[sigma_] += g * ds_;
      s.adj2[sigma_] += g2 * ds_ + g * (hms_ * tm + hss_ * ts);
    }
  }

 private:
  index_t mu_, sigma_, out_;
  double dm_, ds_, hmm_, hms_, hss_;
};

// z1 = sum(z), z2 = sum(z^2) for z = (y - m) * inv_s. Two passes with eight independent
// accumulators each: GCC vectorizes each pass, and not a single pass with two reductions (which
// measured 1.7x slower over data in cache, 3x at -march=native).
template <class Y>
void standardized_sums(const Y& y, double m, double inv_s, double& z1, double& z2) {
  const std::size_t n = y.size();
  std::size_t i = 0;
  double r1 = 0.0, r2 = 0.0;
  if constexpr (std::is_same_v<scalar_t<Y>, double>) {
    const double* p = y.data();
    double a[8] = {0, 0, 0, 0, 0, 0, 0, 0}, b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    const std::size_t end = n - n % 8;
    for (; i < end; i += 8)
      for (int j = 0; j < 8; ++j) a[j] += (p[i + j] - m) * inv_s;
    for (std::size_t k = 0; k < end; k += 8)
      for (int j = 0; j < 8; ++j) {
        const double z = (p[k + j] - m) * inv_s;
        b[j] += z * z;
      }
    r1 = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    r2 = ((b[0] + b[1]) + (b[2] + b[3])) + ((b[4] + b[5]) + (b[6] + b[7]));
  }
  for (; i < n; ++i) {
    const double z = (dval(y[i]) - m) * inv_s;
    r1 += z;
    r2 += z * z;
  }
  z1 = r1;
  z2 = r2;
}

template <bool propto, class Y, class M, class S>
result_t<Y, M, S> normal_sufficient(const Y& y, const M& mu, const S& sigma, std::size_t n) {
  using R = result_t<Y, M, S>;
  const double m = dval(mu), s = dval(sigma), inv_s = 1.0 / s;
  double z1, z2;
  standardized_sums(y, m, inv_s, z1, z2);
  // mu is finite, so a NaN sum means a NaN y (or both infinities): look for it only then.
  if (z1 != z1) check_not_nan("normal_lpdf", "random variable y", y);
  if constexpr (propto && !any_ad_v<M, S>) {
    return R(0.0);
  } else {
    if (n == 0) return R(0.0);
    const double nd = static_cast<double>(n);
    double v = -0.5 * z2;
    if constexpr (!propto || is_ad_arg<S>) v -= nd * std::log(s);
    if constexpr (!propto) v -= nd * half_log_two_pi;
    if constexpr (std::is_same_v<R, double>) {
      return v;
    } else {
      const double dm = z1 * inv_s, ds = (z2 - nd) * inv_s;
      if constexpr (std::is_same_v<R, Dual<double>>) {
        double tan = 0.0;
        if constexpr (is_ad_arg<M>) tan += dm * mu.tan;
        if constexpr (is_ad_arg<S>) tan += ds * sigma.tan;
        return Dual<double>(v, tan);
      } else {
        autodiff::Tape& t = autodiff::tape();
        index_t mu_idx = 0, sigma_idx = 0;
        if constexpr (is_var_arg<M>) mu_idx = mu.index();
        if constexpr (is_var_arg<S>) sigma_idx = sigma.index();
        const index_t out = t.new_slot(v);
        const double is2 = inv_s * inv_s;
        t.make_node<NormalSufficientNode<is_var_arg<M>, is_var_arg<S>>>(
            mu_idx, sigma_idx, out, dm, ds, -nd * is2, -2.0 * z1 * is2, (nd - 3.0 * z2) * is2);
        return Var(v, out);
      }
    }
  }
}

// r = phi(u) / Phi(u) (the derivative of log Phi(u)) and u + r (log Phi''(u) = -r (u + r)).
// For u < -37 both come from the asymptotic expansion of Mills' ratio (Abramowitz and Stegun
// 26.2.12), Phi(u) = phi(u) / (-u) * S(u), S = 1 - 1/u^2 + 3/u^4 - 15/u^6 + ..., so that
// u + r = u (S - 1) / S does not cancel.
inline void inv_mills(double u, double& r, double& u_plus_r) {
  if (u < -37.0) {
    const double v = 1.0 / (u * u);
    const double sm1 =
        v * (-1.0 + v * (3.0 + v * (-15.0 + v * (105.0 + v * (-945.0 + v * (10395.0 + v * (-135135.0 + v * 2027025.0)))))));
    r = -u / (1.0 + sm1);
    u_plus_r = u * sm1 / (1.0 + sm1);
  } else {
    r = std::exp(-0.5 * u * u - half_log_two_pi - autodiff::log_Phi(u));
    u_plus_r = u + r;
  }
}

// Sign = +1: log Phi(z) (the lcdf); Sign = -1: log Phi(-z) (the lccdf).
template <int Sign>
struct NormalCdfKernelOf {
  template <bool Propto, unsigned V, unsigned S>
  struct K : KernelBase<3, Propto, V, S> {
    using B = KernelBase<3, Propto, V, S>;
    static constexpr const char* name = Sign > 0 ? "normal_lcdf" : "normal_lccdf";
    static constexpr std::array<const char*, 3> args{"y", "mu", "sigma"};
    double inv_s_ = 0.0;
    K(const double* x0, int) {
      if constexpr (B::scalar(2)) inv_s_ = 1.0 / x0[2];
    }
    template <int Order>
    double eval(const double* x, Partials<3>& p) const {
      const double inv_s = B::scalar(2) ? inv_s_ : 1.0 / x[2];
      const double z = (x[0] - x[1]) * inv_s, u = Sign * z;
      double v = 0.0;
      if constexpr (Order < 2) v = autodiff::log_Phi(u);
      if constexpr (Order > 0) {
        double r, upr;
        inv_mills(u, r, upr);
        location_scale<Order, 0, 1, 2>(p, z, inv_s, Sign * r, -r * upr, 0.0);
      }
      return v;
    }
  };
};

template <template <bool, unsigned, unsigned> class Kern, class Y, class M, class S>
auto normal_cdf_family(const char* fn, const Y& y, const M& mu, const S& sigma) {
  using K = kernel_t<Kern, false, Y, M, S>;
  const std::size_t n = common_size<K>(y, mu, sigma);
  check_not_nan(fn, "random variable y", y);
  check_finite(fn, "location mu", mu);
  check_positive_finite(fn, "scale sigma", sigma);
  return reduce<K>(n, y, mu, sigma);
}

}  // namespace detail

// log N(y | mu, sigma), summed over broadcast elements. propto = true drops the terms that depend
// on no Var/Dual argument (-log(2 pi)/2 always; -log sigma when sigma is data).
template <bool propto = false, class Y, class M, class S>
auto normal_lpdf(const Y& y, const M& mu, const S& sigma) {
  constexpr const char* fn = "normal_lpdf";
  if constexpr (detail::all_scalar_v<Y, M, S>) {
    using autodiff::value_of;
    const double yv = value_of(y), mv = value_of(mu), sv = value_of(sigma);
    if (!(yv == yv)) [[unlikely]]
      detail::fail(fn, "random variable y", yv, "not NaN");
    if (!(mv - mv == 0.0)) [[unlikely]]
      detail::fail(fn, "location mu", mv, "finite");
    if (!(sv > 0.0 && sv < detail::inf)) [[unlikely]]
      detail::fail(fn, "scale sigma", sv, "positive finite");
    constexpr bool sigma_ad = !std::is_arithmetic_v<S>;
    constexpr bool any_ad = !std::is_arithmetic_v<Y> || !std::is_arithmetic_v<M> || sigma_ad;
    using R = decltype(detail::normal_scalar(y, mu, sigma));
    if constexpr (propto && !any_ad)
      return R(0.0);
    else if constexpr (!propto)
      return detail::normal_scalar(y, mu, sigma);
    else if constexpr (sigma_ad)
      return R(detail::normal_scalar(y, mu, sigma) + half_log_two_pi);
    else
      return R(detail::normal_scalar(y, mu, sigma) + (std::log(sv) + half_log_two_pi));
  } else {
    using namespace detail;
    using K = kernel_t<NormalKernel, propto, Y, M, S>;
    using R = result_t<Y, M, S>;
    const std::size_t n = common_size<K>(y, mu, sigma);
    check_finite(fn, "location mu", mu);
    check_positive_finite(fn, "scale sigma", sigma);
    if constexpr (is_data_arg<Y> && !is_vector_v<M> && !is_vector_v<S>) {
      return normal_sufficient<propto>(y, mu, sigma, n);
    } else {
      check_not_nan(fn, "random variable y", y);
      if constexpr (propto && !any_ad_v<Y, M, S>)
        return R(0.0);
      else
        return reduce<K>(n, y, mu, sigma);
    }
  }
}

// log Phi((y - mu) / sigma), summed over broadcast elements.
template <class Y, class M, class S>
auto normal_lcdf(const Y& y, const M& mu, const S& sigma) {
  return detail::normal_cdf_family<detail::NormalCdfKernelOf<1>::template K>("normal_lcdf", y, mu, sigma);
}

// log(1 - Phi((y - mu) / sigma)), summed over broadcast elements.
template <class Y, class M, class S>
auto normal_lccdf(const Y& y, const M& mu, const S& sigma) {
  return detail::normal_cdf_family<detail::NormalCdfKernelOf<-1>::template K>("normal_lccdf", y, mu, sigma);
}

}  // namespace tapir::distributions
