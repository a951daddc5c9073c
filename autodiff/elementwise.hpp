#pragma once
// Elementwise operations over vectors and matrices, one tape node per call. Every scalar
// operation of scalar_ops.hpp gets its elementwise form from the same rule definitions:
//   exp(v), log1p_exp(v), inv_logit(m), -v, ...                 (unary)
//   v + w, v - w, elt_multiply(v, w), elt_divide(v, w), pow(v, w), fmax(v, w), ...   (binary)
//   a * v, v * a, v / a, v + a, a - v, pow(v, a), ...            (a scalar broadcast)
// Data operands (double) never go on the tape: a node keeps a copy of them in the arena.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "autodiff/matrix.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"
#include "autodiff/vector_node.hpp"

namespace tapir::autodiff {

namespace detail {

template <class D>
inline constexpr bool is_zero_v = std::is_same_v<D, zero_t>;

// ---- operand kinds of an elementwise node ----
struct VarVecOperand {
  static constexpr bool is_var = true;
  VarRef ref;
  double value(const double* val, std::size_t i) const { return val[ref[i]]; }
  index_t slot(std::size_t i) const { return ref[i]; }
};
struct VarScalarOperand {
  static constexpr bool is_var = true;
  index_t idx;
  double value(const double* val, std::size_t) const { return val[idx]; }
  index_t slot(std::size_t) const { return idx; }
};
struct DataVecOperand {
  static constexpr bool is_var = false;
  const double* data;
  double value(const double*, std::size_t i) const { return data[i]; }
  index_t slot(std::size_t) const { return 0; }
};
struct DataScalarOperand {
  static constexpr bool is_var = false;
  double v;
  double value(const double*, std::size_t) const { return v; }
  index_t slot(std::size_t) const { return 0; }
};

template <class Op>
class UnaryElementwiseNode final : public Node {
 public:
  UnaryElementwiseNode(VarRef in, index_t out) : in_(in), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const index_t a = in_[i], o = out_ + static_cast<index_t>(i);
      s.adj[a] += s.adj[o] * Op::d1(s.val[a], s.val[o]);
    }
  }
  void tangent(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const index_t a = in_[i], o = out_ + static_cast<index_t>(i);
      s.dot[o] = Op::d1(s.val[a], s.val[o]) * s.dot[a];
    }
  }
  void reverse2(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const index_t a = in_[i], o = out_ + static_cast<index_t>(i);
      const double x = s.val[a], y = s.val[o], g = s.adj[o], g2 = s.adj2[o];
      const double d1 = Op::d1(x, y);
      s.adj[a] += g * d1;
      if constexpr (is_zero_v<decltype(Op::d2(x, y))>)
        s.adj2[a] += g2 * d1;
      else
        s.adj2[a] += g2 * d1 + g * Op::d2(x, y) * s.dot[a];
    }
  }

 private:
  VarRef in_;
  index_t out_;
};

template <class Op, class A, class B>
class BinaryElementwiseNode final : public Node {
 public:
  BinaryElementwiseNode(A a, B b, index_t out, std::size_t n) : a_(a), b_(b), out_(out), n_(n) {}
  void reverse(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < n_; ++i) {
      const index_t o = out_ + static_cast<index_t>(i);
      const double g = s.adj[o], a = a_.value(s.val, i), b = b_.value(s.val, i), y = s.val[o];
      if constexpr (A::is_var) s.adj[a_.slot(i)] += g * Op::da(a, b, y);
      if constexpr (B::is_var) s.adj[b_.slot(i)] += g * Op::db(a, b, y);
    }
  }
  void tangent(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < n_; ++i) {
      const index_t o = out_ + static_cast<index_t>(i);
      const double a = a_.value(s.val, i), b = b_.value(s.val, i), y = s.val[o];
      double d = 0.0;
      if constexpr (A::is_var) d += Op::da(a, b, y) * s.dot[a_.slot(i)];
      if constexpr (B::is_var) d += Op::db(a, b, y) * s.dot[b_.slot(i)];
      s.dot[o] = d;
    }
  }
  void reverse2(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < n_; ++i) {
      const index_t o = out_ + static_cast<index_t>(i);
      const double g = s.adj[o], g2 = s.adj2[o];
      const double a = a_.value(s.val, i), b = b_.value(s.val, i), y = s.val[o];
      const double ta = A::is_var ? s.dot[a_.slot(i)] : 0.0;
      const double tb = B::is_var ? s.dot[b_.slot(i)] : 0.0;
      if constexpr (A::is_var) {
        const double da = Op::da(a, b, y);
        double h = 0.0;
        if constexpr (!is_zero_v<decltype(Op::daa(a, b, y))>) h += Op::daa(a, b, y) * ta;
        if constexpr (B::is_var && !is_zero_v<decltype(Op::dab(a, b, y))>) h += Op::dab(a, b, y) * tb;
        s.adj[a_.slot(i)] += g * da;
        s.adj2[a_.slot(i)] += g2 * da + g * h;
      }
      if constexpr (B::is_var) {
        const double db = Op::db(a, b, y);
        double h = 0.0;
        if constexpr (!is_zero_v<decltype(Op::dbb(a, b, y))>) h += Op::dbb(a, b, y) * tb;
        if constexpr (A::is_var && !is_zero_v<decltype(Op::dab(a, b, y))>) h += Op::dab(a, b, y) * ta;
        s.adj[b_.slot(i)] += g * db;
        s.adj2[b_.slot(i)] += g2 * db + g * h;
      }
    }
  }

 private:
  A a_;
  B b_;
  index_t out_;
  std::size_t n_;
};

// y[i] = Op(x[i]) over n contiguous scalars.
template <class Op, class T>
void unary_flat(const T* x, std::size_t n, T* y) {
  if constexpr (is_var_v<T>) {
    Tape& t = tape();
    VarRef ref(t, x, n);
    const index_t first = t.new_slots(n);
    double* val = t.values();
    for (std::size_t i = 0; i < n; ++i) {
      const double v = Op::value(x[i].value());
      val[first + i] = v;
      y[i] = Var(v, first + static_cast<index_t>(i));
    }
    t.make_node<UnaryElementwiseNode<Op>>(ref, first);
  } else {
    for (std::size_t i = 0; i < n; ++i) y[i] = Op::value(x[i]);
  }
}

template <class T, bool broadcast>
auto make_operand(Tape& t, const T* x, std::size_t n) {
  if constexpr (is_var_v<T>) {
    if constexpr (broadcast)
      return VarScalarOperand{x->index()};
    else
      return VarVecOperand{VarRef(t, x, n)};
  } else {
    if constexpr (broadcast)
      return DataScalarOperand{static_cast<double>(*x)};
    else {
      double* d = t.arena().allocate_array<double>(n);
      for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<double>(x[i]);
      return DataVecOperand{d};
    }
  }
}

inline double as_double(double x) { return x; }
inline double as_double(const Var& x) { return x.value(); }

// y[i] = Op(a[i or 0], b[i or 0]) for i < n.
template <class Op, bool a_broadcast, bool b_broadcast, class TA, class TB, class R>
void binary_flat(const TA* a, const TB* b, std::size_t n, R* y) {
  if constexpr (is_var_v<R>) {
    Tape& t = tape();
    auto oa = make_operand<TA, a_broadcast>(t, a, n);
    auto ob = make_operand<TB, b_broadcast>(t, b, n);
    const index_t first = t.new_slots(n);
    double* val = t.values();
    for (std::size_t i = 0; i < n; ++i) {
      const double v = Op::value(as_double(a[a_broadcast ? 0 : i]), as_double(b[b_broadcast ? 0 : i]));
      val[first + i] = v;
      y[i] = Var(v, first + static_cast<index_t>(i));
    }
    t.make_node<BinaryElementwiseNode<Op, decltype(oa), decltype(ob)>>(oa, ob, first, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) y[i] = Op::value(R(a[a_broadcast ? 0 : i]), R(b[b_broadcast ? 0 : i]));
  }
}

inline void check_same_shape(std::size_t ra, std::size_t ca, std::size_t rb, std::size_t cb, const char* fn) {
  if (ra != rb || ca != cb)
    throw std::invalid_argument(std::string(fn) + ": operands are " + std::to_string(ra) + "x" + std::to_string(ca) +
                                " and " + std::to_string(rb) + "x" + std::to_string(cb));
}


// out(i, j) = m(i, j) + b(j): a bias added to every row, as one node. Either operand may be data.
template <bool m_var, bool b_var>
class AddRowwiseNode final : public Node {
 public:
  AddRowwiseNode(VarRef m, VarRef b, index_t out, std::size_t rows, std::size_t cols)
      : m_(m), b_(b), out_(out), rows_(rows), cols_(cols) {}
  void reverse(const SweepArrays& s) const override { accumulate(s.adj, s.adj); }
  void tangent(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < rows_; ++i)
      for (std::size_t j = 0; j < cols_; ++j) {
        const std::size_t k = i * cols_ + j;
        s.dot[out_ + k] = (m_var ? s.dot[m_[k]] : 0.0) + (b_var ? s.dot[b_[j]] : 0.0);
      }
  }
  void reverse2(const SweepArrays& s) const override {
    accumulate(s.adj, s.adj);
    accumulate(s.adj2, s.adj2);
  }

 private:
  // Linear: the same rule moves first- and second-order adjoints.
  void accumulate(const double* from, double* to) const {
    for (std::size_t i = 0; i < rows_; ++i)
      for (std::size_t j = 0; j < cols_; ++j) {
        const std::size_t k = i * cols_ + j;
        const double g = from[out_ + k];
        if constexpr (m_var) to[m_[k]] += g;
        if constexpr (b_var) to[b_[j]] += g;
      }
  }
  VarRef m_, b_;
  index_t out_;
  std::size_t rows_, cols_;
};

}  // namespace detail

#define TAPIR_ELEMENTWISE_U(Op, fn)                                   \
  template <class T>                                                  \
  Vector<T> fn(const Vector<T>& x) {                                  \
    Vector<T> y(x.size());                                            \
    detail::unary_flat<ops::Op>(x.data(), x.size(), y.data());        \
    return y;                                                         \
  }                                                                   \
  template <class T>                                                  \
  Matrix<T> fn(const Matrix<T>& x) {                                  \
    Matrix<T> y(x.rows(), x.cols());                                  \
    detail::unary_flat<ops::Op>(x.data(), x.size(), y.data());        \
    return y;                                                         \
  }
TAPIR_UNARY_OPS(TAPIR_ELEMENTWISE_U)
#undef TAPIR_ELEMENTWISE_U

#define TAPIR_ELEMENTWISE_B(Op, fn)                                                          \
  template <Scalar A, Scalar B>                                                              \
  Vector<promote_t<A, B>> fn(const Vector<A>& a, const Vector<B>& b) {                       \
    detail::check_same_shape(a.size(), 1, b.size(), 1, #fn);                                 \
    Vector<promote_t<A, B>> y(a.size());                                                     \
    detail::binary_flat<ops::Op, false, false>(a.data(), b.data(), a.size(), y.data());      \
    return y;                                                                                \
  }                                                                                          \
  template <Scalar A, Scalar B>                                                              \
  Vector<promote_t<A, B>> fn(const Vector<A>& a, const B& b) {                               \
    Vector<promote_t<A, B>> y(a.size());                                                     \
    detail::binary_flat<ops::Op, false, true>(a.data(), &b, a.size(), y.data());             \
    return y;                                                                                \
  }                                                                                          \
  template <Scalar A, Scalar B>                                                              \
  Vector<promote_t<A, B>> fn(const A& a, const Vector<B>& b) {                               \
    Vector<promote_t<A, B>> y(b.size());                                                     \
    detail::binary_flat<ops::Op, true, false>(&a, b.data(), b.size(), y.data());             \
    return y;                                                                                \
  }                                                                                          \
  template <Scalar A, Scalar B>                                                              \
  Matrix<promote_t<A, B>> fn(const Matrix<A>& a, const Matrix<B>& b) {                       \
    detail::check_same_shape(a.rows(), a.cols(), b.rows(), b.cols(), #fn);                   \
    Matrix<promote_t<A, B>> y(a.rows(), a.cols());                                           \
    detail::binary_flat<ops::Op, false, false>(a.data(), b.data(), a.size(), y.data());      \
    return y;                                                                                \
  }                                                                                          \
  template <Scalar A, Scalar B>                                                              \
  Matrix<promote_t<A, B>> fn(const Matrix<A>& a, const B& b) {                               \
    Matrix<promote_t<A, B>> y(a.rows(), a.cols());                                           \
    detail::binary_flat<ops::Op, false, true>(a.data(), &b, a.size(), y.data());             \
    return y;                                                                                \
  }                                                                                          \
  template <Scalar A, Scalar B>                                                              \
  Matrix<promote_t<A, B>> fn(const A& a, const Matrix<B>& b) {                               \
    Matrix<promote_t<A, B>> y(b.rows(), b.cols());                                           \
    detail::binary_flat<ops::Op, true, false>(&a, b.data(), b.size(), y.data());             \
    return y;                                                                                \
  }

// Elementwise names: + and - for sums, elt_multiply / elt_divide for products and quotients
// (operator* and operator/ are kept for scaling by a scalar and for matrix products).
TAPIR_ELEMENTWISE_B(Add, operator+)
TAPIR_ELEMENTWISE_B(Sub, operator-)
TAPIR_ELEMENTWISE_B(Mul, elt_multiply)
TAPIR_ELEMENTWISE_B(Div, elt_divide)
TAPIR_ELEMENTWISE_B(Pow, pow)
TAPIR_ELEMENTWISE_B(Atan2, atan2)
TAPIR_ELEMENTWISE_B(Hypot, hypot)
TAPIR_ELEMENTWISE_B(Fmin, fmin)
TAPIR_ELEMENTWISE_B(Fmax, fmax)
TAPIR_ELEMENTWISE_B(LogSumExp, log_sum_exp)
TAPIR_ELEMENTWISE_B(LogDiffExp, log_diff_exp)
TAPIR_ELEMENTWISE_B(Lbeta, lbeta)
TAPIR_ELEMENTWISE_B(Lchoose, lchoose)
TAPIR_ELEMENTWISE_B(NormalResidual, normal_residual_lpdf)
#undef TAPIR_ELEMENTWISE_B

// m + 1 b^T: adds the vector b to every row of m (a layer's bias), one node.
template <Scalar A, Scalar B>
Matrix<promote_t<A, B>> add_rowwise(const Matrix<A>& m, const Vector<B>& b) {
  if (b.size() != m.cols())
    throw std::invalid_argument("add_rowwise: matrix has " + std::to_string(m.cols()) +
                                " columns, vector has size " + std::to_string(b.size()));
  using R = promote_t<A, B>;
  Matrix<R> out(m.rows(), m.cols());
  const std::size_t rows = m.rows(), cols = m.cols();
  if constexpr (is_var_v<R>) {
    Tape& t = tape();
    VarRef mr, br;
    if constexpr (is_var_v<A>) mr = VarRef(t, m.data(), m.size());
    if constexpr (is_var_v<B>) br = VarRef(t, b.data(), b.size());
    const index_t first = t.new_slots(m.size());
    double* val = t.values();
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        const std::size_t k = i * cols + j;
        const double v = detail::as_double(m(i, j)) + detail::as_double(b[j]);
        val[first + k] = v;
        out.data()[k] = Var(v, first + static_cast<index_t>(k));
      }
    t.make_node<detail::AddRowwiseNode<is_var_v<A>, is_var_v<B>>>(mr, br, first, rows, cols);
  } else {
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) out(i, j) = m(i, j) + b[j];
  }
  return out;
}

// Scaling by a scalar.
template <Scalar A, Scalar B>
Vector<promote_t<A, B>> operator*(const A& a, const Vector<B>& v) {
  return elt_multiply(a, v);
}
template <Scalar A, Scalar B>
Vector<promote_t<A, B>> operator*(const Vector<A>& v, const B& b) {
  return elt_multiply(v, b);
}
template <Scalar A, Scalar B>
Vector<promote_t<A, B>> operator/(const Vector<A>& v, const B& b) {
  return elt_divide(v, b);
}
template <Scalar A, Scalar B>
Matrix<promote_t<A, B>> operator*(const A& a, const Matrix<B>& m) {
  return elt_multiply(a, m);
}
template <Scalar A, Scalar B>
Matrix<promote_t<A, B>> operator*(const Matrix<A>& m, const B& b) {
  return elt_multiply(m, b);
}
template <Scalar A, Scalar B>
Matrix<promote_t<A, B>> operator/(const Matrix<A>& m, const B& b) {
  return elt_divide(m, b);
}

}  // namespace tapir::autodiff
