#pragma once
// Finite mixtures: the log density of a mixture from the log densities of its components.
//
//   log_mix(theta, lambda1, lambda2) = log(theta exp(lambda1) + (1 - theta) exp(lambda2))
//       two components, scalars; theta in [0, 1] (Stan's log_mix).
//   log_mix(theta, lambda) = log sum_k theta_k exp(lambda_k) = log_sum_exp(log theta + lambda)
//       K components; theta a simplex (Vector<T>, entries >= 0 summing to 1 within 1e-8).
//   log_mix_log_weights(w, lambda) = log sum_k exp(w_k + lambda_k)
//       the same given log weights w = log theta (not checked to be normalized: with
//       log_sum_exp(w) = 0 it is the mixture's log density).
// lambda is one observation's component log densities (Vector<T> of size K) or several
// observations' (a Matrix<T> with one observation per row, N x K, or a std::vector<Vector<T>>);
// the result is then the sum over observations, sum_n log sum_k theta_k exp(lambda_nk), as Stan's
// log_mix(theta, array of vectors).
//
//   normal_mixture_lpdf(y | theta, mu, sigma) = sum_n log sum_k theta_k Normal(y_n | mu_k, sigma_k)
//       the convenience for mixtures of normals: y a scalar or a Vector (N observations), theta
//       a simplex and mu, sigma Vectors of K component locations and scales.
//
// Scalars: double, Var or Dual<double>, data mixed with either (not Var with Dual).
// Requirements (else tapir::domain_error naming the function and the argument): theta a simplex
// (two components: theta in [0, 1]); lambda and w not NaN (-inf is allowed: a component of zero
// density or weight); y not NaN, mu finite, sigma positive finite. Sizes (else
// tapir::size_error): K >= 1 and every vector of components of size K.
// normal_mixture_lpdf<propto = true> drops the constant -N log(2 pi) / 2 (every other term sits
// inside the log of a sum), and everything when every argument is data.
//
// With Var arguments log_mix over N observations is ONE tape node (after one elementwise log node
// for a simplex of Vars). With s_nk = w_k + lambda_nk and p_n = softmax(s_n) (kept from the forward
// pass): d/dlambda_nk = p_nk, d/dw_k = sum_n p_nk, and the Hessian of each observation's term in
// s_n is diag(p_n) - p_n p_n^T, so the second-order rule adds, with sdot_n = wdot + lambdadot_n,
//   p_nk (sdot_nk - p_n . sdot_n)
// (times the output's adjoint) to both lambda_nk and w_k.
// A simplex of Vars goes through log theta, so a weight theta_k of exactly 0 gets a NaN derivative
// (0 * inf, as in Stan); simplexes from a bijector are strictly positive.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/dual.hpp"
#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/scalar_ops.hpp"
#include "autodiff/special_functions.hpp"
#include "autodiff/tape.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"
#include "autodiff/vector_node.hpp"

namespace tapir::distributions {

namespace detail::mixture_impl {

using autodiff::Dual;
using autodiff::index_t;
using autodiff::Matrix;
using autodiff::promote_t;
using autodiff::Var;
using autodiff::Vector;

template <class T>
inline constexpr bool supported_v =
    std::is_same_v<T, double> || std::is_same_v<T, Var> || std::is_same_v<T, Dual<double>>;
template <class... Ts>
inline constexpr bool any_var_v = (std::is_same_v<Ts, Var> || ...);
template <class... Ts>
inline constexpr bool any_dual_v = (std::is_same_v<Ts, Dual<double>> || ...);
template <class... Ts>
constexpr void check_scalars() {
  static_assert((supported_v<Ts> && ...), "mixtures take double, Var or Dual<double> scalars");
  static_assert(!(any_var_v<Ts...> && any_dual_v<Ts...>), "mixtures cannot mix Var and Dual<double> arguments");
}

inline double val(double x) { return x; }
inline double val(const Var& x) { return x.value(); }
inline double val(const Dual<double>& x) { return x.val; }

inline std::string index_name(const char* what, std::size_t i) {
  return std::string(what) + "[" + std::to_string(i) + "]";
}

// The scalar of lambda: Vector<T>, Matrix<T> or std::vector<Vector<T>>.
template <class C>
struct lambda_scalar {
  using type = typename C::value_type;
};
template <class T, class A>
struct lambda_scalar<std::vector<Vector<T>, A>> {
  using type = T;
};
template <class C>
using lambda_scalar_t = typename lambda_scalar<std::remove_cvref_t<C>>::type;

// The scalar of y: a scalar (int becomes double) or a Vector<T>.
template <class Y>
struct obs_scalar {
  using type = autodiff::promote_t<Y>;
};
template <class T>
struct obs_scalar<Vector<T>> {
  using type = T;
};

// n x k component log densities, row-major; a std::vector of vectors is gathered into `store`.
template <class T>
struct Rows {
  const T* data;
  std::size_t n, k;
};
template <class T>
Rows<T> rows_of(const char*, const Vector<T>& y, std::vector<T>&) {
  return {y.data(), 1, y.size()};
}
template <class T>
Rows<T> rows_of(const char*, const Matrix<T>& y, std::vector<T>&) {
  return {y.data(), y.rows(), y.cols()};
}
template <class T, class A>
Rows<T> rows_of(const char* fn, const std::vector<Vector<T>, A>& y, std::vector<T>& store) {
  const std::size_t n = y.size(), k = n ? y[0].size() : 0;
  for (std::size_t i = 1; i < n; ++i)
    if (y[i].size() != k)
      throw size_error(std::string(fn) + ": size of lambda[0] is " + std::to_string(k) + " and size of lambda[" +
                       std::to_string(i) + "] is " + std::to_string(y[i].size()) + ", must be equal");
  store.resize(n * k);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < k; ++j) store[i * k + j] = y[i][j];
  return {store.data(), n, k};
}

template <class T>
void check_simplex(const char* fn, const char* what, const Vector<T>& theta) {
  if (theta.size() == 0) throw size_error(std::string(fn) + ": " + what + " has size 0, must be non-empty");
  double total = 0.0;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    const double t = val(theta[k]);
    if (!(t >= 0.0)) throw_domain_error(fn, index_name(what, k).c_str(), t, "nonnegative");
    total += t;
  }
  if (!(std::abs(total - 1.0) <= 1e-8))
    throw_domain_error(fn, (std::string("sum of ") + what).c_str(), total, "1 (within 1e-8)");
}

// sum_n log_sum_exp(w + lambda_n) with p_nk = softmax(w + lambda_n)_k: ONE node.
template <bool WVar, bool LVar>
class LogMixNode final : public autodiff::Node {
 public:
  LogMixNode(autodiff::VarRef w, autodiff::VarRef lambda, const double* p, std::size_t n, std::size_t k, index_t out)
      : w_(w), lambda_(lambda), p_(p), n_(n), k_(k), out_(out) {}

  void reverse(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_];
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < k_; ++j) {
        const double gp = g * p_[i * k_ + j];
        if constexpr (LVar) s.adj[lambda_[i * k_ + j]] += gp;
        if constexpr (WVar) s.adj[w_[j]] += gp;
      }
  }
  void tangent(const autodiff::SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < k_; ++j) d += p_[i * k_ + j] * sdot(s, i, j);
    s.dot[out_] = d;
  }
  void reverse2(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_];
    for (std::size_t i = 0; i < n_; ++i) {
      const double* p = p_ + i * k_;
      double m = 0.0;
      for (std::size_t j = 0; j < k_; ++j) m += p[j] * sdot(s, i, j);
      for (std::size_t j = 0; j < k_; ++j) {
        const double a = g * p[j], a2 = g2 * p[j] + g * p[j] * (sdot(s, i, j) - m);
        if constexpr (LVar) {
          s.adj[lambda_[i * k_ + j]] += a;
          s.adj2[lambda_[i * k_ + j]] += a2;
        }
        if constexpr (WVar) {
          s.adj[w_[j]] += a;
          s.adj2[w_[j]] += a2;
        }
      }
    }
  }

 private:
  double sdot(const autodiff::SweepArrays& s, std::size_t i, std::size_t j) const {
    double d = 0.0;
    if constexpr (WVar) d += s.dot[w_[j]];
    if constexpr (LVar) d += s.dot[lambda_[i * k_ + j]];
    return d;
  }
  autodiff::VarRef w_, lambda_;
  const double* p_;
  std::size_t n_, k_;
  index_t out_;
};

// sum_n log_sum_exp(w + lambda_n) for checked arguments; lambda as rows.
template <class TW, class TL>
promote_t<TW, TL> log_mix_rows(const Vector<TW>& w, const Rows<TL>& lam) {
  using R = promote_t<TW, TL>;
  const std::size_t n = lam.n, k = lam.k;
  if (n == 0) return R(0.0);
  autodiff::Tape* tp = nullptr;
  std::vector<double> local;
  double* p;
  if constexpr (std::is_same_v<R, Var>) {
    tp = &autodiff::tape();
    p = tp->arena().allocate_array<double>(n * k);
  } else {
    local.resize(n * k);
    p = local.data();
  }
  double value = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double* pi = p + i * k;
    for (std::size_t j = 0; j < k; ++j) pi[j] = val(w[j]) + val(lam.data[i * k + j]);
    value += autodiff::detail::log_sum_exp_weights(pi, k, pi);
  }
  if constexpr (std::is_same_v<R, double>) {
    return value;
  } else if constexpr (std::is_same_v<R, Dual<double>>) {
    double tan = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < k; ++j) {
        double sd = 0.0;
        if constexpr (std::is_same_v<TW, Dual<double>>) sd += w[j].tan;
        if constexpr (std::is_same_v<TL, Dual<double>>) sd += lam.data[i * k + j].tan;
        tan += p[i * k + j] * sd;
      }
    return Dual<double>(value, tan);
  } else {
    constexpr bool w_var = std::is_same_v<TW, Var>, l_var = std::is_same_v<TL, Var>;
    autodiff::VarRef wr, lr;
    if constexpr (w_var) wr = autodiff::VarRef(*tp, w.data(), k);
    if constexpr (l_var) lr = autodiff::VarRef(*tp, lam.data, n * k);
    const index_t out = tp->new_slot(value);
    tp->make_node<LogMixNode<w_var, l_var>>(wr, lr, p, n, k, out);
    return Var(value, out);
  }
}

template <class TL>
void check_lambda(const char* fn, const Rows<TL>& lam, std::size_t k) {
  if (lam.n > 0 && lam.k != k)
    throw size_error(std::string(fn) + ": lambda has " + std::to_string(lam.k) +
                     " components per observation and the weights " + std::to_string(k) + ", must be equal");
  for (std::size_t i = 0; i < lam.n * lam.k; ++i) {
    const double v = val(lam.data[i]);
    if (v != v) {
      const std::string what = lam.n == 1 ? index_name("component log density lambda", i)
                                          : "component log density lambda[" + std::to_string(i / k) + "][" +
                                                std::to_string(i % k) + "]";
      throw_domain_error(fn, what.c_str(), v, "not NaN");
    }
  }
}

template <class TT, class C>
auto log_mix_simplex(const char* fn, const Vector<TT>& theta, const C& lambda) {
  using TLs = lambda_scalar_t<C>;
  check_scalars<TT, TLs>();
  check_simplex(fn, "mixing proportions theta", theta);
  std::vector<TLs> store;
  const Rows<TLs> lam = rows_of(fn, lambda, store);
  check_lambda(fn, lam, theta.size());
  using autodiff::log;
  return log_mix_rows(Vector<TT>(log(theta)), lam);
}

}  // namespace detail::mixture_impl

// log(theta exp(lambda1) + (1 - theta) exp(lambda2)) for scalars (two components).
template <class TT, class L1, class L2>
  requires autodiff::Scalar<TT> && autodiff::Scalar<L1> && autodiff::Scalar<L2>
auto log_mix(const TT& theta, const L1& lambda1, const L2& lambda2) {
  using namespace detail::mixture_impl;
  check_scalars<autodiff::promote_t<TT>, autodiff::promote_t<L1>, autodiff::promote_t<L2>>();
  constexpr const char* fn = "log_mix";
  const double t = val(static_cast<autodiff::promote_t<TT>>(theta));
  if (!(t >= 0.0 && t <= 1.0)) throw_domain_error(fn, "mixing proportion theta", t, "in [0, 1]");
  const double l1 = val(static_cast<autodiff::promote_t<L1>>(lambda1)),
               l2 = val(static_cast<autodiff::promote_t<L2>>(lambda2));
  if (l1 != l1) throw_domain_error(fn, "log density lambda1", l1, "not NaN");
  if (l2 != l2) throw_domain_error(fn, "log density lambda2", l2, "not NaN");
  using autodiff::log;
  using autodiff::log1p;
  using autodiff::log_sum_exp;
  using std::log;
  using std::log1p;
  using R = autodiff::promote_t<TT, L1, L2>;
  return R(log_sum_exp(log(theta) + lambda1, log1p(-theta) + lambda2));
}

// log sum_k theta_k exp(lambda_k) for a simplex theta; lambda one observation's component log
// densities (Vector) or several observations' (Matrix rows, std::vector of Vectors), summed.
template <class TT, class TL>
auto log_mix(const autodiff::Vector<TT>& theta, const autodiff::Vector<TL>& lambda) {
  return detail::mixture_impl::log_mix_simplex("log_mix", theta, lambda);
}
template <class TT, class TL>
auto log_mix(const autodiff::Vector<TT>& theta, const autodiff::Matrix<TL>& lambda) {
  return detail::mixture_impl::log_mix_simplex("log_mix", theta, lambda);
}
template <class TT, class TL, class A>
auto log_mix(const autodiff::Vector<TT>& theta, const std::vector<autodiff::Vector<TL>, A>& lambda) {
  return detail::mixture_impl::log_mix_simplex("log_mix", theta, lambda);
}

// log sum_k exp(w_k + lambda_k) for log weights w; lambda as for log_mix.
template <class TW, class C>
auto log_mix_log_weights(const autodiff::Vector<TW>& log_weights, const C& lambda) {
  using namespace detail::mixture_impl;
  constexpr const char* fn = "log_mix_log_weights";
  using TLs = lambda_scalar_t<C>;
  check_scalars<TW, TLs>();
  const std::size_t k = log_weights.size();
  if (k == 0) throw size_error(std::string(fn) + ": log weights w has size 0, must be non-empty");
  for (std::size_t j = 0; j < k; ++j) {
    const double v = val(log_weights[j]);
    if (v != v || v == INFINITY) throw_domain_error(fn, index_name("log weights w", j).c_str(), v, "not NaN or +inf");
  }
  std::vector<TLs> store;
  const Rows<TLs> lam = rows_of(fn, lambda, store);
  check_lambda(fn, lam, k);
  return log_mix_rows(log_weights, lam);
}

// sum_n log sum_k theta_k Normal(y_n | mu_k, sigma_k); y a scalar or a Vector of observations.
template <bool propto = false, class Y, class TT, class TM, class TS>
auto normal_mixture_lpdf(const Y& y, const autodiff::Vector<TT>& theta, const autodiff::Vector<TM>& mu,
                         const autodiff::Vector<TS>& sigma) {
  using namespace detail::mixture_impl;
  constexpr const char* fn = "normal_mixture_lpdf";
  constexpr bool y_vec = !autodiff::is_scalar_v<Y>;
  using TY = typename obs_scalar<std::remove_cvref_t<Y>>::type;
  check_scalars<TY, TT, TM, TS>();
  using R = promote_t<TY, TT, TM, TS>;
  check_simplex(fn, "mixing proportions theta", theta);
  const std::size_t k = theta.size();
  if (mu.size() != k || sigma.size() != k)
    throw size_error(std::string(fn) + ": sizes of theta, mu and sigma are " + std::to_string(k) + ", " +
                     std::to_string(mu.size()) + " and " + std::to_string(sigma.size()) + ", must be equal");
  for (std::size_t j = 0; j < k; ++j) {
    const double m = val(mu[j]), s = val(sigma[j]);
    if (!(m - m == 0.0)) throw_domain_error(fn, index_name("location mu", j).c_str(), m, "finite");
    if (!(s > 0.0 && s < INFINITY)) throw_domain_error(fn, index_name("scale sigma", j).c_str(), s, "positive finite");
  }
  const std::size_t n = [&] {
    if constexpr (y_vec)
      return y.size();
    else
      return std::size_t{1};
  }();
  Matrix<TY> ym(n, k);
  for (std::size_t i = 0; i < n; ++i) {
    TY yi;
    if constexpr (y_vec)
      yi = y[i];
    else
      yi = y;
    if (val(yi) != val(yi))
      throw_domain_error(fn, y_vec ? index_name("random variable y", i).c_str() : "random variable y", val(yi),
                         "not NaN");
    for (std::size_t j = 0; j < k; ++j) ym(i, j) = yi;
  }
  constexpr bool all_data = std::is_same_v<R, double>;
  if constexpr (propto && all_data) {
    return R(0.0);
  } else {
    if (n == 0) return R(0.0);
    Matrix<TS> sm(n, k);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < k; ++j) sm(i, j) = sigma[j];
    using autodiff::normal_residual_lpdf;
    const auto lambda = normal_residual_lpdf(autodiff::add_rowwise(ym, -mu), sm);
    using TLam = typename std::remove_cvref_t<decltype(lambda)>::value_type;
    using autodiff::log;
    R lp = log_mix_rows(Vector<TT>(log(theta)), Rows<TLam>{lambda.data(), n, k});
    if constexpr (propto) lp = lp + static_cast<double>(n) * autodiff::ops::half_log_two_pi;
    return lp;
  }
}

}  // namespace tapir::distributions
