#pragma once
// The functional API: derivatives of a function written once as a template over the scalar,
//   auto f = [](const auto& x) { return x[0] * exp(x[1]); };   // x: Vector<T>
// All results are exact (no finite differences). Each call records into a nested scope of this
// thread's tape and rewinds it on return, so the calls nest and never grow memory.
//
// A function may capture Vars recorded outside the call; they are treated as constants.
#include <algorithm>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/array_kernels.hpp"
#include "autodiff/dual.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"

namespace tapir::autodiff {

struct ValueAndGradient {
  double value;
  std::vector<double> gradient;
};

struct HessianVectorProduct {
  double value;
  std::vector<double> gradient;
  std::vector<double> hvp;
};

struct ValueAndDerivative {
  double value;
  double derivative;
};

struct ValueAndJacobian {
  std::vector<double> value;
  Matrix<double> jacobian;  // rows: outputs, columns: inputs
};

struct ValueGradientHessian {
  double value;
  std::vector<double> gradient;
  Matrix<double> hessian;
};

namespace detail {
inline void check_size(std::size_t got, std::size_t want, const char* what, const char* fn) {
  if (got != want)
    throw std::invalid_argument(std::string(fn) + ": " + what + " has size " +
                                std::to_string(got) + ", expected " + std::to_string(want));
}
// Input vectors reused across calls, one per nesting depth, so that a call allocates nothing once
// warm (a fresh 16384-element vector costs about as much as recording the sum of its entries).
class InputVectors {
 public:
  Vector<Var>& acquire(std::size_t n) {
    if (depth_ == pool_.size()) pool_.push_back(std::make_unique<Vector<Var>>());
    Vector<Var>& v = *pool_[depth_++];
    v.resize(n);
    return v;
  }
  void release() { --depth_; }

 private:
  std::vector<std::unique_ptr<Vector<Var>>> pool_;
  std::size_t depth_ = 0;
};
inline thread_local InputVectors input_vectors;

// Independent variables for x on consecutive slots, in a pooled vector released at scope end.
class Inputs {
 public:
  Inputs(Tape& t, std::span<const double> x) : vars(input_vectors.acquire(x.size())) {
    first = t.new_slots(x.size());
    array_copy(x.data(), x.size(), t.values() + first);
    Var::write_independents(vars.data(), x.data(), x.size(), first);
  }
  Inputs(const Inputs&) = delete;
  Inputs& operator=(const Inputs&) = delete;
  ~Inputs() { input_vectors.release(); }
  Vector<Var>& vars;
  index_t first;
};

// Not inlined on purpose: the result then comes back in registers, and GCC keeps a function's
// running accumulator (`s += ...; return s;`) in registers instead of in the caller's frame,
// where each update would go through a store and a reload.
template <class F>
[[gnu::noinline]] Var call_scalar(const F& f, const Vector<Var>& xv) {
  return Var(f(xv));
}
}  // namespace detail

// Value and gradient into caller storage: no allocation once the tape has grown.
template <class F>
double value_and_gradient(const F& f, std::span<const double> x, std::span<double> gradient) {
  detail::check_size(gradient.size(), x.size(), "gradient", "value_and_gradient");
  NestedScope scope;
  Tape& t = scope.tape();
  detail::Inputs in(t, x);
  const index_t first = in.first;
  Var y = detail::call_scalar(f, in.vars);
  t.reverse_sweep(scope.mark(), y.index());
  const double* adj = t.adjoints();
  array_copy(adj + first, x.size(), gradient.data());
  return y.value();
}

template <class F>
ValueAndGradient value_and_gradient(const F& f, std::span<const double> x) {
  ValueAndGradient r{0.0, std::vector<double>(x.size())};
  r.value = value_and_gradient(f, x, std::span<double>(r.gradient));
  return r;
}

template <class F>
std::vector<double> gradient(const F& f, std::span<const double> x) {
  return value_and_gradient(f, x).gradient;
}

// Exact Hessian-vector product H(x) v, with the value and gradient, into caller storage:
// one recording, one tangent sweep, one second-order adjoint sweep.
template <class F>
double hvp(const F& f, std::span<const double> x, std::span<const double> v,
           std::span<double> gradient, std::span<double> hv) {
  detail::check_size(v.size(), x.size(), "direction v", "hvp");
  detail::check_size(gradient.size(), x.size(), "gradient", "hvp");
  detail::check_size(hv.size(), x.size(), "hvp output", "hvp");
  NestedScope scope;
  Tape& t = scope.tape();
  detail::Inputs in(t, x);
  const index_t first = in.first;
  Var y = detail::call_scalar(f, in.vars);
  t.begin_tangents(scope.mark());
  for (std::size_t i = 0; i < x.size(); ++i) t.tangent(first + static_cast<index_t>(i)) = v[i];
  t.tangent_sweep(scope.mark());
  t.reverse2_sweep(scope.mark(), y.index());
  for (std::size_t i = 0; i < x.size(); ++i) {
    gradient[i] = t.adjoint(first + static_cast<index_t>(i));
    hv[i] = t.adjoint2(first + static_cast<index_t>(i));
  }
  return y.value();
}

template <class F>
HessianVectorProduct hvp(const F& f, std::span<const double> x, std::span<const double> v) {
  HessianVectorProduct r{0.0, std::vector<double>(x.size()), std::vector<double>(x.size())};
  r.value = hvp(f, x, v, std::span<double>(r.gradient), std::span<double>(r.hvp));
  return r;
}

// The full Hessian from one recording and n tangent/second-order sweeps.
template <class F>
ValueGradientHessian hessian(const F& f, std::span<const double> x) {
  const std::size_t n = x.size();
  NestedScope scope;
  Tape& t = scope.tape();
  detail::Inputs in(t, x);
  const index_t first = in.first;
  Var y = detail::call_scalar(f, in.vars);
  ValueGradientHessian r{y.value(), std::vector<double>(n), Matrix<double>(n, n)};
  for (std::size_t j = 0; j < n; ++j) {
    t.begin_tangents(scope.mark());
    t.tangent(first + static_cast<index_t>(j)) = 1.0;
    t.tangent_sweep(scope.mark());
    t.reverse2_sweep(scope.mark(), y.index());
    for (std::size_t i = 0; i < n; ++i) r.hessian(i, j) = t.adjoint2(first + static_cast<index_t>(i));
  }
  if (n == 0) t.reverse_sweep(scope.mark(), y.index());
  for (std::size_t i = 0; i < n; ++i) r.gradient[i] = t.adjoint(first + static_cast<index_t>(i));
  return r;
}

// Jacobian of a vector function f: R^n -> R^m (f returns a Vector<T>). One recording; the
// cheaper direction is swept: m reverse sweeps when m <= n, else n tangent sweeps.
template <class F>
ValueAndJacobian jacobian(const F& f, std::span<const double> x) {
  const std::size_t n = x.size();
  NestedScope scope;
  Tape& t = scope.tape();
  detail::Inputs in(t, x);
  const index_t first = in.first;
  auto ys = f(static_cast<const Vector<Var>&>(in.vars));
  const std::size_t m = ys.size();
  std::vector<Var> y(m);
  for (std::size_t i = 0; i < m; ++i) y[i] = Var(ys[i]);
  ValueAndJacobian r{std::vector<double>(m), Matrix<double>(m, n)};
  for (std::size_t i = 0; i < m; ++i) r.value[i] = y[i].value();
  if (m <= n) {
    for (std::size_t i = 0; i < m; ++i) {
      t.reverse_sweep(scope.mark(), y[i].index());
      for (std::size_t j = 0; j < n; ++j) r.jacobian(i, j) = t.adjoint(first + static_cast<index_t>(j));
    }
  } else {
    for (std::size_t j = 0; j < n; ++j) {
      t.begin_tangents(scope.mark());
      t.tangent(first + static_cast<index_t>(j)) = 1.0;
      t.tangent_sweep(scope.mark());
      for (std::size_t i = 0; i < m; ++i) r.jacobian(i, j) = t.tangent(y[i].index());
    }
  }
  return r;
}

// f(x) and its derivative along v, by forward mode (Dual<double>): no tape at all.
template <class F>
ValueAndDerivative directional_derivative(const F& f, std::span<const double> x,
                                          std::span<const double> v) {
  detail::check_size(v.size(), x.size(), "direction v", "directional_derivative");
  Vector<Dual<double>> xd(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) xd[i] = Dual<double>(x[i], v[i]);
  Dual<double> y = f(static_cast<const Vector<Dual<double>>&>(xd));
  return {y.val, y.tan};
}

}  // namespace tapir::autodiff
