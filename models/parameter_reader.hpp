#pragma once
// How a model declares its parameters: it reads them, in order, from a ParameterReader inside its
// log density, asking for each one's shape and constraint:
//
//   template <class T>
//   T log_density(ParameterReader<T>& p) const {
//     T mu = p.real("mu");
//     T tau = p.lower("tau", 0.0);
//     Vector<T> z = p.vector("z", J);
//     Vector<T> theta = mu + tau * z;
//     p.output("theta", theta);          // a transformed parameter, written to the draws
//     return normal_lpdf(z, 0.0, 1.0) + ...;
//   }
//
// The library derives the rest from the same code (as Stan's generated log_prob does): the
// unconstrained dimension and the parameter names (discovery pass), the constraining transform with
// its log-Jacobian (evaluation), the constrained values and outputs for draws (write pass), and the
// inverse transform (unconstrain pass, for user-given initial values). Bounds may depend on
// parameters read earlier (garch: beta1 < 1 - alpha1).
//
// Transforms follow the Stan Reference Manual ("Constraint transforms"): lower bound a + e^u
// (log J = u), upper bound b - e^u (log J = u), interval a + (b - a) inv_logit(u)
// (log J = log(b - a) + log_inv_logit(u) + log1m_inv_logit(u)).
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"

namespace tapir::models {

// Model code calls the AD library's functions unqualified (exp, log1p_exp, sum, ...) for every
// scalar type, double included.
using namespace tapir::autodiff;

// A parameter or output as the model declared it.
struct ParameterInfo {
  std::string name;
  std::vector<std::size_t> dims;       // constrained shape; empty for a scalar
  std::size_t unconstrained_size = 0;  // 0 for outputs
  bool output = false;                 // a transformed parameter written by the model
  std::size_t constrained_size() const {
    std::size_t n = 1;
    for (std::size_t d : dims) n *= d;
    return n;
  }
};

enum class ReaderMode {
  evaluate,     // unconstrained -> constrained values, log-Jacobian accumulated
  write,        // evaluate, and record constrained values and outputs (double only)
  unconstrain,  // constrained values in, unconstrained values out (double only)
  discover,     // record names and shapes; reads zeros (double only)
};

template <class T>
class ParameterReader {
 public:
  // Evaluation: reads unconstrained values from x.
  ParameterReader(std::span<const T> x, bool jacobian, ReaderMode mode = ReaderMode::evaluate)
      : in_(x), jacobian_(jacobian), mode_(mode), log_jacobian_(0.0) {}

  T log_jacobian() const { return log_jacobian_; }
  std::size_t position() const { return pos_; }
  ReaderMode mode() const { return mode_; }
  // Write and discover passes: every parameter and output, in order, with its values.
  const std::vector<ParameterInfo>& declared() const { return declared_; }
  const std::vector<double>& written() const { return written_; }
  const std::vector<double>& unconstrained_out() const { return unconstrained_out_; }

  // ---- unconstrained parameters ----
  T real(std::string_view name) { return scalar(name, Kind::none, 0.0, 0.0); }
  Vector<T> vector(std::string_view name, std::size_t n) { return vec(name, n, Kind::none, T(0.0), T(0.0)); }
  Matrix<T> matrix(std::string_view name, std::size_t rows, std::size_t cols) {
    Vector<T> v = vec(name, rows * cols, Kind::none, T(0.0), T(0.0), {rows, cols});
    Matrix<T> m(rows, cols);
    for (std::size_t k = 0; k < rows * cols; ++k) m.data()[k] = v[k];
    return m;
  }

  // ---- bounded parameters; bounds may be data or parameters read earlier ----
  template <class L>
  T lower(std::string_view name, const L& lb) {
    return scalar(name, Kind::lower, T(lb), T(0.0));
  }
  template <class U>
  T upper(std::string_view name, const U& ub) {
    return scalar(name, Kind::upper, T(0.0), T(ub));
  }
  template <class L, class U>
  T interval(std::string_view name, const L& lb, const U& ub) {
    return scalar(name, Kind::interval, T(lb), T(ub));
  }
  T positive(std::string_view name) { return lower(name, 0.0); }
  T unit_interval(std::string_view name) { return interval(name, 0.0, 1.0); }

  template <class L>
  Vector<T> lower(std::string_view name, std::size_t n, const L& lb) {
    return vec(name, n, Kind::lower, T(lb), T(0.0));
  }
  template <class U>
  Vector<T> upper(std::string_view name, std::size_t n, const U& ub) {
    return vec(name, n, Kind::upper, T(0.0), T(ub));
  }
  template <class L, class U>
  Vector<T> interval(std::string_view name, std::size_t n, const L& lb, const U& ub) {
    return vec(name, n, Kind::interval, T(lb), T(ub));
  }
  Vector<T> positive(std::string_view name, std::size_t n) { return lower(name, n, 0.0); }

  // ordered: x_1 = u_1, x_k = x_{k-1} + exp(u_k) (log J = sum_{k>1} u_k).
  Vector<T> ordered(std::string_view name, std::size_t n);
  // simplex of size K from K - 1 unconstrained values: Stan's stick-breaking with the
  // log(K - k) offsets, so that u = 0 is the uniform simplex.
  Vector<T> simplex(std::string_view name, std::size_t k);
  // Cholesky factor of a K x K correlation matrix from K (K - 1) / 2 values: tanh to canonical
  // partial correlations, then Stan's construction row by row.
  Matrix<T> cholesky_corr(std::string_view name, std::size_t k);

  // ---- outputs: transformed parameters written with the draws (write pass only) ----
  void output(std::string_view name, const T& v) {
    if (mode_ == ReaderMode::write || mode_ == ReaderMode::discover) {
      declared_.push_back({std::string(name), {}, 0, true});
      written_.push_back(autodiff::value_of(v));
    }
  }
  void output(std::string_view name, const Vector<T>& v) {
    if (mode_ == ReaderMode::write || mode_ == ReaderMode::discover) {
      declared_.push_back({std::string(name), {v.size()}, 0, true});
      for (std::size_t i = 0; i < v.size(); ++i) written_.push_back(autodiff::value_of(v[i]));
    }
  }
  void output(std::string_view name, const Matrix<T>& m) {
    if (mode_ == ReaderMode::write || mode_ == ReaderMode::discover) {
      declared_.push_back({std::string(name), {m.rows(), m.cols()}, 0, true});
      for (std::size_t k = 0; k < m.size(); ++k) written_.push_back(autodiff::value_of(m.data()[k]));
    }
  }

 private:
  enum class Kind { none, lower, upper, interval };

  // The next n unconstrained values (zeros when discovering). In the unconstrain pass the
  // reader's input holds constrained values, consumed `constrained` at a time.
  std::span<const T> take(std::string_view name, std::size_t n) {
    if (mode_ == ReaderMode::discover) {
      zeros_.assign(n, T(0.0));
      pos_ += n;
      return zeros_;
    }
    if (pos_ + n > in_.size())
      throw size_error("parameters: reading \"" + std::string(name) + "\" needs " + std::to_string(n) +
                       " values at position " + std::to_string(pos_) + ", but only " + std::to_string(in_.size()) +
                       " were given");
    std::span<const T> s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  void declare(std::string_view name, std::vector<std::size_t> dims, std::size_t unconstrained) {
    if (mode_ == ReaderMode::discover || mode_ == ReaderMode::write)
      declared_.push_back({std::string(name), std::move(dims), unconstrained});
  }
  void record(const T& x) {
    if (mode_ == ReaderMode::discover || mode_ == ReaderMode::write) written_.push_back(autodiff::value_of(x));
  }
  void add_jacobian(const T& lj) {
    if (jacobian_) log_jacobian_ += lj;
  }

  T scalar(std::string_view name, Kind kind, const T& lb, const T& ub) {
    declare(name, {}, 1);
    const T u = take(name, 1)[0];
    if constexpr (std::is_same_v<T, double>) {
      if (mode_ == ReaderMode::unconstrain) {
        unconstrained_out_.push_back(inverse(name, kind, u, lb, ub));
        return u;
      }
    }
    const T x = constrain(kind, u, lb, ub);
    record(x);
    return x;
  }

  Vector<T> vec(std::string_view name, std::size_t n, Kind kind, const T& lb, const T& ub,
                std::vector<std::size_t> dims = {}) {
    declare(name, dims.empty() ? std::vector<std::size_t>{n} : dims, n);
    std::span<const T> u = take(name, n);
    Vector<T> x(n);
    if constexpr (std::is_same_v<T, double>) {
      if (mode_ == ReaderMode::unconstrain) {
        for (std::size_t i = 0; i < n; ++i) {
          unconstrained_out_.push_back(inverse(name, kind, u[i], lb, ub));
          x[i] = u[i];
        }
        return x;
      }
    }
    Vector<T> uv(u);
    switch (kind) {
      case Kind::none:
        x = uv;
        break;
      case Kind::lower:
        x = exp(uv) + lb;
        add_jacobian(autodiff::sum(uv));
        break;
      case Kind::upper:
        x = ub - exp(uv);
        add_jacobian(autodiff::sum(uv));
        break;
      case Kind::interval:
        x = lb + (ub - lb) * inv_logit(uv);
        if (jacobian_)
          log_jacobian_ += static_cast<double>(n) * log(ub - lb) + autodiff::sum(log_inv_logit(uv)) +
                           autodiff::sum(log1m_inv_logit(uv));
        break;
    }
    for (std::size_t i = 0; i < n; ++i) record(x[i]);
    return x;
  }

  T constrain(Kind kind, const T& u, const T& lb, const T& ub) {
    using std::exp;
    using std::log;
    switch (kind) {
      case Kind::none:
        return u;
      case Kind::lower:
        add_jacobian(u);
        return lb + exp(u);
      case Kind::upper:
        add_jacobian(u);
        return ub - exp(u);
      case Kind::interval:
        if (jacobian_) log_jacobian_ += log(ub - lb) + log_inv_logit(u) + log1m_inv_logit(u);
        return lb + (ub - lb) * inv_logit(u);
    }
    return u;
  }

  // Unconstrain pass: x is a constrained value; returns its unconstrained value.
  static double inverse(std::string_view name, Kind kind, double x, double lb, double ub) {
    auto outside = [&](const char* requirement, double bound) {
      throw_domain_error("unconstrain", ("parameter \"" + std::string(name) + "\"").c_str(), x,
                         (std::string(requirement) + std::to_string(bound)).c_str());
    };
    switch (kind) {
      case Kind::none:
        return x;
      case Kind::lower:
        if (!(x > lb)) outside("greater than the lower bound ", lb);
        return std::log(x - lb);
      case Kind::upper:
        if (!(x < ub)) outside("less than the upper bound ", ub);
        return std::log(ub - x);
      case Kind::interval:
        if (!(x > lb)) outside("greater than the lower bound ", lb);
        if (!(x < ub)) outside("less than the upper bound ", ub);
        return autodiff::logit((x - lb) / (ub - lb));
    }
    return x;
  }

  std::span<const T> in_;
  std::size_t pos_ = 0;
  bool jacobian_;
  ReaderMode mode_;
  T log_jacobian_;
  std::vector<T> zeros_;
  std::vector<ParameterInfo> declared_;
  std::vector<double> written_;
  std::vector<double> unconstrained_out_;
};

// ---- constraints with more structure ----

template <class T>
Vector<T> ParameterReader<T>::ordered(std::string_view name, std::size_t n) {
  using std::exp;
  using std::log;
  declare(name, {n}, n);
  std::span<const T> u = take(name, n);
  Vector<T> x(n);
  if constexpr (std::is_same_v<T, double>) {
    if (mode_ == ReaderMode::unconstrain) {
      for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && !(u[i] > u[i - 1]))
          throw_domain_error("unconstrain", ("ordered parameter \"" + std::string(name) + "\"").c_str(), u[i],
                             "greater than the previous element");
        unconstrained_out_.push_back(i == 0 ? u[0] : log(u[i] - u[i - 1]));
        x[i] = u[i];
      }
      return x;
    }
  }
  if (n == 0) return x;
  x[0] = u[0];
  for (std::size_t i = 1; i < n; ++i) {
    x[i] = x[i - 1] + exp(u[i]);
    add_jacobian(u[i]);
  }
  for (std::size_t i = 0; i < n; ++i) record(x[i]);
  return x;
}

template <class T>
Vector<T> ParameterReader<T>::simplex(std::string_view name, std::size_t k) {
  using std::log;
  if (k == 0) throw size_error("parameters: simplex \"" + std::string(name) + "\" needs at least one element");
  const std::size_t n = k - 1;
  if constexpr (std::is_same_v<T, double>) {
    if (mode_ == ReaderMode::unconstrain) {
      declare(name, {k}, n);
      std::span<const T> x = take(name, k);
      double total = 0.0;
      for (double e : x) total += e;
      if (std::abs(total - 1.0) > 1e-8)
        throw_domain_error("unconstrain", ("simplex \"" + std::string(name) + "\" sum").c_str(), total, "1");
      double rest = 1.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double z = x[i] / rest;
        unconstrained_out_.push_back(autodiff::logit(z) + log(static_cast<double>(k - i - 1)));
        rest -= x[i];
      }
      return Vector<T>(x);
    }
  }
  declare(name, {k}, n);
  std::span<const T> u = take(name, n);
  Vector<T> x(k);
  T rest = 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    // z_i = inv_logit(u_i - log(K - i - 1)) of the remaining stick (0-based i).
    const T shifted = u[i] - log(static_cast<double>(k - i - 1));
    const T z = inv_logit(shifted);
    x[i] = rest * z;
    add_jacobian(log(rest) + log_inv_logit(shifted) + log1m_inv_logit(shifted));
    rest = rest - x[i];
  }
  x[n] = rest;
  for (std::size_t i = 0; i < k; ++i) record(x[i]);
  return x;
}

template <class T>
Matrix<T> ParameterReader<T>::cholesky_corr(std::string_view name, std::size_t k) {
  using std::log;
  using std::sqrt;
  const std::size_t n = k * (k - 1) / 2;
  if constexpr (std::is_same_v<T, double>) {
    if (mode_ == ReaderMode::unconstrain) {
      declare(name, {k, k}, n);
      std::span<const T> l = take(name, k * k);
      // Row i: z_ij = L_ij / sqrt(1 - sum_{m<j} L_im^2), u = atanh(z).
      for (std::size_t i = 1; i < k; ++i) {
        double used = 0.0;
        for (std::size_t j = 0; j < i; ++j) {
          const double lij = l[i * k + j];
          unconstrained_out_.push_back(std::atanh(lij / std::sqrt(1.0 - used)));
          used += lij * lij;
        }
      }
      Matrix<T> m(k, k);
      for (std::size_t q = 0; q < k * k; ++q) m.data()[q] = l[q];
      return m;
    }
  }
  declare(name, {k, k}, n);
  std::span<const T> u = take(name, n);
  Matrix<T> l(k, k, T(0.0));
  if (k == 0) return l;
  l(0, 0) = 1.0;
  std::size_t q = 0;
  for (std::size_t i = 1; i < k; ++i) {
    T remaining = 1.0;  // 1 - sum of squares so far in row i
    for (std::size_t j = 0; j < i; ++j) {
      const T z = tanh(u[q++]);
      // L_ij = z sqrt(remaining); d L_ij / d z = sqrt(remaining), and d z / d u = 1 - z^2.
      const T s = sqrt(remaining);
      l(i, j) = z * s;
      add_jacobian(0.5 * log(remaining) + log1p(-(z * z)));
      remaining = remaining - l(i, j) * l(i, j);
    }
    l(i, i) = sqrt(remaining);
  }
  for (std::size_t r = 0; r < k * k; ++r) record(l.data()[r]);
  return l;
}

}  // namespace tapir::models
