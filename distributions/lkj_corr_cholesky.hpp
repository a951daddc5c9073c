#pragma once
// The LKJ distribution on Cholesky factors of correlation matrices (Lewandowski, Kurowicka and Joe
// 2009, "Generating random correlation matrices based on vines and extended onion method", J.
// Multivariate Analysis 100), as Stan defines lkj_corr_cholesky:
//
//   lkj_corr_cholesky_lpdf(L | eta) = sum_{k=2}^{K} (K - k + 2 eta - 2) log L_kk - log c_K(eta)
//
// (k 1-based). The LKJ density of the correlation matrix Omega = L L^T is det(Omega)^(eta - 1) / c_K
// = prod_k L_kk^(2 eta - 2) / c_K, and the Jacobian of the map from the strictly lower entries of L
// (row-major, the free coordinates: each row has unit norm) to the strictly lower entries of Omega
// is prod_{k=2}^{K} L_kk^(K - k); the product of the two is the density above, with respect to
// Lebesgue measure on the strictly lower entries of L.
//
// The normalizing constant c_K(eta) = integral of det(Omega)^(eta - 1) over K x K correlation
// matrices is, in the paper's form,
//   c_K = prod_{k=1}^{K-1} [2^{(2 eta - 2 + K - k)} B(b_k, b_k)]^{K - k},  b_k = eta + (K - k - 1) / 2.
// With Legendre's duplication formula 2^{2b - 1} B(b, b) = B(1/2, b) every factor is B(1/2, b_k), so
//   log c_K = sum_{m=1}^{K-1} m lbeta(1/2, eta + (m - 1) / 2)       (m = K - k),
// which needs no cancellation between large powers of two and small beta functions (lbeta of
// special_functions.hpp is accurate for large arguments). K = 1 gives c_1 = 1 (the density of the
// 1 x 1 factor L = (1) is 1).
//
// Arguments: L a K x K Matrix<T> (only its lower triangle is read), eta a scalar; scalars double,
// Var or Dual<double>, data mixed with either.
// Requirements (else tapir::domain_error naming "lkj_corr_cholesky_lpdf" and the argument): eta
// positive finite; L's diagonal positive; every row of L's lower triangle of unit norm within 1e-8
// (L must be the Cholesky factor of a correlation matrix). L must be square with K >= 1 (else
// tapir::size_error).
//
// propto = true drops log c_K when eta is data, the Jacobian terms (K - k) log L_kk when L is data, and
// everything when both are data.
//
// Built from the library's single-node operations: the log of L's diagonal (one node), a dot
// product with the data weights K - k and a sum (one node each), the constant from one
// elementwise lbeta node and one dot product; every gradient and Hessian-vector product follows.
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>

#include "autodiff/dual.hpp"
#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/special_functions.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"

namespace tapir::distributions {

namespace detail::lkj_impl {

using autodiff::Dual;
using autodiff::Matrix;
using autodiff::Var;
using autodiff::Vector;

template <class T>
inline constexpr bool supported_v =
    std::is_same_v<T, double> || std::is_same_v<T, Var> || std::is_same_v<T, Dual<double>>;

inline double val(double x) { return x; }
inline double val(const Var& x) { return x.value(); }
inline double val(const Dual<double>& x) { return x.val; }

}  // namespace detail::lkj_impl

// log c_K(eta): the log normalizing constant of the LKJ density (see the top of this file), for
// eta of any scalar type (one elementwise node and one dot product for Var).
template <class E>
E lkj_log_normalizing_constant(std::size_t K, const E& eta) {
  using autodiff::Vector;
  if (K < 2) return E(0.0);
  Vector<double> offset(K - 1), weight(K - 1);
  for (std::size_t m = 1; m < K; ++m) {
    offset[m - 1] = 0.5 * static_cast<double>(m - 1);
    weight[m - 1] = static_cast<double>(m);
  }
  if constexpr (std::is_same_v<E, double>) {
    double s = 0.0;
    for (std::size_t m = 1; m < K; ++m) s += weight[m - 1] * autodiff::lbeta(0.5, eta + offset[m - 1]);
    return s;
  } else {
    using autodiff::lbeta;
    return autodiff::dot(weight, lbeta(0.5, offset + eta));
  }
}

// log LKJ-Cholesky(L | eta) (see the top of this file).
template <bool propto = false, class TL, class E>
auto lkj_corr_cholesky_lpdf(const autodiff::Matrix<TL>& L, const E& eta) {
  using namespace detail::lkj_impl;
  constexpr const char* fn = "lkj_corr_cholesky_lpdf";
  static_assert(supported_v<TL> && supported_v<E>,
                "lkj_corr_cholesky_lpdf: scalars must be double, Var or Dual<double>");
  static_assert(!((std::is_same_v<TL, Var> && std::is_same_v<E, Dual<double>>) ||
                  (std::is_same_v<TL, Dual<double>> && std::is_same_v<E, Var>)),
                "lkj_corr_cholesky_lpdf: cannot mix Var and Dual<double> arguments");
  using R = autodiff::promote_t<TL, E>;
  constexpr bool l_ad = !std::is_same_v<TL, double>, eta_ad = !std::is_same_v<E, double>;

  const std::size_t K = L.rows();
  if (L.cols() != K || K == 0)
    throw size_error(std::string(fn) + ": Cholesky factor L is " + std::to_string(L.rows()) + "x" +
                     std::to_string(L.cols()) + ", must be square and non-empty");
  const double e = val(eta);
  if (!(e > 0.0 && e < INFINITY)) throw_domain_error(fn, "shape eta", e, "positive finite");
  for (std::size_t i = 0; i < K; ++i) {
    const double d = val(L(i, i));
    if (!(d > 0.0)) {
      const std::string what = "diagonal of Cholesky factor L[" + std::to_string(i) + "," + std::to_string(i) + "]";
      throw_domain_error(fn, what.c_str(), d, "positive");
    }
    double norm2 = 0.0;
    for (std::size_t j = 0; j <= i; ++j) norm2 += val(L(i, j)) * val(L(i, j));
    if (!(std::abs(norm2 - 1.0) <= 1e-8)) {
      const std::string what = "squared norm of row " + std::to_string(i) + " of Cholesky factor L";
      throw_domain_error(fn, what.c_str(), norm2, "1 within 1e-8 (L L^T must be a correlation matrix)");
    }
  }

  if constexpr (propto && !l_ad && !eta_ad) {
    return R(0.0);
  } else {
    if (K == 1) return R(0.0);
    // Rows k = 2..K (1-based) of the diagonal, with the Jacobian's weights K - k.
    Vector<TL> diag(K - 1);
    Vector<double> w(K - 1);
    for (std::size_t i = 1; i < K; ++i) {
      diag[i - 1] = L(i, i);
      w[i - 1] = static_cast<double>(K - i - 1);
    }
    R lp(0.0);
    if constexpr (l_ad) {
      using autodiff::log;
      const Vector<TL> log_diag = log(diag);
      lp = autodiff::dot(w, log_diag) + 2.0 * (eta - 1.0) * autodiff::sum(log_diag);
    } else {
      double sum_log = 0.0, jac = 0.0;
      for (std::size_t i = 0; i + 1 < K; ++i) {
        const double ld = std::log(diag[i]);
        sum_log += ld;
        jac += w[i] * ld;
      }
      if constexpr (!propto) lp = R(jac);
      if constexpr (!propto || eta_ad) lp = lp + 2.0 * (eta - 1.0) * sum_log;
    }
    if constexpr (!propto || eta_ad) lp = lp - lkj_log_normalizing_constant(K, eta);
    return lp;
  }
}

}  // namespace tapir::distributions
