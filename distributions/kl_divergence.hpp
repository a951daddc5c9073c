#pragma once
// Closed-form Kullback-Leibler divergences KL(p || q) = E_p[log p(x) - log q(x)].
//
//   kl_divergence_normal(mu1, sigma1, mu2, sigma2)
//       p = Normal(mu1, sigma1), q = Normal(mu2, sigma2):
//       KL = log(sigma2 / sigma1) + (sigma1^2 + (mu1 - mu2)^2) / (2 sigma2^2) - 1/2.
//       Every argument a scalar or a vector (Vector<T> or std::vector<T>; scalars broadcast, vectors
//       of equal sizes): the KL of the product of independent normals, i.e. the sum over elements.
//       With u = sigma1 / sigma2 - 1 = (sigma1 - sigma2) / sigma2 the scale part is
//       u + u^2/2 - log1p(u) = u^2 - u^3/3 + u^4/4 - ..., summed as that series for |u| < 1/8, so
//       the divergence of nearly equal normals keeps its relative accuracy.
//   kl_divergence_multi_normal_cholesky(mu1, L1, mu2, L2)
//       p = MultiNormal(mu1, S1), q = MultiNormal(mu2, S2) with S = L L^T (L lower triangular,
//       read from its lower triangle):
//       KL = (1/2) [tr(S2^{-1} S1) + (mu2 - mu1)^T S2^{-1} (mu2 - mu1) - K + log det S2 - log det S1]
//          = (1/2) |L2^{-1} [L1 | mu2 - mu1]|_F^2 - K/2 + sum_k log L2_kk - sum_k log L1_kk,
//       one triangular solve with K + 1 right-hand sides. The terms cancel when p is close to q:
//       the absolute error is then a few K ulps (KL(p, p) is exactly 0).
//   kl_divergence_multi_normal(mu1, Sigma1, mu2, Sigma2)
//       the same from covariances (symmetric, read from their lower triangles, each factorized once).
//
// Scalars: double, Var or Dual<double>, data mixed with either (not Var with Dual).
// Requirements (else tapir::domain_error naming the function and the argument): locations finite;
// scales positive finite; Cholesky factors finite with a positive diagonal; covariances finite,
// symmetric and positive definite. Shapes (else tapir::size_error): equal vector sizes, square
// K x K matrices with K >= 1.
//
// For Var arguments: the normal-normal divergence is ONE tape node for any number of elements (the
// vectorized single-node machinery of density_node.hpp, with the partial derivatives below); the
// multivariate ones are built from the library's single-node matrix operations (a subtraction, a
// triangular solve, a squared norm and two log-determinant nodes; one Cholesky node per covariance).
// With d = mu1 - mu2:
//   d/dmu1 = -d/dmu2 = d / s2^2,  d/dsigma1 = sigma1 / s2^2 - 1 / sigma1,
//   d/dsigma2 = 1 / sigma2 - (sigma1^2 + d^2) / sigma2^3,
//   d2/dmu1^2 = d2/dmu2^2 = -d2/dmu1 dmu2 = 1 / s2^2,  d2/dmu1 dsigma2 = -d2/dmu2 dsigma2 = -2 d / s2^3,
//   d2/dsigma1^2 = 1 / sigma1^2 + 1 / sigma2^2,  d2/dsigma1 dsigma2 = -2 sigma1 / sigma2^3,
//   d2/dsigma2^2 = 3 (sigma1^2 + d^2) / sigma2^4 - 1 / sigma2^2,   d2/dmu dsigma1 = 0.
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>

#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/vector.hpp"
#include "distributions/density_node.hpp"
#include "distributions/multi_normal.hpp"

namespace tapir::distributions {

namespace detail::kl_impl {

// u + u^2/2 - log1p(u) = (r^2 - 1)/2 - log r for r = 1 + u.
inline double scale_term(double u) {
  if (std::abs(u) < 0.125) {
    // u^2 + sum_{k>=3} (-1)^k u^k / k; |u|^21 / 21 < 2^-63 / 21 u^2 is below rounding.
    double s = 0.0, pk = u * u * u;
    for (int k = 3; k <= 21; ++k, pk *= u) s += ((k & 1) ? -pk : pk) / k;
    return u * u + s;
  }
  return u + 0.5 * u * u - std::log1p(u);
}

template <bool Propto, unsigned V, unsigned S>
struct NormalKlKernel : detail::KernelBase<4, Propto, V, S> {
  static constexpr const char* name = "kl_divergence_normal";
  static constexpr std::array<const char*, 4> args{"mu1", "sigma1", "mu2", "sigma2"};
  NormalKlKernel(const double*, int) {}
  template <int Order>
  double eval(const double* x, detail::Partials<4>& p) const {
    const double m1 = x[0], s1 = x[1], m2 = x[2], s2 = x[3];
    const double d = m1 - m2, is2 = 1.0 / s2, is22 = is2 * is2;
    double v = 0.0;
    if constexpr (Order < 2) v = scale_term((s1 - s2) * is2) + 0.5 * d * d * is22;
    if constexpr (Order == 1) {
      p.d[0] = d * is22;
      p.d[1] = s1 * is22 - 1.0 / s1;
      p.d[2] = -d * is22;
      p.d[3] = is2 - (s1 * s1 + d * d) * is22 * is2;
    } else if constexpr (Order == 2) {
      const double is23 = is22 * is2;
      p.set(0, 0, is22);
      p.set(0, 1, 0.0);
      p.set(0, 2, -is22);
      p.set(0, 3, -2.0 * d * is23);
      p.set(1, 1, 1.0 / (s1 * s1) + is22);
      p.set(1, 2, 0.0);
      p.set(1, 3, -2.0 * s1 * is23);
      p.set(2, 2, is22);
      p.set(2, 3, 2.0 * d * is23);
      p.set(3, 3, 3.0 * (s1 * s1 + d * d) * is22 * is22 - is22);
    }
    return v;
  }
};

}  // namespace detail::kl_impl

// KL(Normal(mu1, sigma1) || Normal(mu2, sigma2)), summed over broadcast elements.
template <class M1, class S1, class M2, class S2>
auto kl_divergence_normal(const M1& mu1, const S1& sigma1, const M2& mu2, const S2& sigma2) {
  using namespace detail;
  using K = kernel_t<kl_impl::NormalKlKernel, false, M1, S1, M2, S2>;
  constexpr const char* fn = "kl_divergence_normal";
  const std::size_t n = common_size<K>(mu1, sigma1, mu2, sigma2);
  check_finite(fn, "location mu1", mu1);
  check_positive_finite(fn, "scale sigma1", sigma1);
  check_finite(fn, "location mu2", mu2);
  check_positive_finite(fn, "scale sigma2", sigma2);
  return reduce<K>(n, mu1, sigma1, mu2, sigma2);
}

namespace detail::kl_impl {

template <class TM1, class TL1, class TM2, class TL2>
auto kl_cholesky(const autodiff::Vector<TM1>& mu1, const autodiff::Matrix<TL1>& L1,
                 const autodiff::Vector<TM2>& mu2, const autodiff::Matrix<TL2>& L2) {
  using autodiff::Matrix;
  using autodiff::promote_t;
  using autodiff::Vector;
  using R = promote_t<TM1, TL1, TM2, TL2>;
  const std::size_t k = L1.rows();
  const Vector<promote_t<TM1, TM2>> d = mu2 - mu1;
  using TB = promote_t<TM1, TM2, TL1>;
  Matrix<TB> b(k, k + 1);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) b(i, j) = j <= i ? TB(L1(i, j)) : TB(0.0);
    b(i, k) = d[i];
  }
  const auto z = autodiff::mdivide_left_tri_low(L2, b);
  R kl = 0.5 * (autodiff::squared_norm(mvn_impl::flatten(z)) - static_cast<double>(k));
  return R(kl + 0.5 * (autodiff::log_determinant_cholesky(L2) - autodiff::log_determinant_cholesky(L1)));
}

template <class TM1, class TA1, class TM2, class TA2>
void check_shapes(const char* fn, const char* a1, const char* a2, const autodiff::Vector<TM1>& mu1,
                  const autodiff::Matrix<TA1>& m1, const autodiff::Vector<TM2>& mu2, const autodiff::Matrix<TA2>& m2) {
  using namespace mvn_impl;
  static_assert(supported_v<TM1> && supported_v<TA1> && supported_v<TM2> && supported_v<TA2>,
                "KL divergences take double, Var or Dual<double> scalars");
  static_assert(!(any_var_v<TM1, TA1, TM2, TA2> && any_dual_v<TM1, TA1, TM2, TA2>),
                "KL divergences cannot mix Var and Dual<double> arguments");
  const std::size_t k = check_square(fn, a1, m1);
  check_square(fn, a2, m2);
  if (m2.rows() != k) size_mismatch(fn, (std::string("size of ") + a1).c_str(), k, (std::string("size of ") + a2).c_str(), m2.rows(), "must be equal");
  if (mu1.size() != k) size_mismatch(fn, "size of location mu1", mu1.size(), (std::string("size of ") + a1).c_str(), k, "must be equal");
  if (mu2.size() != k) size_mismatch(fn, "size of location mu2", mu2.size(), (std::string("size of ") + a2).c_str(), k, "must be equal");
  for (std::size_t i = 0; i < k; ++i) {
    const double v1 = val(mu1[i]), v2 = val(mu2[i]);
    if (!(v1 - v1 == 0.0)) throw_domain_error(fn, index_name("location mu1", i).c_str(), v1, "finite");
    if (!(v2 - v2 == 0.0)) throw_domain_error(fn, index_name("location mu2", i).c_str(), v2, "finite");
  }
}

}  // namespace detail::kl_impl

// KL(MultiNormal(mu1, L1 L1^T) || MultiNormal(mu2, L2 L2^T)).
template <class TM1, class TL1, class TM2, class TL2>
auto kl_divergence_multi_normal_cholesky(const autodiff::Vector<TM1>& mu1, const autodiff::Matrix<TL1>& L1,
                                         const autodiff::Vector<TM2>& mu2, const autodiff::Matrix<TL2>& L2) {
  using namespace detail;
  constexpr const char* fn = "kl_divergence_multi_normal_cholesky";
  kl_impl::check_shapes(fn, "Cholesky factor L1", "Cholesky factor L2", mu1, L1, mu2, L2);
  mvn_impl::check_cholesky_factor(fn, "Cholesky factor L1", L1);
  mvn_impl::check_cholesky_factor(fn, "Cholesky factor L2", L2);
  return kl_impl::kl_cholesky(mu1, L1, mu2, L2);
}

// KL(MultiNormal(mu1, Sigma1) || MultiNormal(mu2, Sigma2)).
template <class TM1, class TS1, class TM2, class TS2>
auto kl_divergence_multi_normal(const autodiff::Vector<TM1>& mu1, const autodiff::Matrix<TS1>& Sigma1,
                                const autodiff::Vector<TM2>& mu2, const autodiff::Matrix<TS2>& Sigma2) {
  using namespace detail;
  constexpr const char* fn = "kl_divergence_multi_normal";
  kl_impl::check_shapes(fn, "covariance Sigma1", "covariance Sigma2", mu1, Sigma1, mu2, Sigma2);
  mvn_impl::check_symmetric_finite(fn, "covariance Sigma1", Sigma1);
  mvn_impl::check_symmetric_finite(fn, "covariance Sigma2", Sigma2);
  const autodiff::Matrix<TS1> L1 =
      mvn_impl::positive_definite(fn, "covariance Sigma1", [&] { return autodiff::cholesky_decompose(Sigma1); });
  const autodiff::Matrix<TS2> L2 =
      mvn_impl::positive_definite(fn, "covariance Sigma2", [&] { return autodiff::cholesky_decompose(Sigma2); });
  return kl_impl::kl_cholesky(mu1, L1, mu2, L2);
}

}  // namespace tapir::distributions
