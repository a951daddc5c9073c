#pragma once
// posteriordb garch-garch11: a GARCH(1,1) model of a series' volatility.
//
//   data { int<lower=0> T; array[T] real y; real<lower=0> sigma1; }
//   parameters {
//     real mu; real<lower=0> alpha0; real<lower=0, upper=1> alpha1;
//     real<lower=0, upper=(1 - alpha1)> beta1;
//   }
//   model {
//     array[T] real sigma;
//     sigma[1] = sigma1;
//     for (t in 2 : T)
//       sigma[t] = sqrt(alpha0 + alpha1 * square(y[t - 1] - mu) + beta1 * square(sigma[t - 1]));
//     y ~ normal(mu, sigma);
//   }
//
// beta1's upper bound depends on alpha1 (p.interval("beta1", 0, 1 - alpha1)). The volatility
// recursion and the likelihood are ONE tape node (autodiff/custom_op.hpp) with hand-derived
// rules, rather than a few scalar statements per time step: with x = (mu, alpha0, alpha1, beta1),
// s_t = sigma[t]^2 and r_t = y[t] - mu,
//   s_1 = sigma1^2,   s_t = alpha0 + alpha1 r_{t-1}^2 + beta1 s_{t-1}
//   lp  = sum_t f(r_t, s_t),   f(r, s) = -r^2 / (2 s) - log(s) / 2 - log(2 pi) / 2
// The gradient carries D_t = ds_t/dx forward,
//   D_t = (-2 alpha1 r_{t-1}, 1, r_{t-1}^2, s_{t-1}) + beta1 D_{t-1},
// and the Hessian H_t = d2 s_t / dx dx^T,
//   H_t = beta1 H_{t-1} + e_b D_{t-1}^T + D_{t-1} e_b^T + C_t,
//   C_t[mu, mu] = 2 alpha1, C_t[mu, alpha1] = C_t[alpha1, mu] = -2 r_{t-1} (else 0), e_b = e_beta1,
// with, by the chain rule (dr_t/dx = -e_mu),
//   dlp/dx    = sum_t f_s D_t - f_r e_mu
//   d2lp/dx2  = sum_t f_ss D_t D_t^T + f_s H_t + f_rr e_mu e_mu^T - f_rs (e_mu D_t^T + D_t e_mu^T)
//   f_r = -r/s, f_s = (r^2/s - 1) / (2 s), f_rr = -1/s, f_rs = r/s^2, f_ss = (1/2 - r^2/s) / s^2.
// Normalization: every constant is kept (`y ~ normal` evaluated as `target += normal_lpdf`), so
// the log density differs from Stan's log_prob of model.stan by a constant (data only).
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "autodiff/custom_op.hpp"
#include "autodiff/scalar_ops.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"
#include "models/posteriors/checks.hpp"

namespace tapir::models::posteriors {

namespace detail {

// The GARCH(1,1) normal log-likelihood as a function of (mu, alpha0, alpha1, beta1).
struct Garch11Likelihood {
  const double* y;
  std::size_t n;
  double sigma1;

  static constexpr std::size_t kMu = 0, kAlpha0 = 1, kAlpha1 = 2, kBeta1 = 3;

  double value(std::span<const double, 4> x) const {
    const double mu = x[kMu], a0 = x[kAlpha0], a1 = x[kAlpha1], b1 = x[kBeta1];
    double s = sigma1 * sigma1, quad = 0.0, logs = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
      if (t > 0) {
        const double r = y[t - 1] - mu;
        s = a0 + a1 * r * r + b1 * s;
      }
      const double r = y[t] - mu;
      quad += r * r / s;
      logs += std::log(s);
    }
    return -0.5 * quad - 0.5 * logs - static_cast<double>(n) * autodiff::ops::half_log_two_pi;
  }

  void gradient(std::span<const double, 4> x, double, std::span<double, 4> g) const {
    const double mu = x[kMu], a0 = x[kAlpha0], a1 = x[kAlpha1], b1 = x[kBeta1];
    double s = sigma1 * sigma1;
    std::array<double, 4> d{0.0, 0.0, 0.0, 0.0}, acc{0.0, 0.0, 0.0, 0.0};
    double dmu_direct = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
      if (t > 0) {
        const double r = y[t - 1] - mu;
        d = {-2.0 * a1 * r + b1 * d[kMu], 1.0 + b1 * d[kAlpha0], r * r + b1 * d[kAlpha1], s + b1 * d[kBeta1]};
        s = a0 + a1 * r * r + b1 * s;
      }
      const double r = y[t] - mu, inv_s = 1.0 / s;
      const double fs = 0.5 * (r * r * inv_s - 1.0) * inv_s;
      for (std::size_t k = 0; k < 4; ++k) acc[k] += fs * d[k];
      dmu_direct += r * inv_s;  // -f_r
    }
    for (std::size_t k = 0; k < 4; ++k) g[k] = acc[k];
    g[kMu] += dmu_direct;
  }

  void hessian(std::span<const double, 4> x, double, std::span<double, 16> h) const {
    const double mu = x[kMu], a0 = x[kAlpha0], a1 = x[kAlpha1], b1 = x[kBeta1];
    double s = sigma1 * sigma1;
    std::array<double, 4> d{0.0, 0.0, 0.0, 0.0};
    std::array<double, 16> hs{}, out{};  // H_t (second derivatives of s_t) and the result
    for (std::size_t t = 0; t < n; ++t) {
      if (t > 0) {
        const double r = y[t - 1] - mu;
        for (double& v : hs) v *= b1;
        for (std::size_t k = 0; k < 4; ++k) {
          hs[kBeta1 * 4 + k] += d[k];
          hs[k * 4 + kBeta1] += d[k];
        }
        hs[kMu * 4 + kMu] += 2.0 * a1;
        hs[kMu * 4 + kAlpha1] -= 2.0 * r;
        hs[kAlpha1 * 4 + kMu] -= 2.0 * r;
        d = {-2.0 * a1 * r + b1 * d[kMu], 1.0 + b1 * d[kAlpha0], r * r + b1 * d[kAlpha1], s + b1 * d[kBeta1]};
        s = a0 + a1 * r * r + b1 * s;
      }
      const double r = y[t] - mu, inv_s = 1.0 / s, z2 = r * r * inv_s;
      const double fs = 0.5 * (z2 - 1.0) * inv_s, fss = (0.5 - z2) * inv_s * inv_s, frs = r * inv_s * inv_s;
      for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) out[i * 4 + j] += fss * d[i] * d[j] + fs * hs[i * 4 + j];
      out[kMu * 4 + kMu] -= inv_s;  // f_rr
      for (std::size_t k = 0; k < 4; ++k) {
        out[kMu * 4 + k] -= frs * d[k];
        out[k * 4 + kMu] -= frs * d[k];
      }
    }
    for (std::size_t k = 0; k < 16; ++k) h[k] = out[k];
  }
};

}  // namespace detail

struct Garch11 {
  std::vector<double> y;
  double sigma1 = 1.0;

  // Reads T (an integer >= 1: sigma[1] must exist), y (T reals) and sigma1 (a real > 0: Stan
  // declares it >= 0, and normal(mu, 0) is not a density).
  static Garch11 from_data(const Data& data) {
    Garch11 m;
    const Size T = data.dimension("T");
    if (T.value() == 0) detail::data_error("T", 0, 0.0, ">= 1 (the recursion starts at sigma[1] = sigma1)");
    m.y = data.reals("y", T);
    m.sigma1 = data.real("sigma1", {.lower = 0.0});
    detail::require_positive("sigma1", m.sigma1, "the volatility at t = 1");
    return m;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    const S mu = p.real("mu");
    const S alpha0 = p.lower("alpha0", 0.0);
    const S alpha1 = p.interval("alpha1", 0.0, 1.0);
    const S beta1 = p.interval("beta1", 0.0, 1.0 - alpha1);
    const detail::Garch11Likelihood likelihood{y.data(), y.size(), sigma1};
    return autodiff::custom_op(likelihood, std::array<S, 4>{mu, alpha0, alpha1, beta1});
  }
};

}  // namespace tapir::models::posteriors
