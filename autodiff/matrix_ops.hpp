#pragma once
// Dense matrix operations over Vector<T> and Matrix<T> (row-major), for T = double, Var and
// Dual<double>, and double mixed with either (the result scalar is promote_t of the operands):
//
//   multiply(A, B), multiply(A, x), A * B, A * x, outer_product(u, v)
//   quad_form(A, x) = x'Ax, quad_form_sym(A, x), trace_quad_form(A, B) = tr(B'AB)
//   cholesky_decompose(A), mdivide_left_tri_low(L, b), mdivide_left_tri_low_transpose(L, b),
//   mdivide_right_tri_low(B, L), cholesky_solve(L, b), mdivide_left_spd(A, b)
//   log_determinant_spd(A), log_determinant_cholesky(L)
//   transpose, diagonal, diag_matrix, trace, row, col, block, rows, cols
//
// With Var operands every operation above the last line is ONE tape node whose value, reverse,
// tangent and second-order rules are those of linalg.hpp. A data (double) operand never goes on
// the tape: the node keeps a copy of it in the tape's arena. The structural operations of the
// last line only rearrange Vars (a copy of a Var records nothing).
//
// Conventions (as Stan's): a triangular factor L is read from its lower triangle; a symmetric
// positive definite A must be symmetric (to 1e-8, relative) and is then read from its lower
// triangle, so its adjoints land on the lower triangle (for i > j the adjoint of A_ij is the
// derivative through both A_ij and A_ji). Cholesky factors returned have exact zeros above the
// diagonal (for Var, constant variables). A matrix that is not positive definite raises
// not_positive_definite (a std::domain_error) naming the failing pivot's row, for every scalar
// type; shape errors raise std::invalid_argument naming the function and both shapes.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/array_kernels.hpp"
#include "autodiff/elementwise.hpp"
#include "autodiff/linalg.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"
#include "autodiff/vector_node.hpp"

namespace tapir::autodiff {

namespace matrix_detail {

// Operands of one operation: equal scalars, or data with anything.
template <class A, class B>
concept compatible_scalars =
    Scalar<A> && Scalar<B> &&
    (std::is_same_v<A, B> || std::is_arithmetic_v<A> || std::is_arithmetic_v<B>);

template <class T>
inline constexpr bool is_data_v = std::is_arithmetic_v<T>;

// Values of n scalars as doubles: x itself for double data, else gathered into `tmp`.
template <class T>
const double* values_of(const T* x, std::size_t n, std::vector<double>& tmp) {
  if constexpr (std::is_same_v<T, double>) {
    return x;
  } else {
    tmp.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (is_var_v<T>)
        tmp[i] = x[i].value();
      else
        tmp[i] = static_cast<double>(x[i]);
    }
    return tmp.data();
  }
}

// A data operand copied into the tape's arena (it must outlive the caller's matrix).
template <class T>
double* arena_data(Tape& t, const T* x, std::size_t n) {
  double* d = t.arena().allocate_array<double>(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<double>(x[i]);
  return d;
}

// Lanes of a Var operand's scratch space, one per sweep array.
enum Lane : std::size_t { kVal = 0, kDot = 1, kAdj = 2, kAdj2 = 3 };

// A Var matrix or vector operand seen as a dense row-major array. When its slots are
// consecutive (the outputs of another node, or a gradient's inputs) the sweep arrays are used in
// place; otherwise it gathers into, and scatters from, scratch space allocated in the arena when
// the node is recorded, so the rules always run on dense arrays.
class VarArray {
 public:
  static constexpr bool is_var = true;
  VarArray(Tape& t, const Var* x, std::size_t n) : ref_(t, x, n) {
    if (!ref_.contiguous() && n > 0) scratch_ = t.arena().allocate_array<double>(4 * n);
  }
  std::size_t size() const { return ref_.size(); }
  // Dense view of `arr` (values or tangents) over the operand.
  const double* read(const double* arr, Lane lane) const {
    if (!scratch_) return arr + ref_.first();
    double* b = scratch_ + lane * ref_.size();
    for (std::size_t i = 0; i < ref_.size(); ++i) b[i] = arr[ref_[i]];
    return b;
  }
  // A dense array to add adjoints into; `end_add` then adds it to `arr` (adj or adj2).
  double* begin_add(double* arr, Lane lane) const {
    if (!scratch_) return arr + ref_.first();
    double* b = scratch_ + lane * ref_.size();
    for (std::size_t i = 0; i < ref_.size(); ++i) b[i] = 0.0;
    return b;
  }
  void end_add(double* arr, Lane lane) const {
    if (!scratch_) return;
    const double* b = scratch_ + lane * ref_.size();
    for (std::size_t i = 0; i < ref_.size(); ++i) arr[ref_[i]] += b[i];
  }

 private:
  VarRef ref_;
  double* scratch_ = nullptr;
};

// A data operand: its arena copy.
struct DataArray {
  static constexpr bool is_var = false;
  const double* data;
  const double* read(const double*, Lane) const { return data; }
};

// A data operand the rules never read.
struct NoArray {
  static constexpr bool is_var = false;
};

// Null for data operands: the rules' way of saying "no tangent, no adjoint wanted".
template <class O>
const double* read_if_var(const O& o, const double* arr, Lane lane) {
  if constexpr (O::is_var)
    return o.read(arr, lane);
  else
    return nullptr;
}
template <class O>
double* begin_add_if_var(const O& o, double* arr, Lane lane) {
  if constexpr (O::is_var)
    return o.begin_add(arr, lane);
  else
    return nullptr;
}
template <class O>
void end_add_if_var(const O& o, double* arr, Lane lane) {
  if constexpr (O::is_var) o.end_add(arr, lane);
}

// Output Vars for n consecutive slots starting at `first` (values already on the tape).
inline void bind_outputs(Tape& t, index_t first, std::size_t n, Var* out) {
  const double* val = t.values();
  for (std::size_t i = 0; i < n; ++i) out[i] = Var(val[first + i], first + static_cast<index_t>(i));
}

// ---- C = A B (A p x r, B r x q): one node. -------------------------------------------------
// Reverse (Giles 2008): Abar += Cbar B^T, Bbar += A^T Cbar. Tangent: Cdot = Adot B + A Bdot.
// Second order: Abar2 += Cbar2 B^T + Cbar Bdot^T, Bbar2 += A^T Cbar2 + Adot^T Cbar.
template <class OA, class OB>
class MultiplyNode final : public Node {
 public:
  MultiplyNode(OA a, OB b, index_t out, std::size_t p, std::size_t r, std::size_t q)
      : a_(a), b_(b), out_(out), p_(p), r_(r), q_(q) {}

  void reverse(const SweepArrays& s) const override {
    const double* gc = s.adj + out_;
    if constexpr (OA::is_var) {
      double* ga = a_.begin_add(s.adj, kAdj);
      linalg::multiply_nt_add(p_, q_, r_, gc, b_.read(s.val, kVal), ga);
      a_.end_add(s.adj, kAdj);
    }
    if constexpr (OB::is_var) {
      double* gb = b_.begin_add(s.adj, kAdj);
      linalg::multiply_tn_add(r_, p_, q_, a_.read(s.val, kVal), gc, gb);
      b_.end_add(s.adj, kAdj);
    }
  }
  void tangent(const SweepArrays& s) const override {
    double* dc = s.dot + out_;
    if constexpr (OA::is_var) {
      linalg::multiply(p_, r_, q_, a_.read(s.dot, kDot), b_.read(s.val, kVal), dc);
      if constexpr (OB::is_var) linalg::multiply_add(p_, r_, q_, a_.read(s.val, kVal), b_.read(s.dot, kDot), dc);
    } else {
      linalg::multiply(p_, r_, q_, a_.read(s.val, kVal), b_.read(s.dot, kDot), dc);
    }
  }
  void reverse2(const SweepArrays& s) const override {
    const double* gc = s.adj + out_;
    const double* gc2 = s.adj2 + out_;
    if constexpr (OA::is_var) {
      double* ga = a_.begin_add(s.adj, kAdj);
      double* ga2 = a_.begin_add(s.adj2, kAdj2);
      linalg::multiply_nt_add2(p_, q_, r_, gc, ga, gc2, ga2, b_.read(s.val, kVal));
      if constexpr (OB::is_var) linalg::multiply_nt_add(p_, q_, r_, gc, b_.read(s.dot, kDot), ga2);
      a_.end_add(s.adj, kAdj);
      a_.end_add(s.adj2, kAdj2);
    }
    if constexpr (OB::is_var) {
      double* gb = b_.begin_add(s.adj, kAdj);
      double* gb2 = b_.begin_add(s.adj2, kAdj2);
      linalg::multiply_tn_add2(r_, p_, q_, a_.read(s.val, kVal), gc, gb, gc2, gb2);
      if constexpr (OA::is_var) linalg::multiply_tn_add(r_, p_, q_, a_.read(s.dot, kDot), gc, gb2);
      b_.end_add(s.adj, kAdj);
      b_.end_add(s.adj2, kAdj2);
    }
  }

 private:
  OA a_;
  OB b_;
  index_t out_;
  std::size_t p_, r_, q_;
};

template <class TA, class TB>
void record_multiply(const TA* a, const TB* b, std::size_t p, std::size_t r, std::size_t q, Var* c) {
  Tape& t = tape();
  if constexpr (is_var_v<TA> && is_var_v<TB>) {
    VarArray oa(t, a, p * r), ob(t, b, r * q);
    const index_t first = t.new_slots(p * q);
    double* val = t.values();
    linalg::multiply(p, r, q, oa.read(val, kVal), ob.read(val, kVal), val + first);
    bind_outputs(t, first, p * q, c);
    t.make_node<MultiplyNode<VarArray, VarArray>>(oa, ob, first, p, r, q);
  } else if constexpr (is_var_v<TB>) {
    VarArray ob(t, b, r * q);
    double* ad = t.arena().allocate_array<double>(p * r);
    const index_t first = t.new_slots(p * q);
    double* val = t.values();
    if constexpr (std::is_same_v<TA, double>) {
      linalg::multiply_copy(p, r, q, a, ad, ob.read(val, kVal), val + first);
    } else {
      for (std::size_t i = 0; i < p * r; ++i) ad[i] = static_cast<double>(a[i]);
      linalg::multiply(p, r, q, ad, ob.read(val, kVal), val + first);
    }
    bind_outputs(t, first, p * q, c);
    t.make_node<MultiplyNode<DataArray, VarArray>>(DataArray{ad}, ob, first, p, r, q);
  } else {
    VarArray oa(t, a, p * r);
    const double* bd = arena_data(t, b, r * q);
    const index_t first = t.new_slots(p * q);
    double* val = t.values();
    linalg::multiply(p, r, q, oa.read(val, kVal), bd, val + first);
    bind_outputs(t, first, p * q, c);
    t.make_node<MultiplyNode<VarArray, DataArray>>(oa, DataArray{bd}, first, p, r, q);
  }
}

// c (p x q) = a (p x r) b (r x q) for any compatible scalars.
template <class TA, class TB, class R>
void multiply_flat(const TA* a, const TB* b, std::size_t p, std::size_t r, std::size_t q, R* c) {
  if constexpr (is_var_v<R>) {
    record_multiply(a, b, p, r, q, c);
  } else if constexpr (is_data_v<TA> && is_data_v<TB>) {
    std::vector<double> ta, tb;
    linalg::multiply(p, r, q, values_of(a, p * r, ta), values_of(b, r * q, tb), c);
  } else {
    for (std::size_t i = 0; i < p * q; ++i) c[i] = R(0.0);
    for (std::size_t i = 0; i < p; ++i)
      for (std::size_t k = 0; k < r; ++k) {
        const TA& aik = a[i * r + k];
        for (std::size_t j = 0; j < q; ++j) c[i * q + j] += aik * b[k * q + j];
      }
  }
}

// ---- Cholesky: one node with n x n outputs (constant zeros above the diagonal). ------------
class CholeskyNode final : public Node {
 public:
  CholeskyNode(VarArray a, index_t out, std::size_t n) : a_(a), out_(out), n_(n) {}
  void reverse(const SweepArrays& s) const override {
    std::vector<double> abar(n_ * n_);
    linalg::cholesky_adjoint(n_, s.val + out_, s.adj + out_, abar.data());
    double* ga = a_.begin_add(s.adj, kAdj);
    for (std::size_t k = 0; k < n_ * n_; ++k) ga[k] += abar[k];
    a_.end_add(s.adj, kAdj);
  }
  void tangent(const SweepArrays& s) const override {
    linalg::cholesky_tangent(n_, s.val + out_, a_.read(s.dot, kDot), s.dot + out_);
  }
  void reverse2(const SweepArrays& s) const override {
    std::vector<double> abar(n_ * n_), abar2(n_ * n_);
    linalg::cholesky_adjoint2(n_, s.val + out_, s.dot + out_, s.adj + out_, s.adj2 + out_, abar.data(),
                              abar2.data());
    double* ga = a_.begin_add(s.adj, kAdj);
    double* ga2 = a_.begin_add(s.adj2, kAdj2);
    for (std::size_t k = 0; k < n_ * n_; ++k) {
      ga[k] += abar[k];
      ga2[k] += abar2[k];
    }
    a_.end_add(s.adj, kAdj);
    a_.end_add(s.adj2, kAdj2);
  }

 private:
  VarArray a_;
  index_t out_;
  std::size_t n_;
};

template <class T>
void check_symmetric_values(const char* fn, std::size_t n, const T* a) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const double aij = value_of(a[i * n + j]), aji = value_of(a[j * n + i]);
      if (!linalg::nearly_symmetric(aij, aji)) linalg::throw_not_symmetric(fn, i, j, aij, aji);
    }
}

// Cholesky factor in any scalar type with arithmetic (the forward-mode and generic path).
template <class T>
void cholesky_generic(const char* fn, std::size_t n, const T* a, T* l) {
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      T s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
    T d = a[i * n + i];
    for (std::size_t k = 0; k < i; ++k) d -= l[i * n + k] * l[i * n + k];
    if (!(value_of(d) > 0.0)) throw not_positive_definite(fn, i, value_of(d));
    l[i * n + i] = sqrt(d);
    for (std::size_t j = i + 1; j < n; ++j) l[i * n + j] = T(0.0);
  }
}

// Lower-triangular solves in any scalar types: b (n x m) <- op(L)^{-1} b.
template <class TL, class R>
void solve_lower_generic(bool transpose, std::size_t n, std::size_t m, const TL* l, R* b) {
  if (!transpose) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < m; ++j) {
        R s = b[i * m + j];
        for (std::size_t k = 0; k < i; ++k) s -= l[i * n + k] * b[k * m + j];
        b[i * m + j] = s / l[i * n + i];
      }
  } else {
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = 0; j < m; ++j) {
        R s = b[i * m + j];
        for (std::size_t k = i + 1; k < n; ++k) s -= l[k * n + i] * b[k * m + j];
        b[i * m + j] = s / l[i * n + i];
      }
  }
}

// ---- X = L^{-1} B or L^{-T} B: one node. -----------------------------------------------------
template <class OL, class OB>
class TriSolveNode final : public Node {
 public:
  TriSolveNode(OL l, OB b, index_t out, std::size_t n, std::size_t m, bool transpose)
      : l_(l), b_(b), out_(out), n_(n), m_(m), transpose_(transpose) {}
  void reverse(const SweepArrays& s) const override {
    double* gl = begin_add_if_var(l_, s.adj, kAdj);
    double* gb = begin_add_if_var(b_, s.adj, kAdj);
    linalg::tri_solve_adjoint(transpose_, n_, m_, l_.read(s.val, kVal), s.val + out_, s.adj + out_, gl, gb);
    end_add_if_var(l_, s.adj, kAdj);
    end_add_if_var(b_, s.adj, kAdj);
  }
  void tangent(const SweepArrays& s) const override {
    linalg::tri_solve_tangent(transpose_, n_, m_, l_.read(s.val, kVal), s.val + out_, read_if_var(l_, s.dot, kDot),
                              read_if_var(b_, s.dot, kDot), s.dot + out_);
  }
  void reverse2(const SweepArrays& s) const override {
    double* gl = begin_add_if_var(l_, s.adj, kAdj);
    double* gl2 = begin_add_if_var(l_, s.adj2, kAdj2);
    double* gb = begin_add_if_var(b_, s.adj, kAdj);
    double* gb2 = begin_add_if_var(b_, s.adj2, kAdj2);
    linalg::tri_solve_adjoint2(transpose_, n_, m_, l_.read(s.val, kVal), s.val + out_, read_if_var(l_, s.dot, kDot),
                               s.dot + out_, s.adj + out_, s.adj2 + out_, gl, gl2, gb, gb2);
    end_add_if_var(l_, s.adj, kAdj);
    end_add_if_var(l_, s.adj2, kAdj2);
    end_add_if_var(b_, s.adj, kAdj);
    end_add_if_var(b_, s.adj2, kAdj2);
  }

 private:
  OL l_;
  OB b_;
  index_t out_;
  std::size_t n_, m_;
  bool transpose_;
};

// x (n x m) = op(L)^{-1} b for any compatible scalars.
template <class TL, class TB, class R>
void tri_solve_flat(bool transpose, const TL* l, const TB* b, std::size_t n, std::size_t m, R* x) {
  if constexpr (is_var_v<R>) {
    Tape& t = tape();
    std::vector<double> tl, tb;
    std::vector<double> xv(n * m);
    const double* bv = values_of(b, n * m, tb);
    array_copy(bv, n * m, xv.data());
    auto record = [&](auto ol, const double* lv) {
      if (transpose)
        linalg::solve_lower_transpose(n, m, lv, xv.data());
      else
        linalg::solve_lower(n, m, lv, xv.data());
      auto ob = [&] {
        if constexpr (is_var_v<TB>)
          return VarArray(t, b, n * m);
        else
          return NoArray{};
      }();
      const index_t first = make_outputs(t, xv.data(), n * m, x);
      t.make_node<TriSolveNode<decltype(ol), decltype(ob)>>(ol, ob, first, n, m, transpose);
    };
    if constexpr (is_var_v<TL>)
      record(VarArray(t, l, n * n), values_of(l, n * n, tl));
    else {
      const double* ld = arena_data(t, l, n * n);
      record(DataArray{ld}, ld);
    }
  } else if constexpr (is_data_v<TL> && is_data_v<TB>) {
    std::vector<double> tl, tb;
    const double* bv = values_of(b, n * m, tb);
    array_copy(bv, n * m, x);
    if (transpose)
      linalg::solve_lower_transpose(n, m, values_of(l, n * n, tl), x);
    else
      linalg::solve_lower(n, m, values_of(l, n * n, tl), x);
  } else {
    for (std::size_t i = 0; i < n * m; ++i) x[i] = R(b[i]);
    solve_lower_generic(transpose, n, m, l, x);
  }
}

// ---- X = A^{-1} B for symmetric positive definite A, given as A or as its factor: one node. ---
template <class OM, class OB>
class SpdSolveNode final : public Node {
 public:
  SpdSolveNode(OM mat, OB b, const double* l, index_t out, std::size_t n, std::size_t m, bool factor)
      : mat_(mat), b_(b), l_(l), out_(out), n_(n), m_(m), factor_(factor) {}
  void reverse(const SweepArrays& s) const override {
    double* gm = begin_add_if_var(mat_, s.adj, kAdj);
    double* gb = begin_add_if_var(b_, s.adj, kAdj);
    linalg::spd_solve_adjoint(factor_, n_, m_, l_, s.val + out_, s.adj + out_, gm, gb);
    end_add_if_var(mat_, s.adj, kAdj);
    end_add_if_var(b_, s.adj, kAdj);
  }
  void tangent(const SweepArrays& s) const override {
    linalg::spd_solve_tangent(factor_, n_, m_, l_, s.val + out_, read_if_var(mat_, s.dot, kDot),
                              read_if_var(b_, s.dot, kDot), s.dot + out_);
  }
  void reverse2(const SweepArrays& s) const override {
    double* gm = begin_add_if_var(mat_, s.adj, kAdj);
    double* gm2 = begin_add_if_var(mat_, s.adj2, kAdj2);
    double* gb = begin_add_if_var(b_, s.adj, kAdj);
    double* gb2 = begin_add_if_var(b_, s.adj2, kAdj2);
    linalg::spd_solve_adjoint2(factor_, n_, m_, l_, s.val + out_, read_if_var(mat_, s.dot, kDot), s.dot + out_,
                               s.adj + out_, s.adj2 + out_, gm, gm2, gb, gb2);
    end_add_if_var(mat_, s.adj, kAdj);
    end_add_if_var(mat_, s.adj2, kAdj2);
    end_add_if_var(b_, s.adj, kAdj);
    end_add_if_var(b_, s.adj2, kAdj2);
  }

 private:
  OM mat_;
  OB b_;
  const double* l_;  // the factor, in the arena
  index_t out_;
  std::size_t n_, m_;
  bool factor_;
};

// x = A^{-1} b; `factor`: m is the Cholesky factor L of A, else A itself. Var results only.
template <class TM, class TB>
void record_spd_solve(const char* fn, bool factor, const TM* mat, const TB* b, std::size_t n, std::size_t m, Var* x) {
  Tape& t = tape();
  std::vector<double> tm, tb;
  const double* mv = values_of(mat, n * n, tm);
  std::vector<double> lv(n * n, 0.0);
  if (factor) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j <= i; ++j) lv[i * n + j] = mv[i * n + j];
  } else {
    linalg::check_symmetric(fn, n, mv);
    linalg::cholesky(fn, n, mv, lv.data());
  }
  std::vector<double> xv(n * m);
  const double* bv = values_of(b, n * m, tb);
  array_copy(bv, n * m, xv.data());
  linalg::solve_lower(n, m, lv.data(), xv.data());
  linalg::solve_lower_transpose(n, m, lv.data(), xv.data());
  const double* l = arena_copy(t, lv.data(), n * n);
  auto om = [&] {
    if constexpr (is_var_v<TM>)
      return VarArray(t, mat, n * n);
    else
      return NoArray{};
  }();
  auto ob = [&] {
    if constexpr (is_var_v<TB>)
      return VarArray(t, b, n * m);
    else
      return NoArray{};
  }();
  const index_t first = make_outputs(t, xv.data(), n * m, x);
  t.make_node<SpdSolveNode<decltype(om), decltype(ob)>>(om, ob, l, first, n, m, factor);
}

// ---- log det A for symmetric positive definite A: one node keeping A^{-1}. -------------------
class LogDetSpdNode final : public Node {
 public:
  LogDetSpdNode(VarArray a, const double* ainv, index_t out, std::size_t n) : a_(a), ainv_(ainv), out_(out), n_(n) {}
  void reverse(const SweepArrays& s) const override {
    double* ga = a_.begin_add(s.adj, kAdj);
    linalg::fold_lower_add(n_, ainv_, s.adj[out_], ga);
    a_.end_add(s.adj, kAdj);
  }
  void tangent(const SweepArrays& s) const override {
    s.dot[out_] = linalg::log_det_spd_tangent(n_, ainv_, a_.read(s.dot, kDot));
  }
  void reverse2(const SweepArrays& s) const override {
    double* ga = a_.begin_add(s.adj, kAdj);
    double* ga2 = a_.begin_add(s.adj2, kAdj2);
    linalg::log_det_spd_adjoint2(n_, ainv_, a_.read(s.dot, kDot), s.adj[out_], s.adj2[out_], ga, ga2);
    a_.end_add(s.adj, kAdj);
    a_.end_add(s.adj2, kAdj2);
  }

 private:
  VarArray a_;
  const double* ainv_;
  index_t out_;
  std::size_t n_;
};

// ---- 2 sum log L_ii: one node over the diagonal. --------------------------------------------
class LogDetCholeskyNode final : public Node {
 public:
  LogDetCholeskyNode(VarRef diag, index_t out) : diag_(diag), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    const double g = 2.0 * s.adj[out_];
    for (std::size_t i = 0; i < diag_.size(); ++i) s.adj[diag_[i]] += g / s.val[diag_[i]];
  }
  void tangent(const SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t i = 0; i < diag_.size(); ++i) d += s.dot[diag_[i]] / s.val[diag_[i]];
    s.dot[out_] = 2.0 * d;
  }
  void reverse2(const SweepArrays& s) const override {
    const double g = 2.0 * s.adj[out_], g2 = 2.0 * s.adj2[out_];
    for (std::size_t i = 0; i < diag_.size(); ++i) {
      const index_t k = diag_[i];
      const double inv = 1.0 / s.val[k];
      s.adj[k] += g * inv;
      s.adj2[k] += g2 * inv - g * s.dot[k] * inv * inv;
    }
  }

 private:
  VarRef diag_;
  index_t out_;
};

// ---- y = tr(B^T A B) (A n x n, B n x q): one node. z = (A + A^T) B is kept when B is a Var. ---
template <class OA, class OB>
class QuadFormNode final : public Node {
 public:
  QuadFormNode(OA a, OB b, const double* z, index_t out, std::size_t n, std::size_t q)
      : a_(a), b_(b), z_(z), out_(out), n_(n), q_(q) {}
  void reverse(const SweepArrays& s) const override {
    double* ga = begin_add_if_var(a_, s.adj, kAdj);
    double* gb = begin_add_if_var(b_, s.adj, kAdj);
    linalg::quad_form_adjoint(n_, q_, b_.read(s.val, kVal), z_, s.adj[out_], ga, gb);
    end_add_if_var(a_, s.adj, kAdj);
    end_add_if_var(b_, s.adj, kAdj);
  }
  void tangent(const SweepArrays& s) const override {
    s.dot[out_] = linalg::quad_form_tangent(n_, q_, b_.read(s.val, kVal), z_, read_if_var(a_, s.dot, kDot),
                                            read_if_var(b_, s.dot, kDot));
  }
  void reverse2(const SweepArrays& s) const override {
    double* ga = begin_add_if_var(a_, s.adj, kAdj);
    double* ga2 = begin_add_if_var(a_, s.adj2, kAdj2);
    double* gb = begin_add_if_var(b_, s.adj, kAdj);
    double* gb2 = begin_add_if_var(b_, s.adj2, kAdj2);
    linalg::quad_form_adjoint2(n_, q_, a_.read(s.val, kVal), b_.read(s.val, kVal), z_, read_if_var(a_, s.dot, kDot),
                               read_if_var(b_, s.dot, kDot), s.adj[out_], s.adj2[out_], ga, ga2, gb, gb2);
    end_add_if_var(a_, s.adj, kAdj);
    end_add_if_var(a_, s.adj2, kAdj2);
    end_add_if_var(b_, s.adj, kAdj);
    end_add_if_var(b_, s.adj2, kAdj2);
  }

 private:
  OA a_;
  OB b_;
  const double* z_;
  index_t out_;
  std::size_t n_, q_;
};

template <class TA, class TB>
promote_t<TA, TB> quad_form_flat(const TA* a, const TB* b, std::size_t n, std::size_t q) {
  using R = promote_t<TA, TB>;
  if constexpr (is_data_v<R> || is_var_v<R>) {
    std::vector<double> ta, tb;
    const double* av = values_of(a, n * n, ta);
    const double* bv = values_of(b, n * q, tb);
    std::vector<double> z(n * q);
    linalg::multiply(n, n, q, av, bv, z.data());
    const double y = linalg::dot(bv, z.data(), n * q);
    if constexpr (is_data_v<R>) {
      return y;
    } else {
      Tape& t = tape();
      auto oa = [&] {
        if constexpr (is_var_v<TA>)
          return VarArray(t, a, n * n);
        else
          return DataArray{arena_copy(t, av, n * n)};
      }();
      auto ob = [&] {
        if constexpr (is_var_v<TB>)
          return VarArray(t, b, n * q);
        else
          return DataArray{arena_copy(t, bv, n * q)};
      }();
      const double* zp = nullptr;
      if constexpr (is_var_v<TB>) {
        linalg::multiply_tn_add(n, n, q, av, bv, z.data());
        zp = arena_copy(t, z.data(), n * q);
      }
      const index_t out = t.new_slot(y);
      t.make_node<QuadFormNode<decltype(oa), decltype(ob)>>(oa, ob, zp, out, n, q);
      return Var(y, out);
    }
  } else {
    R s = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < q; ++j) {
        R abij = 0.0;
        for (std::size_t k = 0; k < n; ++k) abij += a[i * n + k] * b[k * q + j];
        s += b[i * q + j] * abij;
      }
    return s;
  }
}

inline void check_index(const char* fn, const char* what, std::size_t i, std::size_t n) {
  if (i >= n)
    throw std::out_of_range(std::string(fn) + ": " + what + " " + std::to_string(i) + " out of range (size " +
                            std::to_string(n) + ")");
}

}  // namespace matrix_detail

// ---- shapes and structure (no tape cost) ------------------------------------------------------

template <class T>
std::size_t rows(const Matrix<T>& m) {
  return m.rows();
}
template <class T>
std::size_t cols(const Matrix<T>& m) {
  return m.cols();
}
template <class T>
std::size_t rows(const Vector<T>& v) {
  return v.size();
}
template <class T>
std::size_t cols(const Vector<T>&) {
  return 1;
}

template <class T>
Matrix<T> transpose(const Matrix<T>& m) {
  Matrix<T> t(m.cols(), m.rows());
  for (std::size_t i = 0; i < m.rows(); ++i)
    for (std::size_t j = 0; j < m.cols(); ++j) t(j, i) = m(i, j);
  return t;
}

// The main diagonal (min(rows, cols) entries).
template <class T>
Vector<T> diagonal(const Matrix<T>& m) {
  const std::size_t n = m.rows() < m.cols() ? m.rows() : m.cols();
  Vector<T> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = m(i, i);
  return d;
}

template <class T>
Matrix<T> diag_matrix(const Vector<T>& v) {
  Matrix<T> m(v.size(), v.size(), T(0.0));
  for (std::size_t i = 0; i < v.size(); ++i) m(i, i) = v[i];
  return m;
}

template <class T>
Vector<T> row(const Matrix<T>& m, std::size_t i) {
  matrix_detail::check_index("row", "row", i, m.rows());
  Vector<T> r(m.cols());
  for (std::size_t j = 0; j < m.cols(); ++j) r[j] = m(i, j);
  return r;
}

template <class T>
Vector<T> col(const Matrix<T>& m, std::size_t j) {
  matrix_detail::check_index("col", "column", j, m.cols());
  Vector<T> c(m.rows());
  for (std::size_t i = 0; i < m.rows(); ++i) c[i] = m(i, j);
  return c;
}

// The nr x nc block whose top-left entry is (r0, c0).
template <class T>
Matrix<T> block(const Matrix<T>& m, std::size_t r0, std::size_t c0, std::size_t nr, std::size_t nc) {
  if (r0 > m.rows() || nr > m.rows() - r0 || c0 > m.cols() || nc > m.cols() - c0)
    throw std::out_of_range("block: " + std::to_string(nr) + "x" + std::to_string(nc) + " block at (" +
                            std::to_string(r0) + ", " + std::to_string(c0) + ") does not fit in a " +
                            linalg::shape(m.rows(), m.cols()) + " matrix");
  Matrix<T> b(nr, nc);
  for (std::size_t i = 0; i < nr; ++i)
    for (std::size_t j = 0; j < nc; ++j) b(i, j) = m(r0 + i, c0 + j);
  return b;
}

// Sum of the main diagonal (one node for Var).
template <class T>
T trace(const Matrix<T>& m) {
  return sum(diagonal(m));
}

// ---- products ---------------------------------------------------------------------------------

template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> multiply(const Matrix<A>& a, const Matrix<B>& b) {
  linalg::check_multiply("multiply", a.rows(), a.cols(), b.rows(), b.cols());
  Matrix<promote_t<A, B>> c(a.rows(), b.cols());
  matrix_detail::multiply_flat(a.data(), b.data(), a.rows(), a.cols(), b.cols(), c.data());
  return c;
}

template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Vector<promote_t<A, B>> multiply(const Matrix<A>& a, const Vector<B>& x) {
  linalg::check_multiply("multiply", a.rows(), a.cols(), x.size(), 1);
  Vector<promote_t<A, B>> y(a.rows());
  matrix_detail::multiply_flat(a.data(), x.data(), a.rows(), a.cols(), 1, y.data());
  return y;
}

template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> operator*(const Matrix<A>& a, const Matrix<B>& b) {
  return multiply(a, b);
}

template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Vector<promote_t<A, B>> operator*(const Matrix<A>& a, const Vector<B>& x) {
  return multiply(a, x);
}

// u v^T.
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> outer_product(const Vector<A>& u, const Vector<B>& v) {
  Matrix<promote_t<A, B>> c(u.size(), v.size());
  matrix_detail::multiply_flat(u.data(), v.data(), u.size(), 1, v.size(), c.data());
  return c;
}

// x^T A x.
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
promote_t<A, B> quad_form(const Matrix<A>& a, const Vector<B>& x) {
  linalg::check_solve("quad_form", a.rows(), a.cols(), x.size(), 1);
  return matrix_detail::quad_form_flat(a.data(), x.data(), x.size(), 1);
}

// x^T A x for a symmetric A (checked, to 1e-8 relative).
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
promote_t<A, B> quad_form_sym(const Matrix<A>& a, const Vector<B>& x) {
  linalg::check_solve("quad_form_sym", a.rows(), a.cols(), x.size(), 1);
  matrix_detail::check_symmetric_values("quad_form_sym", a.rows(), a.data());
  return matrix_detail::quad_form_flat(a.data(), x.data(), x.size(), 1);
}

// tr(B^T A B) = sum over columns b of b^T A b.
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
promote_t<A, B> trace_quad_form(const Matrix<A>& a, const Matrix<B>& b) {
  linalg::check_solve("trace_quad_form", a.rows(), a.cols(), b.rows(), b.cols());
  return matrix_detail::quad_form_flat(a.data(), b.data(), b.rows(), b.cols());
}

// ---- Cholesky, solves, determinants -----------------------------------------------------------

// L lower triangular with L L^T = A, for symmetric positive definite A.
template <Scalar T>
Matrix<T> cholesky_decompose(const Matrix<T>& a) {
  static constexpr const char* fn = "cholesky_decompose";
  linalg::check_square(fn, "matrix", a.rows(), a.cols());
  const std::size_t n = a.rows();
  Matrix<T> l(n, n);
  if constexpr (is_var_v<T> || matrix_detail::is_data_v<T>) {
    std::vector<double> ta;
    const double* av = matrix_detail::values_of(a.data(), n * n, ta);
    linalg::check_symmetric(fn, n, av);
    if constexpr (is_var_v<T>) {
      std::vector<double> lv(n * n);
      linalg::cholesky(fn, n, av, lv.data());
      Tape& t = tape();
      matrix_detail::VarArray oa(t, a.data(), n * n);
      const index_t first = make_outputs(t, lv.data(), n * n, l.data());
      t.make_node<matrix_detail::CholeskyNode>(oa, first, n);
    } else {
      linalg::cholesky(fn, n, av, l.data());
    }
  } else {
    matrix_detail::check_symmetric_values(fn, n, a.data());
    matrix_detail::cholesky_generic(fn, n, a.data(), l.data());
  }
  return l;
}

// Solve L x = b (L lower triangular, read from its lower triangle).
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Vector<promote_t<A, B>> mdivide_left_tri_low(const Matrix<A>& l, const Vector<B>& b) {
  linalg::check_solve("mdivide_left_tri_low", l.rows(), l.cols(), b.size(), 1);
  Vector<promote_t<A, B>> x(b.size());
  matrix_detail::tri_solve_flat(false, l.data(), b.data(), b.size(), 1, x.data());
  return x;
}
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> mdivide_left_tri_low(const Matrix<A>& l, const Matrix<B>& b) {
  linalg::check_solve("mdivide_left_tri_low", l.rows(), l.cols(), b.rows(), b.cols());
  Matrix<promote_t<A, B>> x(b.rows(), b.cols());
  matrix_detail::tri_solve_flat(false, l.data(), b.data(), b.rows(), b.cols(), x.data());
  return x;
}

// Solve L^T x = b.
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Vector<promote_t<A, B>> mdivide_left_tri_low_transpose(const Matrix<A>& l, const Vector<B>& b) {
  linalg::check_solve("mdivide_left_tri_low_transpose", l.rows(), l.cols(), b.size(), 1);
  Vector<promote_t<A, B>> x(b.size());
  matrix_detail::tri_solve_flat(true, l.data(), b.data(), b.size(), 1, x.data());
  return x;
}
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> mdivide_left_tri_low_transpose(const Matrix<A>& l, const Matrix<B>& b) {
  linalg::check_solve("mdivide_left_tri_low_transpose", l.rows(), l.cols(), b.rows(), b.cols());
  Matrix<promote_t<A, B>> x(b.rows(), b.cols());
  matrix_detail::tri_solve_flat(true, l.data(), b.data(), b.rows(), b.cols(), x.data());
  return x;
}

// Solve X L = B (B p x n): X = B L^{-1}, through X^T = L^{-T} B^T.
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> mdivide_right_tri_low(const Matrix<B>& b, const Matrix<A>& l) {
  linalg::check_square("mdivide_right_tri_low", "matrix", l.rows(), l.cols());
  if (b.cols() != l.rows())
    linalg::throw_shapes("mdivide_right_tri_low", "left-hand side", b.rows(), b.cols(), "matrix", l.rows(), l.cols(),
                         "the left-hand side needs as many columns as the matrix");
  return transpose(mdivide_left_tri_low_transpose(l, transpose(b)));
}

namespace matrix_detail {
// x = (L L^T)^{-1} b or A^{-1} b in any scalar type.
template <class TM, class TB, class R>
void spd_solve_flat(const char* fn, bool factor, const TM* mat, const TB* b, std::size_t n, std::size_t m, R* x) {
  if constexpr (is_var_v<R>) {
    record_spd_solve(fn, factor, mat, b, n, m, x);
  } else if constexpr (is_data_v<TM> && is_data_v<TB>) {
    std::vector<double> tm, tb, lv(n * n, 0.0);
    const double* mv = values_of(mat, n * n, tm);
    const double* l = mv;
    if (!factor) {
      linalg::check_symmetric(fn, n, mv);
      linalg::cholesky(fn, n, mv, lv.data());
      l = lv.data();
    }
    const double* bv = values_of(b, n * m, tb);
    array_copy(bv, n * m, x);
    linalg::solve_lower(n, m, l, x);
    linalg::solve_lower_transpose(n, m, l, x);
  } else {
    std::vector<TM> lg;
    const TM* l = mat;
    if (!factor) {
      check_symmetric_values(fn, n, mat);
      lg.resize(n * n);
      cholesky_generic(fn, n, mat, lg.data());
      l = lg.data();
    }
    for (std::size_t i = 0; i < n * m; ++i) x[i] = R(b[i]);
    solve_lower_generic(false, n, m, l, x);
    solve_lower_generic(true, n, m, l, x);
  }
}
}  // namespace matrix_detail

// Solve (L L^T) x = b, given the Cholesky factor L.
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Vector<promote_t<A, B>> cholesky_solve(const Matrix<A>& l, const Vector<B>& b) {
  linalg::check_solve("cholesky_solve", l.rows(), l.cols(), b.size(), 1);
  Vector<promote_t<A, B>> x(b.size());
  matrix_detail::spd_solve_flat("cholesky_solve", true, l.data(), b.data(), b.size(), 1, x.data());
  return x;
}
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> cholesky_solve(const Matrix<A>& l, const Matrix<B>& b) {
  linalg::check_solve("cholesky_solve", l.rows(), l.cols(), b.rows(), b.cols());
  Matrix<promote_t<A, B>> x(b.rows(), b.cols());
  matrix_detail::spd_solve_flat("cholesky_solve", true, l.data(), b.data(), b.rows(), b.cols(), x.data());
  return x;
}

// Solve A x = b for symmetric positive definite A (through its Cholesky factor).
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Vector<promote_t<A, B>> mdivide_left_spd(const Matrix<A>& a, const Vector<B>& b) {
  linalg::check_solve("mdivide_left_spd", a.rows(), a.cols(), b.size(), 1);
  Vector<promote_t<A, B>> x(b.size());
  matrix_detail::spd_solve_flat("mdivide_left_spd", false, a.data(), b.data(), b.size(), 1, x.data());
  return x;
}
template <Scalar A, Scalar B>
  requires matrix_detail::compatible_scalars<A, B>
Matrix<promote_t<A, B>> mdivide_left_spd(const Matrix<A>& a, const Matrix<B>& b) {
  linalg::check_solve("mdivide_left_spd", a.rows(), a.cols(), b.rows(), b.cols());
  Matrix<promote_t<A, B>> x(b.rows(), b.cols());
  matrix_detail::spd_solve_flat("mdivide_left_spd", false, a.data(), b.data(), b.rows(), b.cols(), x.data());
  return x;
}

// log det(L L^T) = 2 sum log L_ii for a Cholesky factor L.
template <Scalar T>
T log_determinant_cholesky(const Matrix<T>& l) {
  linalg::check_square("log_determinant_cholesky", "matrix", l.rows(), l.cols());
  const std::size_t n = l.rows();
  if constexpr (is_var_v<T>) {
    Tape& t = tape();
    double y = 0.0;
    for (std::size_t i = 0; i < n; ++i) y += std::log(l(i, i).value());
    y *= 2.0;
    VarRef diag(t, l.data(), n, n + 1);
    const index_t out = t.new_slot(y);
    t.make_node<matrix_detail::LogDetCholeskyNode>(diag, out);
    return Var(y, out);
  } else {
    T s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += log(l(i, i));
    return 2.0 * s;
  }
}

// log det A for symmetric positive definite A.
template <Scalar T>
T log_determinant_spd(const Matrix<T>& a) {
  static constexpr const char* fn = "log_determinant_spd";
  linalg::check_square(fn, "matrix", a.rows(), a.cols());
  const std::size_t n = a.rows();
  if constexpr (is_var_v<T> || matrix_detail::is_data_v<T>) {
    std::vector<double> ta, lv(n * n);
    const double* av = matrix_detail::values_of(a.data(), n * n, ta);
    linalg::check_symmetric(fn, n, av);
    linalg::cholesky(fn, n, av, lv.data());
    double y = 0.0;
    for (std::size_t i = 0; i < n; ++i) y += std::log(lv[i * n + i]);
    y *= 2.0;
    if constexpr (is_var_v<T>) {
      Tape& t = tape();
      matrix_detail::VarArray oa(t, a.data(), n * n);
      double* ainv = t.arena().allocate_array<double>(n * n);
      linalg::cholesky_inverse(n, lv.data(), ainv);
      const index_t out = t.new_slot(y);
      t.make_node<matrix_detail::LogDetSpdNode>(oa, ainv, out, n);
      return Var(y, out);
    } else {
      return y;
    }
  } else {
    return log_determinant_cholesky(cholesky_decompose(a));
  }
}

}  // namespace tapir::autodiff
