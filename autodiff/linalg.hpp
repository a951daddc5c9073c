#pragma once
// Dense linear algebra kernels on plain doubles: row-major arrays, no BLAS. These compute the
// values of the matrix operations of matrix_ops.hpp and the derivative rules of their tape nodes.
//
// Conventions:
// - Every matrix is a row-major array; dimensions are passed explicitly. Products are named by
//   their result C (p x q) and inner dimension r.
// - A triangular factor L is read from its lower triangle only (its upper triangle may hold
//   anything). Results that are triangular are written with exact zeros above the diagonal.
// - A symmetric positive definite A is read from its lower triangle only (after the symmetry
//   check of `cholesky`), so the derivative rules give adjoints on the lower triangle, "folded":
//   for i > j the adjoint of A_ij carries the derivative through both A_ij and A_ji.
//
// Derivative references: Murray 2016, "Differentiation of the Cholesky decomposition" (the
// symbolic reverse-mode rule, Phi(X) = lower triangle of X with the diagonal halved), and Giles
// 2008, "An extended collection of matrix derivative results" (inverse, solves, determinants).
// The second-order rules are the tangents of those reverse rules, derived by hand.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace tapir::autodiff {

// Thrown by every Cholesky factorisation (all scalar types) when a pivot is not positive: the
// matrix is not (numerically) positive definite. `pivot()` is the 0-based row of the failing
// pivot, `value()` the pivot's value (A_ii minus the squares already eliminated; NaN for NaN input).
class not_positive_definite : public std::domain_error {
 public:
  not_positive_definite(const std::string& function, std::size_t pivot, double value);
  std::size_t pivot() const noexcept { return pivot_; }
  double value() const noexcept { return value_; }

 private:
  std::size_t pivot_;
  double value_;
};

namespace linalg {

// ---- checks ----
// "fn: <what> is RxC" formatting helpers and the checks every operation makes.
std::string shape(std::size_t rows, std::size_t cols);
// Throws std::invalid_argument("fn: left operand is AxB and right operand is CxD ...").
[[noreturn]] void throw_shapes(const char* fn, const char* a_name, std::size_t ra, std::size_t ca,
                               const char* b_name, std::size_t rb, std::size_t cb, const char* need);
void check_multiply(const char* fn, std::size_t ra, std::size_t ca, std::size_t rb, std::size_t cb);
void check_square(const char* fn, const char* name, std::size_t rows, std::size_t cols);
// Square A and right-hand side B with as many rows as A.
void check_solve(const char* fn, std::size_t ra, std::size_t ca, std::size_t rb, std::size_t cb);
// Loose symmetry: |A_ij - A_ji| <= 1e-8 max(1, |A_ij|, |A_ji|); throws std::domain_error naming
// the first offending pair. NaN entries pass (the factorisation then reports a NaN pivot).
void check_symmetric(const char* fn, std::size_t n, const double* a);
[[noreturn]] void throw_not_symmetric(const char* fn, std::size_t i, std::size_t j, double aij, double aji);
inline bool nearly_symmetric(double aij, double aji) {
  const double d = aij > aji ? aij - aji : aji - aij;
  double m = 1.0;
  if (aij > m) m = aij;
  if (-aij > m) m = -aij;
  if (aji > m) m = aji;
  if (-aji > m) m = -aji;
  return !(d > 1e-8 * m);
}

// ---- products ----
// C must not overlap A or B. Above a size that depends on the instruction set the matrix products
// run cache-blocked, register-tiled kernels instead of row loops; the two sum in different orders,
// so results can differ in the last bits between sizes.
double dot(const double* a, const double* b, std::size_t n);
// C = A B; A p x r, B r x q.
void multiply(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c);
// C = A B as `multiply`, also copying A into a_copy (one pass over A: for data kept by a node).
void multiply_copy(std::size_t p, std::size_t r, std::size_t q, const double* a, double* a_copy,
                   const double* b, double* c);
// C += A B; A p x r, B r x q.
void multiply_add(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c);
// C += A^T B; A r x p, B r x q.
void multiply_tn_add(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c);
// C1 += A^T B1 and C2 += A^T B2 in one pass over A.
void multiply_tn_add2(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b1,
                      double* c1, const double* b2, double* c2);
// C += A B^T; A p x r, B q x r.
void multiply_nt_add(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c);
// C1 += A1 B^T and C2 += A2 B^T, sharing the work on B.
void multiply_nt_add2(std::size_t p, std::size_t r, std::size_t q, const double* a1, double* c1,
                      const double* a2, double* c2, const double* b);

// ---- factorisation and triangular solves ----
// L L^T = A (n x n, lower triangle of A read; upper triangle of L set to 0). Throws
// not_positive_definite naming `fn` and the failing pivot. No symmetry check (see check_symmetric).
void cholesky(const char* fn, std::size_t n, const double* a, double* l);
// In place on B (n x m): B <- L^{-1} B, B <- L^{-T} B.
void solve_lower(std::size_t n, std::size_t m, const double* l, double* b);
void solve_lower_transpose(std::size_t n, std::size_t m, const double* l, double* b);
// In place on B (p x n): B <- B L^{-1}, B <- B L^{-T}.
void solve_right_lower(std::size_t p, std::size_t n, const double* l, double* b);
void solve_right_lower_transpose(std::size_t p, std::size_t n, const double* l, double* b);
// (L L^T)^{-1}, n x n, symmetric.
void cholesky_inverse(std::size_t n, const double* l, double* ainv);

// ---- helpers for the derivative rules ----
// Full symmetric matrix from the lower triangle of A.
void mirror_lower(std::size_t n, const double* a, double* out);
// Abar (lower triangle) += s (G + G^T) folded: Abar_ij += s (G_ij + G_ji) for i > j, s G_ii on
// the diagonal. The adjoint of a function of a symmetric A read from its lower triangle, given
// the gradient G with respect to the full matrix.
void fold_lower_add(std::size_t n, const double* g, double s, double* abar);

// ---- derivative rules: Cholesky ----
// L = chol(A). Ldot = L Phi(L^{-1} Adot L^{-T}) (Adot read from its lower triangle; upper 0).
void cholesky_tangent(std::size_t n, const double* l, const double* adot, double* ldot);
// Abar (n x n, overwritten) = fold(G), G = L^{-T} Phi(L^T tril(Lbar)) L^{-1}; upper triangle 0.
void cholesky_adjoint(std::size_t n, const double* l, const double* lbar, double* abar);
// Abar as above and its tangent Abar2 along (Ldot, Lbar2): both overwritten.
void cholesky_adjoint2(std::size_t n, const double* l, const double* ldot, const double* lbar,
                       const double* lbar2, double* abar, double* abar2);

// ---- derivative rules: triangular solves ----
// X = op(L)^{-1} B with op(L) = L (transpose = false) or L^T (transpose = true); L n x n, B n x m.
// Null pointers stand for data operands (no tangent, no adjoint wanted).
// Xdot = op(L)^{-1} (Bdot - op(Ldot) X).
void tri_solve_tangent(bool transpose, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* ldot, const double* bdot, double* xdot);
// Bbar = op(L)^{-T} Xbar, added to bbar; Lbar += -tril(Bbar X^T) (or -tril(X Bbar^T) transposed).
void tri_solve_adjoint(bool transpose, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* xbar, double* lbar, double* bbar);
// The adjoints as above and their tangents (lbar2, bbar2) along (Ldot, Xdot, Xbar2).
void tri_solve_adjoint2(bool transpose, std::size_t n, std::size_t m, const double* l, const double* x,
                        const double* ldot, const double* xdot, const double* xbar, const double* xbar2,
                        double* lbar, double* lbar2, double* bbar, double* bbar2);

// ---- derivative rules: symmetric positive definite solves X = A^{-1} B, A = L L^T ----
// The system matrix is given either as A itself (read from its lower triangle; adjoints folded)
// or as its Cholesky factor L (lower triangle). `factor` selects which; `ml`/`mldot`/`mbar`/
// `mbar2` are that matrix's tangent and adjoints (null when it is data), `l` always the factor.
// Xdot = A^{-1} (Bdot - Adot X).
void spd_solve_tangent(bool factor, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* mdot, const double* bdot, double* xdot);
// Bbar = A^{-1} Xbar (added to bbar); adjoint of A (or L) added to mbar.
void spd_solve_adjoint(bool factor, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* xbar, double* mbar, double* bbar);
void spd_solve_adjoint2(bool factor, std::size_t n, std::size_t m, const double* l, const double* x,
                        const double* mdot, const double* xdot, const double* xbar, const double* xbar2,
                        double* mbar, double* mbar2, double* bbar, double* bbar2);

// ---- derivative rules: y = log det A for symmetric positive definite A ----
// With Ainv = A^{-1}: ydot = <Ainv, Adot> (Adot from its lower triangle).
double log_det_spd_tangent(std::size_t n, const double* ainv, const double* adot);
// Abar += fold(g Ainv); Abar2 += fold(g2 Ainv - g Ainv Adot Ainv).
void log_det_spd_adjoint2(std::size_t n, const double* ainv, const double* adot, double g, double g2,
                          double* abar, double* abar2);

// ---- derivative rules: y = tr(B^T A B), A n x n, B n x q (q = 1: the quadratic form b^T A b) ----
// z = (A + A^T) B (n x q), the gradient with respect to B.
void quad_form_gradient_b(std::size_t n, std::size_t q, const double* a, const double* b, double* z);
// ydot = <Adot, B B^T> + <Bdot, Z>; either tangent may be null.
double quad_form_tangent(std::size_t n, std::size_t q, const double* b, const double* z, const double* adot,
                         const double* bdot);
// Abar += g B B^T; Bbar += g Z (either may be null).
void quad_form_adjoint(std::size_t n, std::size_t q, const double* b, const double* z, double g, double* abar,
                       double* bbar);
// Adds the first-order adjoints as above and the second-order ones:
// Abar2 += g2 B B^T + g (Bdot B^T + B Bdot^T); Bbar2 += g2 Z + g (Adot + Adot^T) B + g (A + A^T) Bdot.
void quad_form_adjoint2(std::size_t n, std::size_t q, const double* a, const double* b, const double* z,
                        const double* adot, const double* bdot, double g, double g2, double* abar,
                        double* abar2, double* bbar, double* bbar2);

}  // namespace linalg
}  // namespace tapir::autodiff
