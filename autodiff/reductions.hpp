#pragma once
// Reductions and whole-vector functions as single tape nodes: sum, dot, squared_norm,
// log_sum_exp, softmax, cumulative_sum. Each node's value, reverse, tangent and second-order
// rules sit together in its class.
#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/elementwise.hpp"
#include "autodiff/array_kernels.hpp"

namespace tapir::autodiff {

namespace detail {

class SumNode final : public Node {
 public:
  SumNode(VarRef in, index_t out) : in_(in), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    const double g = s.adj[out_];
    for (std::size_t i = 0; i < in_.size(); ++i) s.adj[in_[i]] += g;
  }
  void tangent(const SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t i = 0; i < in_.size(); ++i) d += s.dot[in_[i]];
    s.dot[out_] = d;
  }
  void reverse2(const SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_];
    for (std::size_t i = 0; i < in_.size(); ++i) {
      s.adj[in_[i]] += g;
      s.adj2[in_[i]] += g2;
    }
  }

 private:
  VarRef in_;
  index_t out_;
};

template <class T>
T sum_flat(const T* x, std::size_t n) {
  if constexpr (is_var_v<T>) {
    Tape& t = tape();
    double v = 0.0;
    for (std::size_t i = 0; i < n; ++i) v += x[i].value();
    VarRef ref(t, x, n);
    const index_t out = t.new_slot(v);
    t.make_node<SumNode>(ref, out);
    return Var(v, out);
  } else {
    T s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
}

// out = sum_i a_i b_i, a and b each a variable or a data vector.
template <class A, class B>
class DotNode final : public Node {
 public:
  DotNode(A a, B b, index_t out, std::size_t n) : a_(a), b_(b), out_(out), n_(n) {}
  void reverse(const SweepArrays& s) const override {
    const double g = s.adj[out_];
    for (std::size_t i = 0; i < n_; ++i) {
      if constexpr (A::is_var) s.adj[a_.slot(i)] += g * b_.value(s.val, i);
      if constexpr (B::is_var) s.adj[b_.slot(i)] += g * a_.value(s.val, i);
    }
  }
  void tangent(const SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t i = 0; i < n_; ++i) {
      if constexpr (A::is_var) d += s.dot[a_.slot(i)] * b_.value(s.val, i);
      if constexpr (B::is_var) d += a_.value(s.val, i) * s.dot[b_.slot(i)];
    }
    s.dot[out_] = d;
  }
  void reverse2(const SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_];
    for (std::size_t i = 0; i < n_; ++i) {
      const double a = a_.value(s.val, i), b = b_.value(s.val, i);
      if constexpr (A::is_var) {
        s.adj[a_.slot(i)] += g * b;
        s.adj2[a_.slot(i)] += g2 * b + (B::is_var ? g * s.dot[b_.slot(i)] : 0.0);
      }
      if constexpr (B::is_var) {
        s.adj[b_.slot(i)] += g * a;
        s.adj2[b_.slot(i)] += g2 * a + (A::is_var ? g * s.dot[a_.slot(i)] : 0.0);
      }
    }
  }

 private:
  A a_;
  B b_;
  index_t out_;
  std::size_t n_;
};

template <class TA, class TB>
promote_t<TA, TB> dot_flat(const TA* a, const TB* b, std::size_t n) {
  using R = promote_t<TA, TB>;
  if constexpr (is_var_v<R>) {
    Tape& t = tape();
    double v = 0.0;
    for (std::size_t i = 0; i < n; ++i) v += as_double(a[i]) * as_double(b[i]);
    auto oa = make_operand<TA, false>(t, a, n);
    auto ob = make_operand<TB, false>(t, b, n);
    const index_t out = t.new_slot(v);
    t.make_node<DotNode<decltype(oa), decltype(ob)>>(oa, ob, out, n);
    return Var(v, out);
  } else {
    R s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  }
}

class SquaredNormNode final : public Node {
 public:
  SquaredNormNode(VarRef in, index_t out) : in_(in), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    const double g2x = 2.0 * s.adj[out_];
    for (std::size_t i = 0; i < in_.size(); ++i) s.adj[in_[i]] += g2x * s.val[in_[i]];
  }
  void tangent(const SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t i = 0; i < in_.size(); ++i) d += s.val[in_[i]] * s.dot[in_[i]];
    s.dot[out_] = 2.0 * d;
  }
  void reverse2(const SweepArrays& s) const override {
    const double g = 2.0 * s.adj[out_], g2 = 2.0 * s.adj2[out_];
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const index_t k = in_[i];
      s.adj[k] += g * s.val[k];
      s.adj2[k] += g2 * s.val[k] + g * s.dot[k];
    }
  }

 private:
  VarRef in_;
  index_t out_;
};

// out = log sum exp(x); p_i = exp(x_i - out) kept from the forward pass.
class LogSumExpNode final : public Node {
 public:
  LogSumExpNode(VarRef in, const double* p, index_t out) : in_(in), p_(p), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    const double g = s.adj[out_];
    for (std::size_t i = 0; i < in_.size(); ++i) s.adj[in_[i]] += g * p_[i];
  }
  void tangent(const SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t i = 0; i < in_.size(); ++i) d += p_[i] * s.dot[in_[i]];
    s.dot[out_] = d;
  }
  // Hessian diag(p) - p p^T: adj2_i += g2 p_i + g p_i (xdot_i - p . xdot).
  void reverse2(const SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_], pd = s.dot[out_];
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const index_t k = in_[i];
      s.adj[k] += g * p_[i];
      s.adj2[k] += g2 * p_[i] + g * p_[i] * (s.dot[k] - pd);
    }
  }

 private:
  VarRef in_;
  const double* p_;
  index_t out_;
};

// y = softmax(x): J = diag(y) - y y^T.
class SoftmaxNode final : public Node {
 public:
  SoftmaxNode(VarRef in, index_t out) : in_(in), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    const std::size_t n = in_.size();
    double ay = 0.0;
    for (std::size_t j = 0; j < n; ++j) ay += s.adj[out_ + j] * s.val[out_ + j];
    for (std::size_t i = 0; i < n; ++i) s.adj[in_[i]] += s.val[out_ + i] * (s.adj[out_ + i] - ay);
  }
  void tangent(const SweepArrays& s) const override {
    const std::size_t n = in_.size();
    double yx = 0.0;
    for (std::size_t j = 0; j < n; ++j) yx += s.val[out_ + j] * s.dot[in_[j]];
    for (std::size_t i = 0; i < n; ++i) s.dot[out_ + i] = s.val[out_ + i] * (s.dot[in_[i]] - yx);
  }
  // With a the output adjoints and s = a . y: xbar_i = y_i (a_i - s). Its derivative along the
  // tangent (ydot from the tangent sweep, a moving with adj2) is ydot_i (a_i - s) + y_i (a2_i - sdot),
  // sdot = a2 . y + a . ydot.
  void reverse2(const SweepArrays& s) const override {
    const std::size_t n = in_.size();
    double ay = 0.0, sdot = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      const index_t o = out_ + static_cast<index_t>(j);
      ay += s.adj[o] * s.val[o];
      sdot += s.adj2[o] * s.val[o] + s.adj[o] * s.dot[o];
    }
    for (std::size_t i = 0; i < n; ++i) {
      const index_t o = out_ + static_cast<index_t>(i), k = in_[i];
      s.adj[k] += s.val[o] * (s.adj[o] - ay);
      s.adj2[k] += s.dot[o] * (s.adj[o] - ay) + s.val[o] * (s.adj2[o] - sdot);
    }
  }

 private:
  VarRef in_;
  index_t out_;
};

class CumulativeSumNode final : public Node {
 public:
  CumulativeSumNode(VarRef in, index_t out) : in_(in), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    double r = 0.0;
    for (std::size_t i = in_.size(); i-- > 0;) {
      r += s.adj[out_ + i];
      s.adj[in_[i]] += r;
    }
  }
  void tangent(const SweepArrays& s) const override {
    double r = 0.0;
    for (std::size_t i = 0; i < in_.size(); ++i) {
      r += s.dot[in_[i]];
      s.dot[out_ + i] = r;
    }
  }
  void reverse2(const SweepArrays& s) const override {
    double r = 0.0, r2 = 0.0;
    for (std::size_t i = in_.size(); i-- > 0;) {
      r += s.adj[out_ + i];
      r2 += s.adj2[out_ + i];
      s.adj[in_[i]] += r;
      s.adj2[in_[i]] += r2;
    }
  }

 private:
  VarRef in_;
  index_t out_;
};

// log sum exp(x) and the weights p_i = exp(x_i - lse) (its gradient); p may alias x.
// Empty or all -inf: -inf with zero weights; a +inf entry: +inf with the weight on the inf
// entries; a NaN entry: NaN.
inline double log_sum_exp_weights(const double* x, std::size_t n, double* p) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  bool nan = false;
  const double m = array_max(x, n, nan);
  if (nan) {
    for (std::size_t i = 0; i < n; ++i) p[i] = std::numeric_limits<double>::quiet_NaN();
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (m == -inf || m == inf) {
    double count = 0.0;
    for (std::size_t i = 0; i < n; ++i) count += x[i] == inf;
    for (std::size_t i = 0; i < n; ++i) p[i] = (m == inf && x[i] == inf) ? 1.0 / count : 0.0;
    return m;
  }
  vector_exp(x, m, p, n);
  const double total = array_sum(p, n);
  const double inv_total = 1.0 / total;
  for (std::size_t i = 0; i < n; ++i) p[i] *= inv_total;
  return m + std::log(total);
}

}  // namespace detail

template <class T>
T sum(const Vector<T>& x) {
  return detail::sum_flat(x.data(), x.size());
}
template <class T>
T sum(const Matrix<T>& x) {
  return detail::sum_flat(x.data(), x.size());
}

template <Scalar A, Scalar B>
promote_t<A, B> dot(const Vector<A>& a, const Vector<B>& b) {
  detail::check_same_shape(a.size(), 1, b.size(), 1, "dot");
  return detail::dot_flat(a.data(), b.data(), a.size());
}

template <class T>
T squared_norm(const Vector<T>& x) {
  if constexpr (is_var_v<T>) {
    Tape& t = tape();
    double v = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) v += x[i].value() * x[i].value();
    VarRef ref(t, x.data(), x.size());
    const index_t out = t.new_slot(v);
    t.make_node<detail::SquaredNormNode>(ref, out);
    return Var(v, out);
  } else {
    T s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * x[i];
    return s;
  }
}

// log(sum(exp(x))), stable (shifted by the maximum); -inf for an empty vector.
template <class T>
T log_sum_exp(const Vector<T>& x) {
  const std::size_t n = x.size();
  if constexpr (is_var_v<T>) {
    Tape& t = tape();
    double* p = t.arena().allocate_array<double>(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = x[i].value();
    const double v = detail::log_sum_exp_weights(p, n, p);
    VarRef ref(t, x.data(), n);
    const index_t out = t.new_slot(v);
    t.make_node<detail::LogSumExpNode>(ref, p, out);
    return Var(v, out);
  } else if constexpr (std::is_same_v<T, double>) {
    if (n == 0) return -INFINITY;
    bool nan = false;
    const double m = array_max(x.data(), n, nan);
    if (nan) return std::numeric_limits<double>::quiet_NaN();
    if (!std::isfinite(m)) return m;
    double total = 0.0, block[256];
    for (std::size_t i = 0; i < n; i += 256) {
      const std::size_t len = std::min<std::size_t>(256, n - i);
      vector_exp(x.data() + i, m, block, len);
      total += array_sum(block, len);
    }
    return m + std::log(total);
  } else {
    if (n == 0) return T(-INFINITY);
    T m = x[0];
    for (std::size_t i = 1; i < n; ++i)
      if (x[i] > m) m = x[i];
    if (!isfinite(m)) return m;
    T total = 0.0;
    for (std::size_t i = 0; i < n; ++i) total += exp(x[i] - m);
    return m + log(total);
  }
}

template <class T>
Vector<T> softmax(const Vector<T>& x) {
  const std::size_t n = x.size();
  Vector<T> y(n);
  if constexpr (is_var_v<T>) {
    Tape& t = tape();
    double m = -INFINITY;
    for (std::size_t i = 0; i < n; ++i) m = std::max(m, x[i].value());
    VarRef ref(t, x.data(), n);
    const index_t first = t.new_slots(n);
    double* val = t.values();
    for (std::size_t i = 0; i < n; ++i) val[first + i] = x[i].value();
    vector_exp(val + first, m, val + first, n);
    const double total = array_sum(val + first, n);
    const double inv_total = 1.0 / total;
    for (std::size_t i = 0; i < n; ++i) {
      val[first + i] *= inv_total;
      y[i] = Var(val[first + i], first + static_cast<index_t>(i));
    }
    t.make_node<detail::SoftmaxNode>(ref, first);
  } else {
    T lse = log_sum_exp(x);
    for (std::size_t i = 0; i < n; ++i) y[i] = exp(x[i] - lse);
  }
  return y;
}

template <class T>
Vector<T> cumulative_sum(const Vector<T>& x) {
  const std::size_t n = x.size();
  Vector<T> y(n);
  if constexpr (is_var_v<T>) {
    Tape& t = tape();
    VarRef ref(t, x.data(), n);
    const index_t first = t.new_slots(n);
    double* val = t.values();
    double r = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      r += x[i].value();
      val[first + i] = r;
      y[i] = Var(r, first + static_cast<index_t>(i));
    }
    t.make_node<detail::CumulativeSumNode>(ref, first);
  } else {
    T r = 0.0;
    for (std::size_t i = 0; i < n; ++i) y[i] = (r += x[i]);
  }
  return y;
}

}  // namespace tapir::autodiff
