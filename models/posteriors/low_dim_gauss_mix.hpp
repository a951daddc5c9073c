#pragma once
// posteriordb low_dim_gauss_mix-low_dim_gauss_mix: a two-component normal mixture.
//
//   data { int<lower=0> N; vector[N] y; }
//   parameters { ordered[2] mu; array[2] real<lower=0> sigma; real<lower=0, upper=1> theta; }
//   model {
//     sigma ~ normal(0, 2);  mu ~ normal(0, 2);  theta ~ beta(5, 5);
//     for (n in 1 : N)
//       target += log_mix(theta, normal_lpdf(y[n] | mu[1], sigma[1]),
//                                normal_lpdf(y[n] | mu[2], sigma[2]));
//   }
//
// The loop over n is ONE tape node (autodiff/custom_op.hpp) of x = (mu1, mu2, sigma1, sigma2,
// theta), with rules derived by hand; it computes the same as
// normal_mixture_lpdf(y | [theta, 1 - theta], mu, sigma) (distributions/mixture.hpp, which the
// tests compare it with) in one pass over y without intermediate vectors. Per observation, with
// z_k = (y - mu_k) / sigma_k, the component terms
//   l_1 = log(theta) + log N(y | mu1, sigma1),  l_2 = log(1 - theta) + log N(y | mu2, sigma2),
// the term log_sum_exp(l_1, l_2) and the responsibilities p_k = exp(l_k - log_sum_exp(l_1, l_2)):
//   gradient  p_1 dl_1 + p_2 dl_2
//   Hessian   p_1 d2l_1 + p_2 d2l_2 + p_1 p_2 (dl_1 - dl_2)(dl_1 - dl_2)^T
//   dl_1/dmu1 = z_1 / sigma1,  dl_1/dsigma1 = (z_1^2 - 1) / sigma1,  dl_1/dtheta = 1 / theta
//   d2l_1/dmu1^2 = -1 / sigma1^2,  d2l_1/dmu1 dsigma1 = -2 z_1 / sigma1^2,
//   d2l_1/dsigma1^2 = (1 - 3 z_1^2) / sigma1^2,  d2l_1/dtheta^2 = -1 / theta^2
// and the same for component 2 with 1 - theta in place of theta (dl_2/dtheta = -1 / (1 - theta),
// d2l_2/dtheta^2 = -1 / (1 - theta)^2).
// Normalization: every constant is kept (the `~` priors evaluated as `target += *_lpdf`; the
// loop's target += keeps its constants in Stan too), so the log density differs from Stan's
// log_prob of model.stan by a constant (data only).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>

#include "autodiff/custom_op.hpp"
#include "autodiff/scalar_ops.hpp"
#include "autodiff/vector.hpp"
#include "distributions/beta.hpp"
#include "distributions/normal.hpp"
#include "models/data.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models::posteriors {

namespace detail {

// sum_n log(theta N(y_n | mu1, sigma1) + (1 - theta) N(y_n | mu2, sigma2)) as a function of
// (mu1, mu2, sigma1, sigma2, theta).
struct TwoNormalMixture {
  const double* y;
  std::size_t n;

  static constexpr std::size_t kMu1 = 0, kMu2 = 1, kSigma1 = 2, kSigma2 = 3, kTheta = 4;

  // Per-call constants.
  struct Setup {
    double mu1, mu2, inv1, inv2, c1, c2;
    explicit Setup(std::span<const double, 5> x)
        : mu1(x[kMu1]),
          mu2(x[kMu2]),
          inv1(1.0 / x[kSigma1]),
          inv2(1.0 / x[kSigma2]),
          c1(std::log(x[kTheta]) - std::log(x[kSigma1]) - autodiff::ops::half_log_two_pi),
          c2(std::log1p(-x[kTheta]) - std::log(x[kSigma2]) - autodiff::ops::half_log_two_pi) {}
  };

  double value(std::span<const double, 5> x) const {
    const Setup s(x);
    double lp = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double z1 = (y[i] - s.mu1) * s.inv1, z2 = (y[i] - s.mu2) * s.inv2;
      const double a = s.c1 - 0.5 * z1 * z1, b = s.c2 - 0.5 * z2 * z2;
      lp += std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
    }
    return lp;
  }

  // The responsibilities (p1, p2) of one observation from its component terms a = l_1, b = l_2.
  static void responsibilities(double a, double b, double& p1, double& p2) {
    if (a >= b) {
      const double e = std::exp(b - a);
      p1 = 1.0 / (1.0 + e);
      p2 = e * p1;
    } else {
      const double e = std::exp(a - b);
      p2 = 1.0 / (1.0 + e);
      p1 = e * p2;
    }
  }

  void gradient(std::span<const double, 5> x, double, std::span<double, 5> g) const {
    const Setup s(x);
    const double theta = x[kTheta];
    double gm1 = 0.0, gm2 = 0.0, gs1 = 0.0, gs2 = 0.0, sp1 = 0.0, sp2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double z1 = (y[i] - s.mu1) * s.inv1, z2 = (y[i] - s.mu2) * s.inv2;
      double p1, p2;
      responsibilities(s.c1 - 0.5 * z1 * z1, s.c2 - 0.5 * z2 * z2, p1, p2);
      gm1 += p1 * z1;
      gs1 += p1 * (z1 * z1 - 1.0);
      gm2 += p2 * z2;
      gs2 += p2 * (z2 * z2 - 1.0);
      sp1 += p1;
      sp2 += p2;
    }
    g[kMu1] = gm1 * s.inv1;
    g[kMu2] = gm2 * s.inv2;
    g[kSigma1] = gs1 * s.inv1;
    g[kSigma2] = gs2 * s.inv2;
    g[kTheta] = sp1 / theta - sp2 / (1.0 - theta);
  }

  void hessian(std::span<const double, 5> x, double, std::span<double, 25> h) const {
    const Setup s(x);
    const double theta = x[kTheta], it = 1.0 / theta, it1 = 1.0 / (1.0 - theta);
    std::array<double, 25> out{};
    double sp1 = 0.0, sp2 = 0.0, ms1 = 0.0, ms2 = 0.0, ss1 = 0.0, ss2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double z1 = (y[i] - s.mu1) * s.inv1, z2 = (y[i] - s.mu2) * s.inv2;
      double p1, p2;
      responsibilities(s.c1 - 0.5 * z1 * z1, s.c2 - 0.5 * z2 * z2, p1, p2);
      // Second derivatives of each component, weighted: sums of p_k, p_k z_k, p_k (1 - 3 z_k^2).
      sp1 += p1;
      sp2 += p2;
      ms1 += p1 * z1;
      ms2 += p2 * z2;
      ss1 += p1 * (1.0 - 3.0 * z1 * z1);
      ss2 += p2 * (1.0 - 3.0 * z2 * z2);
      // p1 p2 delta delta^T, delta = dl_1 - dl_2.
      const double w = p1 * p2;
      const std::array<double, 5> d{z1 * s.inv1, -z2 * s.inv2, (z1 * z1 - 1.0) * s.inv1, -(z2 * z2 - 1.0) * s.inv2,
                                    it + it1};
      for (std::size_t r = 0; r < 5; ++r)
        for (std::size_t c = r; c < 5; ++c) out[r * 5 + c] += w * d[r] * d[c];
    }
    const double i1s = s.inv1 * s.inv1, i2s = s.inv2 * s.inv2;
    out[kMu1 * 5 + kMu1] -= sp1 * i1s;
    out[kMu1 * 5 + kSigma1] -= 2.0 * ms1 * i1s;
    out[kSigma1 * 5 + kSigma1] += ss1 * i1s;
    out[kMu2 * 5 + kMu2] -= sp2 * i2s;
    out[kMu2 * 5 + kSigma2] -= 2.0 * ms2 * i2s;
    out[kSigma2 * 5 + kSigma2] += ss2 * i2s;
    out[kTheta * 5 + kTheta] -= sp1 * it * it + sp2 * it1 * it1;
    for (std::size_t r = 0; r < 5; ++r)
      for (std::size_t c = 0; c < r; ++c) out[r * 5 + c] = out[c * 5 + r];
    for (std::size_t k = 0; k < 25; ++k) h[k] = out[k];
  }
};

}  // namespace detail

struct LowDimGaussMix {
  std::size_t N = 0;
  autodiff::Vector<double> y;

  // Reads N (an integer >= 0) and y (N reals).
  static LowDimGaussMix from_data(const Data& data) {
    LowDimGaussMix m;
    const Size N = data.dimension("N");
    m.N = N;
    m.y = data.vector("y", N);
    return m;
  }

  template <class S>
  S log_density(ParameterReader<S>& p) const {
    using distributions::beta_lpdf;
    using distributions::normal_lpdf;
    const autodiff::Vector<S> mu = p.ordered("mu", 2);
    const autodiff::Vector<S> sigma = p.lower("sigma", 2, 0.0);
    const S theta = p.interval("theta", 0.0, 1.0);
    S lp = normal_lpdf(sigma, 0.0, 2.0) + normal_lpdf(mu, 0.0, 2.0) + beta_lpdf(theta, 5.0, 5.0);
    if (N > 0)
      lp += autodiff::custom_op(detail::TwoNormalMixture{y.data(), N},
                                std::array<S, 5>{mu[0], mu[1], sigma[0], sigma[1], theta});
    return lp;
  }
};

}  // namespace tapir::models::posteriors
