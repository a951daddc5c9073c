#pragma once
// The Dirichlet distribution on the simplex: dirichlet_lpdf(theta | alpha).
//
//   dirichlet_lpdf(theta | alpha) = lgamma(sum_k alpha_k) - sum_k lgamma(alpha_k)
//                                   + sum_k (alpha_k - 1) log theta_k
//
// theta: one simplex (Vector<T>), or several (a Matrix<T> with one simplex per row, or a
// std::vector<Vector<T>>); the result is the sum over the simplexes, all with the same alpha
// (Vector<T>, the concentrations). Scalars: double, Var or Dual<double>, data mixed with either.
//
// Requirements (else tapir::domain_error naming "dirichlet_lpdf" and the argument): every alpha_k
// positive finite; every theta_k >= 0 and each theta summing to 1 within 1e-8 (Stan's simplex
// check). K = size(alpha) >= 1 and every theta of size K (else tapir::size_error).
// At theta_k = 0 the term (alpha_k - 1) log theta_k is 0 when alpha_k = 1, -inf when alpha_k > 1 and
// +inf when alpha_k < 1; derivatives there are the formulas' values (infinite or NaN).
//
// propto = true drops the lgamma terms when alpha is data, and everything when both are data.
//
// With Var arguments the call is ONE tape node. For N simplexes, A = sum_k alpha_k:
//   d/dalpha_k = N (psi(A) - psi(alpha_k)) + sum_n log theta_nk,
//   d/dtheta_nk = (alpha_k - 1) / theta_nk,
//   d2/dalpha_j dalpha_k = N (psi'(A) - [j = k] psi'(alpha_k)),
//   d2/dalpha_k dtheta_nk = 1 / theta_nk,  d2/dtheta_nk^2 = -(alpha_k - 1) / theta_nk^2,
// all other second derivatives 0. The first derivatives are computed while recording; the
// second-order rule evaluates the trigammas when (and each time) it runs.
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/dual.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/special_functions.hpp"
#include "autodiff/tape.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"
#include "autodiff/vector_node.hpp"

namespace tapir::distributions {

namespace detail::dirichlet_impl {

using autodiff::Dual;
using autodiff::index_t;
using autodiff::Matrix;
using autodiff::Var;
using autodiff::Vector;

// The scalar of theta's container.
template <class C>
struct simplex_set;
template <class T>
struct simplex_set<Vector<T>> {
  using scalar = T;
};
template <class T>
struct simplex_set<Matrix<T>> {
  using scalar = T;
};
template <class T, class A>
struct simplex_set<std::vector<Vector<T>, A>> {
  using scalar = T;
};

template <class T>
inline constexpr bool supported_v =
    std::is_same_v<T, double> || std::is_same_v<T, Var> || std::is_same_v<T, Dual<double>>;

inline double val(double x) { return x; }
inline double val(const Var& x) { return x.value(); }
inline double val(const Dual<double>& x) { return x.val; }

// theta as n rows of k scalars, row-major; a std::vector of vectors is gathered into `store`.
template <class T>
struct Rows {
  const T* data;
  std::size_t n, k;
};
template <class T>
Rows<T> rows_of(const Vector<T>& y, std::vector<T>&) {
  return {y.data(), 1, y.size()};
}
template <class T>
Rows<T> rows_of(const Matrix<T>& y, std::vector<T>&) {
  return {y.data(), y.rows(), y.cols()};
}
template <class T, class A>
Rows<T> rows_of(const std::vector<Vector<T>, A>& y, std::vector<T>& store) {
  const std::size_t n = y.size(), k = n ? y[0].size() : 0;
  for (std::size_t i = 1; i < n; ++i)
    if (y[i].size() != k)
      throw size_error("dirichlet_lpdf: theta[0] has size " + std::to_string(k) + " and theta[" + std::to_string(i) +
                       "] has size " + std::to_string(y[i].size()) + ", simplexes must have equal sizes");
  store.resize(n * k);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < k; ++j) store[i * k + j] = y[i][j];
  return {store.data(), n, k};
}

// x log y with 0 log 0 = 0.
inline double multiply_log(double x, double y) { return x == 0.0 ? 0.0 : x * std::log(y); }

template <bool AlphaVar, bool ThetaVar>
class DirichletNode final : public autodiff::Node {
 public:
  DirichletNode(autodiff::VarRef alpha, const double* alpha_val, const double* d_alpha, autodiff::VarRef theta,
                const double* d_theta, double sum_alpha, std::size_t n, std::size_t k, index_t out)
      : alpha_(alpha), alpha_val_(alpha_val), d_alpha_(d_alpha), theta_(theta), d_theta_(d_theta),
        sum_alpha_(sum_alpha), n_(n), k_(k), out_(out) {}

  void reverse(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_];
    if constexpr (AlphaVar)
      for (std::size_t j = 0; j < k_; ++j) s.adj[alpha_[j]] += g * d_alpha_[j];
    if constexpr (ThetaVar)
      for (std::size_t i = 0; i < n_ * k_; ++i) s.adj[theta_[i]] += g * d_theta_[i];
  }
  void tangent(const autodiff::SweepArrays& s) const override {
    double d = 0.0;
    if constexpr (AlphaVar)
      for (std::size_t j = 0; j < k_; ++j) d += d_alpha_[j] * s.dot[alpha_[j]];
    if constexpr (ThetaVar)
      for (std::size_t i = 0; i < n_ * k_; ++i) d += d_theta_[i] * s.dot[theta_[i]];
    s.dot[out_] = d;
  }
  void reverse2(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_];
    const double nd = static_cast<double>(n_);
    if constexpr (AlphaVar) {
      double ta = 0.0;
      for (std::size_t j = 0; j < k_; ++j) ta += s.dot[alpha_[j]];
      const double tri_sum = nd * autodiff::trigamma(sum_alpha_) * ta;
      for (std::size_t j = 0; j < k_; ++j) {
        const index_t a = alpha_[j];
        double h = tri_sum - nd * autodiff::trigamma(alpha_val_[j]) * s.dot[a];
        if constexpr (ThetaVar)
          for (std::size_t i = 0; i < n_; ++i) {
            const index_t t = theta_[i * k_ + j];
            h += s.dot[t] / s.val[t];
          }
        s.adj[a] += g * d_alpha_[j];
        s.adj2[a] += g2 * d_alpha_[j] + g * h;
      }
    }
    if constexpr (ThetaVar) {
      for (std::size_t i = 0; i < n_; ++i)
        for (std::size_t j = 0; j < k_; ++j) {
          const index_t t = theta_[i * k_ + j];
          const double th = s.val[t], inv = 1.0 / th;
          double h = -(alpha_val_[j] - 1.0) * s.dot[t] * inv * inv;
          if constexpr (AlphaVar) h += s.dot[alpha_[j]] * inv;
          s.adj[t] += g * d_theta_[i * k_ + j];
          s.adj2[t] += g2 * d_theta_[i * k_ + j] + g * h;
        }
    }
  }

 private:
  autodiff::VarRef alpha_;
  const double* alpha_val_;
  const double* d_alpha_;
  autodiff::VarRef theta_;
  const double* d_theta_;
  double sum_alpha_;
  std::size_t n_, k_;
  index_t out_;
};

}  // namespace detail::dirichlet_impl

// log Dirichlet(theta | alpha), summed over the simplexes of theta (see the top of this file).
template <bool propto = false, class Theta, class TA>
auto dirichlet_lpdf(const Theta& theta, const autodiff::Vector<TA>& alpha) {
  using namespace detail::dirichlet_impl;
  constexpr const char* fn = "dirichlet_lpdf";
  using TT = typename simplex_set<std::remove_cvref_t<Theta>>::scalar;
  static_assert(supported_v<TT> && supported_v<TA>,
                "dirichlet_lpdf: scalars must be double, Var or Dual<double>");
  static_assert(!((std::is_same_v<TT, Var> && std::is_same_v<TA, Dual<double>>) ||
                  (std::is_same_v<TT, Dual<double>> && std::is_same_v<TA, Var>)),
                "dirichlet_lpdf: cannot mix Var and Dual<double> arguments");
  using R = autodiff::promote_t<TT, TA>;
  constexpr bool theta_ad = !std::is_same_v<TT, double>, alpha_ad = !std::is_same_v<TA, double>;

  std::vector<TT> store;
  const Rows<TT> th = rows_of(theta, store);
  const std::size_t k = alpha.size(), n = th.n;
  if (k == 0) throw size_error(std::string(fn) + ": concentration alpha has size 0, must be non-empty");
  if (n > 0 && th.k != k)
    throw size_error(std::string(fn) + ": simplex theta has size " + std::to_string(th.k) +
                     " and concentration alpha has size " + std::to_string(k) + ", sizes must be equal");

  std::vector<double> a(k);
  double sum_alpha = 0.0;
  for (std::size_t j = 0; j < k; ++j) {
    a[j] = val(alpha[j]);
    if (!(a[j] > 0.0 && a[j] < INFINITY)) {
      const std::string what = "concentration alpha[" + std::to_string(j) + "]";
      throw_domain_error(fn, what.c_str(), a[j], "positive finite");
    }
    sum_alpha += a[j];
  }
  for (std::size_t i = 0; i < n; ++i) {
    double total = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      const double t = val(th.data[i * k + j]);
      if (!(t >= 0.0)) {
        const std::string what = n == 1 && std::is_same_v<std::remove_cvref_t<Theta>, Vector<TT>>
                                     ? "simplex theta[" + std::to_string(j) + "]"
                                     : "simplex theta[" + std::to_string(i) + "][" + std::to_string(j) + "]";
        throw_domain_error(fn, what.c_str(), t, "nonnegative");
      }
      total += t;
    }
    if (!(std::abs(total - 1.0) <= 1e-8)) {
      const std::string what = n == 1 && std::is_same_v<std::remove_cvref_t<Theta>, Vector<TT>>
                                   ? std::string("sum of simplex theta")
                                   : "sum of simplex theta[" + std::to_string(i) + "]";
      throw_domain_error(fn, what.c_str(), total, "1 (within 1e-8)");
    }
  }

  if constexpr (propto && !theta_ad && !alpha_ad) {
    return R(0.0);
  } else {
    if (n == 0) return R(0.0);
    const double nd = static_cast<double>(n);
    double value = 0.0;
    if constexpr (!propto || alpha_ad) {
      double lg = 0.0;
      for (std::size_t j = 0; j < k; ++j) lg += autodiff::lgamma(a[j]);
      value += nd * (autodiff::lgamma(sum_alpha) - lg);
    }
    for (std::size_t i = 0; i < n * k; ++i) value += multiply_log(a[i % k] - 1.0, val(th.data[i]));
    if constexpr (std::is_same_v<R, double>) {
      return value;
    } else {
      // First derivatives: in the arena for a node, in local storage for Dual.
      autodiff::Tape* tp = nullptr;
      std::vector<double> local;
      double *d_alpha = nullptr, *d_theta = nullptr, *alpha_val = nullptr;
      if constexpr (std::is_same_v<R, Var>) {
        tp = &autodiff::tape();
        if constexpr (alpha_ad) d_alpha = tp->arena().allocate_array<double>(k);
        if constexpr (theta_ad) d_theta = tp->arena().allocate_array<double>(n * k);
        alpha_val = autodiff::arena_copy(*tp, a.data(), k);
      } else {
        local.resize((alpha_ad ? k : 0) + (theta_ad ? n * k : 0));
        double* p = local.data();
        if constexpr (alpha_ad) {
          d_alpha = p;
          p += k;
        }
        if constexpr (theta_ad) d_theta = p;
      }
      if constexpr (alpha_ad) {
        const double psi_sum = autodiff::digamma(sum_alpha);
        for (std::size_t j = 0; j < k; ++j) d_alpha[j] = nd * (psi_sum - autodiff::digamma(a[j]));
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < k; ++j) d_alpha[j] += std::log(val(th.data[i * k + j]));
      }
      if constexpr (theta_ad)
        for (std::size_t i = 0; i < n * k; ++i) d_theta[i] = (a[i % k] - 1.0) / val(th.data[i]);
      if constexpr (std::is_same_v<R, Dual<double>>) {
        double tan = 0.0;
        if constexpr (alpha_ad)
          for (std::size_t j = 0; j < k; ++j) tan += d_alpha[j] * alpha[j].tan;
        if constexpr (theta_ad)
          for (std::size_t i = 0; i < n * k; ++i) tan += d_theta[i] * th.data[i].tan;
        return Dual<double>(value, tan);
      } else {
        autodiff::VarRef alpha_ref, theta_ref;
        if constexpr (alpha_ad) alpha_ref = autodiff::VarRef(*tp, alpha.data(), k);
        if constexpr (theta_ad) theta_ref = autodiff::VarRef(*tp, th.data, n * k);
        const index_t out = tp->new_slot(value);
        tp->make_node<DirichletNode<alpha_ad, theta_ad>>(alpha_ref, alpha_val, d_alpha, theta_ref, d_theta, sum_alpha,
                                                         n, k, out);
        return Var(value, out);
      }
    }
  }
}

}  // namespace tapir::distributions
