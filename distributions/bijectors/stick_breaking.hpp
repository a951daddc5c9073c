#pragma once
// StickBreaking: R^{K-1} -> the open simplex {x in R^K : x_k > 0, sum x = 1}, Stan's stick-breaking
// transform (Stan Reference Manual, "Constraint transforms", unit simplex). With 1-based k < K:
//   z_k = inv_logit(u_k - log(K - k)),   x_k = (1 - sum_{j<k} x_j) z_k,   x_K = 1 - sum_{j<K} x_j.
// The log(K - k) offsets make u = 0 the uniform simplex (1/K, ..., 1/K). The Jacobian is that of
// u -> (x_1, ..., x_{K-1}) (triangular):
//   log|det J| = sum_{k<K} [log z_k + log(1 - z_k) + log(1 - sum_{j<k} x_j)].
// Computed in log space: with r_k = log(1 - sum_{j<=k} x_j) = sum_{j<=k} log(1 - z_j),
// log x_k = r_{k-1} + log z_k and x_K = exp(r_{K-1}), so x stays positive and accurate however
// small the remaining stick (sum x = 1 up to rounding, not by construction).
// Inverse: u_k = log x_k - log(sum_{j>k} x_j) + log(K - k), using suffix sums (no cancellation);
// x must be nonnegative and sum to 1 within 1e-8 * K.
// Sizes: K >= 1 (K = 1: u is empty, x = (1)).
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class StickBreaking {
 public:
  std::size_t constrained_size(std::size_t n) const { return n + 1; }
  std::size_t unconstrained_size(std::size_t n) const {
    if (n == 0) throw size_error("simplex: a simplex needs at least one component, got size 0");
    return n - 1;
  }
  std::string name() const { return "simplex"; }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    const std::size_t n = u.size(), K = n + 1;
    if (detail::use_vector_ops<T>(n)) {
      Vector<double> offset(n);
      for (std::size_t k = 0; k < n; ++k) offset[k] = std::log(static_cast<double>(K - 1 - k));
      const Vector<T> w = detail::to_vector(u) - offset;
      const Vector<T> log_z = log_inv_logit(w), log_1mz = log1m_inv_logit(w);
      const Vector<T> r = cumulative_sum(log_1mz);
      // log x = (0, r_1, ..., r_{K-1}) + (log z_1, ..., log z_{K-1}, 0)
      Vector<T> prev(K), head(K);
      for (std::size_t k = 0; k < n; ++k) {
        prev[k + 1] = r[k];
        head[k] = log_z[k];
      }
      detail::copy_out(exp(prev + head), x);
      // log|det J| = sum log z + sum log(1 - z) + sum_{k<K-1} r_{k-1}
      Vector<T> terms(2 * n + (n - 1));
      for (std::size_t k = 0; k < n; ++k) {
        terms[k] = log_z[k];
        terms[n + k] = log_1mz[k];
      }
      for (std::size_t k = 0; k + 1 < n; ++k) terms[2 * n + k] = r[k];
      lad += sum(terms);
      return;
    }
    T r = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      const T w = u[k] - std::log(static_cast<double>(K - 1 - k));
      const T log_z = log_inv_logit(w), log_1mz = log1m_inv_logit(w);
      x[k] = exp(r + log_z);
      lad += (log_z + log_1mz) + r;
      r += log_1mz;
    }
    x[n] = exp(r);
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    const std::size_t K = x.size();
    detail::check_in_closed(name(), x, 0.0, 1.0);
    double total = 0.0;
    for (std::size_t k = 0; k < K; ++k) total += value_of(x[k]);
    if (!(std::abs(total - 1.0) <= 1e-8 * static_cast<double>(K))) {
      const std::string fn = name() + " inverse";
      throw_domain_error(fn.c_str(), "sum(x)", total, "1");
    }
    // suffix[k] = sum_{j>=k} x_j
    std::vector<T> suffix(K + 1);
    suffix[K] = 0.0;
    for (std::size_t k = K; k-- > 0;) suffix[k] = suffix[k + 1] + x[k];
    for (std::size_t k = 0; k + 1 < K; ++k)
      u[k] = (log(x[k]) - log(suffix[k + 1])) + std::log(static_cast<double>(K - 1 - k));
  }
};

}  // namespace tapir::distributions::bijectors
