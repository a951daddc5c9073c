#pragma once
// The multivariate normal distribution in three parameterizations:
//
//   multi_normal_cholesky_lpdf(y | mu, L)    covariance Sigma = L L^T, L lower triangular
//   multi_normal_lpdf(y | mu, Sigma)         covariance Sigma (factorized once: L = chol(Sigma))
//   multi_normal_prec_lpdf(y | mu, Omega)    precision Omega = Sigma^{-1}
//
// For N observations y_n of dimension K with residuals r_n = y_n - mu_n:
//   lp = -N K log(2 pi) / 2 - N log det(L) - (1/2) sum_n |L^{-1} r_n|^2        (Cholesky, covariance)
//   lp = -N K log(2 pi) / 2 + (N/2) log det(Omega) - (1/2) sum_n r_n^T Omega r_n  (precision)
// with log det(L) = sum_k log L_kk.
//
// Arguments. y: one observation (Vector<T> of size K), or several: a Matrix<T> with one
// observation per row (N x K) or a std::vector<Vector<T>>. mu: one location (Vector<T>, shared by
// every observation) or one per observation (a Matrix<T> or std::vector<Vector<T>>); when both y
// and mu hold several, their counts must agree, and a single y is shared by every mu. The result is
// the sum over observations. L, Sigma, Omega: K x K Matrix<T>. Scalars: double, Var or
// Dual<double>, data mixed with either (not Var with Dual).
//
// Conventions (those of autodiff/matrix_ops.hpp): L is read from its lower triangle; Sigma and
// Omega must be symmetric (to 1e-8, relative) and are read from their lower triangles, so their
// adjoints land on the lower triangle (for i > j the adjoint of Sigma_ij carries the derivative
// through both Sigma_ij and Sigma_ji).
//
// Requirements (else tapir::domain_error naming the function and the argument): y not NaN; mu
// finite; L's lower triangle finite with a positive diagonal; Sigma and Omega finite, symmetric and
// positive definite. Shapes (else tapir::size_error): square K x K matrix with K >= 1, every y and
// mu of size K, equal counts.
//
// propto = true drops -N K log(2 pi) / 2 always, the log-determinant term when the matrix is data,
// and everything when every argument is data.
//
// Built from the library's single-node operations (so every gradient and Hessian-vector product is
// exact): the residuals (one add_rowwise or subtraction node), ONE triangular solve L^{-1} R^T for
// all observations, one squared norm and one log-determinant node; for Sigma one Cholesky node in
// front; for Omega one quadratic-form node tr(R Omega R^T) and one log det node.
#include <cmath>
#include <cstddef>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/dual.hpp"
#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/linalg.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/scalar_ops.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"

namespace tapir::distributions {

namespace detail::mvn_impl {

using autodiff::Dual;
using autodiff::Matrix;
using autodiff::promote_t;
using autodiff::Var;
using autodiff::Vector;


// Observation sets: a single vector, or several (rows of a Matrix, or a std::vector of vectors).
template <class C>
struct obs_traits;
template <class T>
struct obs_traits<Vector<T>> {
  using scalar = T;
  static constexpr bool single = true;
};
template <class T>
struct obs_traits<Matrix<T>> {
  using scalar = T;
  static constexpr bool single = false;
};
template <class T, class A>
struct obs_traits<std::vector<Vector<T>, A>> {
  using scalar = T;
  static constexpr bool single = false;
};
template <class C>
using obs_scalar_t = typename obs_traits<std::remove_cvref_t<C>>::scalar;
template <class C>
inline constexpr bool is_single_v = obs_traits<std::remove_cvref_t<C>>::single;

template <class T>
inline constexpr bool supported_v =
    std::is_same_v<T, double> || std::is_same_v<T, Var> || std::is_same_v<T, Dual<double>>;
template <class... Ts>
inline constexpr bool any_var_v = (std::is_same_v<Ts, Var> || ...);
template <class... Ts>
inline constexpr bool any_dual_v = (std::is_same_v<Ts, Dual<double>> || ...);
template <class... Ts>
inline constexpr bool all_data_v = (std::is_same_v<Ts, double> && ...);

inline double val(double x) { return x; }
inline double val(const Var& x) { return x.value(); }
inline double val(const Dual<double>& x) { return x.val; }

inline std::string index_name(const char* what, std::size_t i) {
  return std::string(what) + "[" + std::to_string(i) + "]";
}
inline std::string index_name(const char* what, std::size_t i, std::size_t j) {
  return std::string(what) + "[" + std::to_string(i) + "," + std::to_string(j) + "]";
}

[[noreturn]] inline void size_mismatch(const char* fn, const char* a, std::size_t na, const char* b, std::size_t nb,
                                       const char* need) {
  throw size_error(std::string(fn) + ": " + a + " is " + std::to_string(na) + " and " + b + " is " +
                   std::to_string(nb) + ", " + need);
}

// Number of observations of a set (1 for a single vector).
template <class C>
std::size_t observation_count(const C& c) {
  if constexpr (is_single_v<C>)
    return 1;
  else if constexpr (requires { c.rows(); })
    return c.rows();
  else
    return c.size();
}

// The observations as an n x k matrix; a single vector is repeated n times. Checks every
// observation's size against k.
template <class C>
Matrix<obs_scalar_t<C>> as_rows(const char* fn, const char* what, const C& c, std::size_t n, std::size_t k) {
  using T = obs_scalar_t<C>;
  Matrix<T> m(n, k);
  if constexpr (is_single_v<C>) {
    if (c.size() != k) size_mismatch(fn, (std::string("size of ") + what).c_str(), c.size(), "K", k, "must be equal");
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < k; ++j) m(i, j) = c[j];
  } else if constexpr (requires { c.rows(); }) {
    if (c.cols() != k)
      size_mismatch(fn, (std::string("number of columns of ") + what).c_str(), c.cols(), "K", k, "must be equal");
    for (std::size_t i = 0; i < n * k; ++i) m.data()[i] = c.data()[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (c[i].size() != k)
        size_mismatch(fn, ("size of " + index_name(what, i)).c_str(), c[i].size(), "K", k, "must be equal");
      for (std::size_t j = 0; j < k; ++j) m(i, j) = c[i][j];
    }
  }
  return m;
}

template <class T>
void check_not_nan_rows(const char* fn, const char* what, const Matrix<T>& m, bool single) {
  for (std::size_t i = 0; i < m.rows(); ++i)
    for (std::size_t j = 0; j < m.cols(); ++j) {
      const double v = val(m(i, j));
      if (v != v) {
        const std::string name = single ? index_name(what, j) : index_name(what, i, j);
        throw_domain_error(fn, name.c_str(), v, "not NaN");
      }
    }
}
template <class T>
void check_finite_rows(const char* fn, const char* what, const Matrix<T>& m, bool single) {
  for (std::size_t i = 0; i < m.rows(); ++i)
    for (std::size_t j = 0; j < m.cols(); ++j) {
      const double v = val(m(i, j));
      if (!(v - v == 0.0)) {
        const std::string name = single ? index_name(what, j) : index_name(what, i, j);
        throw_domain_error(fn, name.c_str(), v, "finite");
      }
    }
}

template <class T>
std::size_t check_square(const char* fn, const char* what, const Matrix<T>& m) {
  if (m.rows() != m.cols() || m.rows() == 0)
    throw size_error(std::string(fn) + ": " + what + " is " + std::to_string(m.rows()) + "x" +
                     std::to_string(m.cols()) + ", must be square and non-empty");
  return m.rows();
}

// A Cholesky factor: finite lower triangle, positive diagonal.
template <class T>
void check_cholesky_factor(const char* fn, const char* what, const Matrix<T>& l) {
  const std::size_t k = l.rows();
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const double v = val(l(i, j));
      if (!(v - v == 0.0)) throw_domain_error(fn, index_name(what, i, j).c_str(), v, "finite");
    }
    const double d = val(l(i, i));
    if (!(d > 0.0 && d < INFINITY))
      throw_domain_error(fn, ("diagonal of " + index_name(what, i, i)).c_str(), d, "positive finite");
  }
}

// A symmetric matrix: finite lower triangle, upper triangle equal to it within 1e-8 (relative).
template <class T>
void check_symmetric_finite(const char* fn, const char* what, const Matrix<T>& a) {
  const std::size_t k = a.rows();
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      const double aij = val(a(i, j)), aji = val(a(j, i));
      if (!(aij - aij == 0.0)) throw_domain_error(fn, index_name(what, i, j).c_str(), aij, "finite");
      if (!autodiff::linalg::nearly_symmetric(aij, aji)) {
        std::ostringstream o;
        o.precision(17);
        o << "equal to " << index_name(what, i, j) << " = " << aij << " (symmetric, within 1e-8)";
        throw_domain_error(fn, index_name(what, j, i).c_str(), aji, o.str().c_str());
      }
    }
}

// f() with a non-positive-definite failure reported as tapir::domain_error naming `what`.
template <class F>
auto positive_definite(const char* fn, const char* what, F f) {
  try {
    return f();
  } catch (const autodiff::not_positive_definite& e) {
    throw domain_error(std::string(fn) + ": " + what + " is not positive definite (pivot " +
                       std::to_string(e.pivot()) + " is " + std::to_string(e.value()) + ")");
  }
}

// The symmetric matrix read from the lower triangle of a (Vars copied, nothing recorded).
template <class T>
Matrix<T> symmetric_from_lower(const Matrix<T>& a) {
  const std::size_t k = a.rows();
  Matrix<T> s(k, k);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      s(i, j) = a(i, j);
      s(j, i) = a(i, j);
    }
  return s;
}

// The residuals R = Y - M (N x K) with y and mu checked; their number N goes to n_out.
template <class Y, class M>
auto residuals(const char* fn, const Y& y, const M& mu, std::size_t k, std::size_t& n_out) {
  using TY = obs_scalar_t<Y>;
  using TM = obs_scalar_t<M>;
  std::size_t n;
  if constexpr (!is_single_v<Y> && !is_single_v<M>) {
    n = observation_count(y);
    if (observation_count(mu) != n)
      size_mismatch(fn, "number of observations y", n, "number of locations mu", observation_count(mu),
                    "must be equal");
  } else if constexpr (!is_single_v<Y>) {
    n = observation_count(y);
  } else {
    n = observation_count(mu);
  }
  n_out = n;
  const Matrix<TY> ym = as_rows(fn, "random variable y", y, is_single_v<Y> ? n : observation_count(y), k);
  check_not_nan_rows(fn, "random variable y", ym, is_single_v<Y>);
  if constexpr (is_single_v<M>) {
    if (mu.size() != k) size_mismatch(fn, "size of location mu", mu.size(), "K", k, "must be equal");
    for (std::size_t j = 0; j < k; ++j) {
      const double v = val(mu[j]);
      if (!(v - v == 0.0)) throw_domain_error(fn, index_name("location mu", j).c_str(), v, "finite");
    }
    return autodiff::add_rowwise(ym, -mu);
  } else {
    const Matrix<TM> mm = as_rows(fn, "location mu", mu, n, k);
    check_finite_rows(fn, "location mu", mm, false);
    return Matrix<promote_t<TY, TM>>(ym - mm);
  }
}

template <class T>
Vector<T> flatten(const Matrix<T>& m) {
  return Vector<T>(std::span<const T>(m.data(), m.size()));
}

// The density given a checked Cholesky factor of the covariance.
template <bool propto, class Y, class M, class TL>
auto cholesky_density(const char* fn, const Y& y, const M& mu, const Matrix<TL>& L) {
  using TY = obs_scalar_t<Y>;
  using TM = obs_scalar_t<M>;
  using R = promote_t<TY, TM, TL>;
  const std::size_t k = L.rows();
  std::size_t n = 0;
  const auto res = residuals(fn, y, mu, k, n);
  if constexpr (propto && all_data_v<TY, TM, TL>) {
    return R(0.0);
  } else {
    if (n == 0) return R(0.0);
    const auto z = autodiff::mdivide_left_tri_low(L, autodiff::transpose(res));
    R lp = -0.5 * autodiff::squared_norm(flatten(z));
    if constexpr (!propto || !std::is_same_v<TL, double>)
      lp = lp - (0.5 * static_cast<double>(n)) * autodiff::log_determinant_cholesky(L);
    if constexpr (!propto) lp = lp - static_cast<double>(n * k) * autodiff::ops::half_log_two_pi;
    return lp;
  }
}

template <class Y, class M, class TS>
constexpr void static_checks() {
  using TY = obs_scalar_t<Y>;
  using TM = obs_scalar_t<M>;
  static_assert(supported_v<TY> && supported_v<TM> && supported_v<TS>,
                "multivariate normal densities take double, Var or Dual<double> scalars");
  static_assert(!(any_var_v<TY, TM, TS> && any_dual_v<TY, TM, TS>),
                "multivariate normal densities cannot mix Var and Dual<double> arguments");
}

}  // namespace detail::mvn_impl

// log MultiNormal(y | mu, L L^T), summed over observations (see the top of this file).
template <bool propto = false, class Y, class M, class TL>
auto multi_normal_cholesky_lpdf(const Y& y, const M& mu, const autodiff::Matrix<TL>& L) {
  using namespace detail::mvn_impl;
  static_checks<Y, M, TL>();
  constexpr const char* fn = "multi_normal_cholesky_lpdf";
  check_square(fn, "Cholesky factor L", L);
  check_cholesky_factor(fn, "Cholesky factor L", L);
  return cholesky_density<propto>(fn, y, mu, L);
}

// log MultiNormal(y | mu, Sigma), summed over observations; Sigma is factorized once.
template <bool propto = false, class Y, class M, class TS>
auto multi_normal_lpdf(const Y& y, const M& mu, const autodiff::Matrix<TS>& Sigma) {
  using namespace detail::mvn_impl;
  static_checks<Y, M, TS>();
  constexpr const char* fn = "multi_normal_lpdf";
  check_square(fn, "covariance Sigma", Sigma);
  check_symmetric_finite(fn, "covariance Sigma", Sigma);
  const Matrix<TS> L = positive_definite(fn, "covariance Sigma", [&] { return autodiff::cholesky_decompose(Sigma); });
  return cholesky_density<propto>(fn, y, mu, L);
}

// log MultiNormal(y | mu, Omega^{-1}), summed over observations.
template <bool propto = false, class Y, class M, class TO>
auto multi_normal_prec_lpdf(const Y& y, const M& mu, const autodiff::Matrix<TO>& Omega) {
  using namespace detail::mvn_impl;
  static_checks<Y, M, TO>();
  using TY = obs_scalar_t<Y>;
  using TM = obs_scalar_t<M>;
  using R = promote_t<TY, TM, TO>;
  constexpr const char* fn = "multi_normal_prec_lpdf";
  const std::size_t k = check_square(fn, "precision Omega", Omega);
  check_symmetric_finite(fn, "precision Omega", Omega);
  // Also the positive-definiteness check, so it is computed even when propto drops it.
  [[maybe_unused]] const TO log_det = positive_definite(fn, "precision Omega", [&] { return autodiff::log_determinant_spd(Omega); });
  std::size_t n = 0;
  const auto res = residuals(fn, y, mu, k, n);
  if constexpr (propto && all_data_v<TY, TM, TO>) {
    return R(0.0);
  } else {
    if (n == 0) return R(0.0);
    R lp = -0.5 * autodiff::trace_quad_form(symmetric_from_lower(Omega), autodiff::transpose(res));
    if constexpr (!propto || !std::is_same_v<TO, double>) lp = lp + (0.5 * static_cast<double>(n)) * log_det;
    if constexpr (!propto) lp = lp - static_cast<double>(n * k) * autodiff::ops::half_log_two_pi;
    return lp;
  }
}

}  // namespace tapir::distributions
