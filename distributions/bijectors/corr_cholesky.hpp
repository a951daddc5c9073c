#pragma once
// CorrCholesky: R^{K(K-1)/2} -> lower Cholesky factors L of K x K correlation matrices (lower
// triangular, positive diagonal, rows of unit norm, so L L^T has unit diagonal), Stan's transform
// (Stan Reference Manual, "Constraint transforms", Cholesky factors of correlation matrices).
// x is the K x K matrix flattened row-major (x[i * K + j] = L(i, j), zeros above the diagonal), as
// Matrix<T> stores it.
//
// u fills the strictly lower triangle in row-major order ((1,0), (2,0), (2,1), (3,0), ...); the
// canonical partial correlations are z = tanh(u), and row i (0-based) is
//   L(i, j) = z_ij sqrt(1 - sum_{j'<j} L(i, j')^2)  (j < i),   L(i, i) = sqrt(1 - sum_{j<i} L(i, j)^2),
//   L(0, 0) = 1.
// The Jacobian is that of u -> the strictly lower entries (row-major):
//   log|det J| = sum_{i>j} [log(1 - z_ij^2) + (1/2) log(1 - sum_{j'<j} L(i, j')^2)].
// Computed in log space: log(1 - z^2) = 2 (log 2 - u - log1p_exp(-2u)) exactly, and the remaining
// squared norm of a row is 1 - sum_{j'<j} L(i,j')^2 = prod_{j'<j} (1 - z_ij'^2), so nothing cancels
// even when |u| is large.
// Inverse: with s_j = sum_{j'>=j} L(i, j')^2 (suffix sums, diagonal included; s_0 = 1 for a valid
// row), z = L(i,j) / sqrt(s_j) and atanh(z) = sign(L(i,j)) [log(sqrt(s_j) + |L(i,j)|) - log(s_{j+1}) / 2],
// again without cancellation. x must be lower triangular (entries above the diagonal within 1e-8
// of 0) with a nonnegative diagonal and rows of norm 1 within 1e-8.
// Sizes: K >= 1; u of size K(K-1)/2 (a triangular number; size 0 gives K = 1), x of size K^2.
#include <cmath>
#include <cstddef>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "autodiff/matrix.hpp"
#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class CorrCholesky {
 public:
  // K for K(K-1)/2 unconstrained values.
  static std::size_t dimension_for_unconstrained(std::size_t n) {
    std::size_t K = 1;
    while (K * (K - 1) / 2 < n) ++K;
    if (K * (K - 1) / 2 != n)
      throw size_error("corr_cholesky: unconstrained size " + std::to_string(n) +
                       " is not K(K-1)/2 for any K");
    return K;
  }
  // K for K^2 constrained values.
  static std::size_t dimension_for_constrained(std::size_t n) {
    std::size_t K = static_cast<std::size_t>(std::sqrt(static_cast<double>(n)));
    while (K * K > n) --K;
    while ((K + 1) * (K + 1) <= n) ++K;
    if (K * K != n || K == 0)
      throw size_error("corr_cholesky: constrained size " + std::to_string(n) + " is not K^2 for any K >= 1");
    return K;
  }

  std::size_t constrained_size(std::size_t n) const {
    const std::size_t K = dimension_for_unconstrained(n);
    return K * K;
  }
  std::size_t unconstrained_size(std::size_t n) const {
    const std::size_t K = dimension_for_constrained(n);
    return K * (K - 1) / 2;
  }
  std::string name() const { return "corr_cholesky"; }

  // forward into a K x K Matrix<T> (the same row-major values).
  template <class T>
  autodiff::Matrix<T> forward_matrix(std::span<const T> u, T& lad) const {
    const std::size_t K = dimension_for_unconstrained(u.size());
    autodiff::Matrix<T> L(K, K);
    forward(u, std::span<T>(L.data(), L.size()), lad);
    return L;
  }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    const std::size_t m = u.size(), K = dimension_for_unconstrained(m);
    constexpr double log4 = 2.0 * std::numbers::ln2;
    for (std::size_t k = 0; k < K * K; ++k) x[k] = T(0.0);
    x[0] = T(1.0);
    if (detail::use_vector_ops<T>(m)) {
      const Vector<T> y = detail::to_vector(u);
      const Vector<T> z = tanh(y);
      const Vector<T> m2y = -2.0 * y;
      // l = log(1 - z^2) = log 4 + m2y - 2 log1p_exp(m2y)
      const Vector<T> l = (m2y - 2.0 * log1p_exp(m2y)) + log4;
      // v = (log remaining squared norm before each strictly lower entry, row-major;
      //      log of the squared diagonal entries 1..K-1)
      Vector<T> v(m + (K - 1));
      std::size_t k = 0;
      for (std::size_t i = 1; i < K; ++i) {
        const Vector<T> row(std::span<const T>(l.data() + k, i));
        const Vector<T> c = cumulative_sum(row);
        for (std::size_t j = 1; j < i; ++j) v[k + j] = c[j - 1];
        v[m + i - 1] = c[i - 1];
        k += i;
      }
      const Vector<T> root = exp(0.5 * v);  // sqrt of the remaining squared norms
      const Vector<T> lower = elt_multiply(z, Vector<T>(std::span<const T>(root.data(), m)));
      k = 0;
      for (std::size_t i = 1; i < K; ++i) {
        for (std::size_t j = 0; j < i; ++j) x[i * K + j] = lower[k++];
        x[i * K + i] = root[m + i - 1];
      }
      lad += sum(l) + 0.5 * sum(Vector<T>(std::span<const T>(v.data(), m)));
      return;
    }
    std::size_t k = 0;
    for (std::size_t i = 1; i < K; ++i) {
      T log_rem = 0.0;  // log(1 - sum_{j'<j} L(i, j')^2)
      for (std::size_t j = 0; j < i; ++j, ++k) {
        const T l = log4 - 2.0 * (u[k] + log1p_exp(-2.0 * u[k]));
        x[i * K + j] = tanh(u[k]) * exp(0.5 * log_rem);
        lad += l + 0.5 * log_rem;
        log_rem += l;
      }
      x[i * K + i] = exp(0.5 * log_rem);
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    const std::size_t K = dimension_for_constrained(x.size());
    check_factor(x, K);
    std::vector<T> s(K + 1);
    std::size_t k = 0;
    for (std::size_t i = 1; i < K; ++i) {
      s[i + 1] = 0.0;
      for (std::size_t j = i + 1; j-- > 0;) s[j] = s[j + 1] + square(x[i * K + j]);
      for (std::size_t j = 0; j < i; ++j, ++k) {
        const T& w = x[i * K + j];
        const T a = log(sqrt(s[j]) + abs(w)) - 0.5 * log(s[j + 1]);
        u[k] = w < 0.0 ? -a : a;
      }
    }
  }

 private:
  template <class T>
  void check_factor(std::span<const T> x, std::size_t K) const {
    using autodiff::value_of;
    for (std::size_t k = 0; k < K * K; ++k)
      if (std::isnan(value_of(x[k]))) detail::inverse_domain_error(name(), k, value_of(x[k]), "a number");
    for (std::size_t i = 0; i < K; ++i) {
      for (std::size_t j = i + 1; j < K; ++j)
        if (!(std::abs(value_of(x[i * K + j])) <= 1e-8))
          detail::inverse_domain_error(name(), i * K + j, value_of(x[i * K + j]), "0 (above the diagonal)");
      if (!(value_of(x[i * K + i]) >= 0.0))
        detail::inverse_domain_error(name(), i * K + i, value_of(x[i * K + i]), ">= 0 (on the diagonal)");
      double norm2 = 0.0;
      for (std::size_t j = 0; j <= i; ++j) norm2 += value_of(x[i * K + j]) * value_of(x[i * K + j]);
      if (!(std::abs(norm2 - 1.0) <= 1e-8)) {
        const std::string fn = name() + " inverse";
        const std::string arg = "squared norm of row " + std::to_string(i);
        throw_domain_error(fn.c_str(), arg.c_str(), norm2, "1");
      }
    }
  }
};

}  // namespace tapir::distributions::bijectors
