#pragma once
// Building blocks of operations on many variables recorded as one tape node (Stan Math's lesson:
// one node per vector operation, not one per element).
//
// - VarRef: how a node names its input variables. Inputs that sit on consecutive slots (the
//   outputs of another vector operation, or a gradient's inputs) are stored as a first slot only;
//   others are gathered once into an index array in the arena.
// - Outputs: a vector operation's outputs take consecutive slots; `make_outputs` reserves them and
//   builds the Vector<Var> the caller gets.
// - VectorOpNode: an operation given by two templates, its value and its vector-Jacobian product.
//   The tangent and second-order rules then come from evaluating those templates on Dual<double>
//   (forward mode over the operation's own reverse rule: d/de [J(x + e xdot)^T (a + e a2)] =
//   J^T a2 + (dJ xdot)^T a), so a new operation needs no hand-written HVP rule.
#include <cstddef>
#include <span>
#include <vector>

#include "autodiff/dual.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/tape.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"

namespace tapir::autodiff {

class VarRef {
 public:
  VarRef() = default;
  // Refers to x[0], x[stride], ..., x[(n-1) stride].
  VarRef(Tape& t, const Var* x, std::size_t n, std::size_t stride = 1) : n_(n) {
    bool contiguous = true;
    const index_t first = n ? x[0].index() : 0;
    for (std::size_t i = 0; i < n; ++i)
      if (x[i * stride].index() != first + static_cast<index_t>(i)) {
        contiguous = false;
        break;
      }
    if (contiguous) {
      first_ = first;
    } else {
      index_t* idx = t.arena().allocate_array<index_t>(n);
      for (std::size_t i = 0; i < n; ++i) idx[i] = x[i * stride].index();
      idx_ = idx;
    }
  }
  static VarRef consecutive(index_t first, std::size_t n) {
    VarRef r;
    r.first_ = first;
    r.n_ = n;
    return r;
  }
  index_t operator[](std::size_t i) const { return idx_ ? idx_[i] : first_ + static_cast<index_t>(i); }
  std::size_t size() const { return n_; }
  bool contiguous() const { return idx_ == nullptr; }
  index_t first() const { return first_; }

 private:
  const index_t* idx_ = nullptr;
  index_t first_ = 0;
  std::size_t n_ = 0;
};

// Values of n variables copied into the arena (for rules that read them many times).
inline double* arena_values(Tape& t, const Var* x, std::size_t n) {
  double* v = t.arena().allocate_array<double>(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = x[i].value();
  return v;
}
inline double* arena_copy(Tape& t, const double* x, std::size_t n) {
  double* v = t.arena().allocate_array<double>(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = x[i];
  return v;
}

// n consecutive output slots holding `values`; returns the first slot and fills `out`.
inline index_t make_outputs(Tape& t, const double* values, std::size_t n, Var* out) {
  const index_t first = t.new_slots(n);
  double* val = t.values();
  for (std::size_t i = 0; i < n; ++i) {
    val[first + i] = values[i];
    out[i] = Var(values[i], first + static_cast<index_t>(i));
  }
  return first;
}

// ---- operations given by value and vector-Jacobian product templates ----------------------
//
// A Rules type provides, for T = double and T = Dual<double>:
//   template <class T> void value(std::span<const T> in, std::span<T> out) const;
//   template <class T> void vjp(std::span<const T> in, std::span<const T> out,
//                               std::span<const T> adj_out, std::span<T> adj_in) const;
// `vjp` writes (overwrites) adj_in = J^T adj_out. Inputs and outputs are flat lists of scalars.
namespace detail {

template <class Rules>
class VectorOpNode final : public Node {
 public:
  VectorOpNode(const Rules& rules, VarRef in, index_t out, std::size_t n_out)
      : rules_(rules), in_(in), out_(out), n_out_(n_out) {}

  void reverse(const SweepArrays& s) const override {
    const std::size_t n = in_.size();
    std::vector<double> x(n), g(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = s.val[in_[i]];
    rules_.vjp(std::span<const double>(x), std::span<const double>(s.val + out_, n_out_),
               std::span<const double>(s.adj + out_, n_out_), std::span<double>(g));
    for (std::size_t i = 0; i < n; ++i) s.adj[in_[i]] += g[i];
  }
  void tangent(const SweepArrays& s) const override {
    const std::size_t n = in_.size();
    std::vector<Dual<double>> x(n), y(n_out_);
    for (std::size_t i = 0; i < n; ++i) x[i] = Dual<double>(s.val[in_[i]], s.dot[in_[i]]);
    rules_.value(std::span<const Dual<double>>(x), std::span<Dual<double>>(y));
    for (std::size_t k = 0; k < n_out_; ++k) s.dot[out_ + k] = y[k].tan;
  }
  void reverse2(const SweepArrays& s) const override {
    const std::size_t n = in_.size();
    std::vector<Dual<double>> x(n), y(n_out_), a(n_out_), g(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = Dual<double>(s.val[in_[i]], s.dot[in_[i]]);
    for (std::size_t k = 0; k < n_out_; ++k) {
      y[k] = Dual<double>(s.val[out_ + k], s.dot[out_ + k]);
      a[k] = Dual<double>(s.adj[out_ + k], s.adj2[out_ + k]);
    }
    rules_.vjp(std::span<const Dual<double>>(x), std::span<const Dual<double>>(y),
               std::span<const Dual<double>>(a), std::span<Dual<double>>(g));
    for (std::size_t i = 0; i < n; ++i) {
      s.adj[in_[i]] += g[i].val;
      s.adj2[in_[i]] += g[i].tan;
    }
  }

 private:
  Rules rules_;
  VarRef in_;
  index_t out_;
  std::size_t n_out_;
};

}  // namespace detail

// Records an operation of `in` with `n_out` outputs given by its rules (see above).
template <class Rules>
std::vector<Var> vector_op(const Rules& rules, std::span<const Var> in, std::size_t n_out) {
  Tape& t = tape();
  std::vector<double> x(in.size()), y(n_out);
  for (std::size_t i = 0; i < in.size(); ++i) x[i] = in[i].value();
  rules.value(std::span<const double>(x), std::span<double>(y));
  VarRef ref(t, in.data(), in.size());
  std::vector<Var> out(n_out);
  const index_t first = make_outputs(t, y.data(), n_out, out.data());
  t.make_node<detail::VectorOpNode<Rules>>(rules, ref, first, n_out);
  return out;
}

// The same rules evaluated on double or Dual<T> inputs (no tape).
template <class Rules, class T>
  requires(!std::is_same_v<T, Var>)
std::vector<T> vector_op(const Rules& rules, std::span<const T> in, std::size_t n_out) {
  std::vector<T> out(n_out);
  rules.value(in, std::span<T>(out));
  return out;
}

}  // namespace tapir::autodiff
