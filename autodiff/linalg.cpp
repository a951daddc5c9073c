#include "autodiff/linalg.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include "autodiff/array_kernels.hpp"

namespace tapir::autodiff {

namespace {
// Shortest representation that reads back to the same double.
std::string number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
std::string pivot_message(const std::string& function, std::size_t pivot, double value) {
  return function + ": matrix is not positive definite: pivot " + std::to_string(pivot) + " (0-based row) is " +
         number(value) + " (leading minor of order " + std::to_string(pivot + 1) + " is not positive)";
}
}  // namespace

not_positive_definite::not_positive_definite(const std::string& function, std::size_t pivot, double value)
    : std::domain_error(pivot_message(function, pivot, value)), pivot_(pivot), value_(value) {}

namespace linalg {

// ---- checks ----

std::string shape(std::size_t rows, std::size_t cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

void throw_shapes(const char* fn, const char* a_name, std::size_t ra, std::size_t ca, const char* b_name,
                  std::size_t rb, std::size_t cb, const char* need) {
  throw std::invalid_argument(std::string(fn) + ": " + a_name + " is " + shape(ra, ca) + " and " + b_name + " is " +
                              shape(rb, cb) + " (" + need + ")");
}

void check_multiply(const char* fn, std::size_t ra, std::size_t ca, std::size_t rb, std::size_t cb) {
  if (ca != rb)
    throw_shapes(fn, "left operand", ra, ca, "right operand", rb, cb, "columns of the left must equal rows of the right");
}

void check_square(const char* fn, const char* name, std::size_t rows, std::size_t cols) {
  if (rows != cols)
    throw std::invalid_argument(std::string(fn) + ": " + name + " is " + shape(rows, cols) + ", expected a square matrix");
}

void check_solve(const char* fn, std::size_t ra, std::size_t ca, std::size_t rb, std::size_t cb) {
  check_square(fn, "matrix", ra, ca);
  if (rb != ra)
    throw_shapes(fn, "matrix", ra, ca, "right-hand side", rb, cb, "the right-hand side needs as many rows as the matrix");
}

void throw_not_symmetric(const char* fn, std::size_t i, std::size_t j, double aij, double aji) {
  throw std::domain_error(std::string(fn) + ": matrix is not symmetric: entry (" + std::to_string(i) + ", " +
                          std::to_string(j) + ") is " + number(aij) + " but (" + std::to_string(j) + ", " +
                          std::to_string(i) + ") is " + number(aji));
}

void check_symmetric(const char* fn, std::size_t n, const double* a) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (!nearly_symmetric(a[i * n + j], a[j * n + i])) throw_not_symmetric(fn, i, j, a[i * n + j], a[j * n + i]);
}

// ---- products ----

namespace {
inline void axpy(std::size_t n, double alpha, const double* __restrict x, double* __restrict y) {
  for (std::size_t j = 0; j < n; ++j) y[j] += alpha * x[j];
}
inline void axpy2(std::size_t n, double a1, double a2, const double* __restrict x, double* __restrict y1,
                  double* __restrict y2) {
  for (std::size_t j = 0; j < n; ++j) {
    y1[j] += a1 * x[j];
    y2[j] += a2 * x[j];
  }
}
// y += a0 x0 + a1 x1 + a2 x2 + a3 x3: four rank-1 updates for one load and store of y.
inline void axpy4(std::size_t n, double a0, double a1, double a2, double a3, const double* __restrict x0,
                  const double* __restrict x1, const double* __restrict x2, const double* __restrict x3,
                  double* __restrict y) {
  for (std::size_t j = 0; j < n; ++j) y[j] += (a0 * x0[j] + a1 * x1[j]) + (a2 * x2[j] + a3 * x3[j]);
}
// y1 += sum_k a[k] x_k and y2 += sum_k b[k] x_k, k < 4.
inline void axpy4x2(std::size_t n, const double* a, const double* b, const double* __restrict x0,
                    const double* __restrict x1, const double* __restrict x2, const double* __restrict x3,
                    double* __restrict y1, double* __restrict y2) {
  const double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
  for (std::size_t j = 0; j < n; ++j) {
    const double v0 = x0[j], v1 = x1[j], v2 = x2[j], v3 = x3[j];
    y1[j] += (a0 * v0 + a1 * v1) + (a2 * v2 + a3 * v3);
    y2[j] += (b0 * v0 + b1 * v1) + (b2 * v2 + b3 * v3);
  }
}
// y += sum_t a[t] x_t over the rows x_t = x + t * stride (t < r), four at a time.
inline void axpy_rows(std::size_t n, std::size_t r, const double* a, const double* x, std::size_t stride,
                      double* y) {
  std::size_t t = 0;
  for (; t + 4 <= r; t += 4)
    axpy4(n, a[t], a[t + 1], a[t + 2], a[t + 3], x + t * stride, x + (t + 1) * stride, x + (t + 2) * stride,
          x + (t + 3) * stride, y);
  for (; t < r; ++t) axpy(n, a[t], x + t * stride, y);
}
// Grow-only per-thread workspace for kernels (never reentered: kernels call no user code).
double* workspace(std::size_t n) {
  thread_local std::vector<double> w;
  if (w.size() < n) w.resize(n);
  return w.data();
}
// Row-major transpose: out (cols x rows) = in^T (in rows x cols).
void transpose_into(std::size_t rows, std::size_t cols, const double* in, double* out) {
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) out[j * rows + i] = in[i * cols + j];
}
}  // namespace

double dot(const double* a, const double* b, std::size_t n) {
  // Eight independent partial sums: no loop-carried dependency chain, and the compiler can keep
  // them in vector registers.
  double s[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (std::size_t u = 0; u < 8; ++u) s[u] += a[i + u] * b[i + u];
  double r = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
  for (; i < n; ++i) r += a[i] * b[i];
  return r;
}

namespace {
// dot(a, b) while copying a to a_copy (one read of a).
double dot_copy(const double* __restrict a, double* __restrict a_copy, const double* __restrict b, std::size_t n) {
  double s[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (std::size_t u = 0; u < 8; ++u) {
      const double v = a[i + u];
      a_copy[i + u] = v;
      s[u] += v * b[i + u];
    }
  double r = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
  for (; i < n; ++i) {
    a_copy[i] = a[i];
    r += a[i] * b[i];
  }
  return r;
}

// ---- blocked products ----
// Beyond small sizes a product is limited by loads and stores, not arithmetic, unless each value
// brought into a register is used many times. The classic cure (Goto and van de Geijn 2008,
// "Anatomy of high-performance matrix multiplication"): copy a KC-deep slice of op(B) into
// column panels NR wide and a block of op(A) into row panels MR tall, each laid out in the order
// the inner kernel reads it, then update an MR x NR tile of C held in registers over the whole
// slice with one load of A and of B per rank-1 update. The packed B slice stays in cache across
// all blocks of A, a packed A block across all panels of B. Packing also absorbs transposition,
// so C += A B, A^T B and A B^T share one kernel.
namespace blocked {

// The tile's accumulators must fit in the vector registers with room for a row of B and a
// broadcast of A. The shapes below were chosen by timing the code GCC makes of the plain loops of
// `tile` on each instruction set: a tile row several vectors wide lets it load A with one
// broadcast per row and keep B in whole vectors, while narrower tiles led it to shuffle lanes.
#if defined(__AVX512F__)
constexpr std::size_t kMR = 6, kNR = 32;  // 24 of 32 registers of 8 doubles
#elif defined(__AVX__)
constexpr std::size_t kMR = 4, kNR = 8;  // 8 of 16 registers of 4 doubles
#else
constexpr std::size_t kMR = 4, kNR = 4;  // 8 of 16 registers of 2 doubles (SSE2)
#endif
// A packed B panel (KC x NR) stays in L1 or L2 while the kernel sweeps a packed A block (MC x KC,
// about 256 KB) held in L2.
constexpr std::size_t kKC = 256;
constexpr std::size_t kMC = (128 + kMR - 1) / kMR * kMR;
constexpr std::size_t kNC = 4096 / kNR * kNR;

// An operand seen as a rows x depth matrix M: M(i, t) is x[i * ld + t], or x[t * ld + i] when
// `trans`. A product's left operand is op(A); its right operand enters as op(B)^T.
struct Operand {
  const double* x;
  std::size_t ld;
  bool trans;
};

std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

// Rows [i0, i0 + m) and depth [t0, t0 + k) of M into panels of W rows: panel s holds
// M(i0 + s W + w, t0 + t) at s W k + t W + w. Rows past m are padded so that edge tiles run the
// same kernel; their results are discarded, and zeros keep stale data (NaN, subnormals) out of the
// arithmetic.
template <std::size_t W>
void pack(const Operand& op, std::size_t i0, std::size_t m, std::size_t t0, std::size_t k, double* dst) {
  for (std::size_t s = 0; s < m; s += W, dst += W * k) {
    const std::size_t w_end = std::min(W, m - s);
    if (op.trans) {
      for (std::size_t t = 0; t < k; ++t) {
        const double* src = op.x + (t0 + t) * op.ld + i0 + s;
        double* d = dst + t * W;
        for (std::size_t w = 0; w < w_end; ++w) d[w] = src[w];
        for (std::size_t w = w_end; w < W; ++w) d[w] = 0.0;
      }
    } else {
      // W reads a row apart for each contiguous write of W; on a full panel the unrolled W
      // loop makes the writes whole vectors.
      const double* src = op.x + (i0 + s) * op.ld + t0;
      if (w_end == W) {
        for (std::size_t t = 0; t < k; ++t)
#pragma GCC unroll 32
          for (std::size_t w = 0; w < W; ++w) dst[t * W + w] = src[w * op.ld + t];
      } else {
        for (std::size_t t = 0; t < k; ++t) {
          for (std::size_t w = 0; w < w_end; ++w) dst[t * W + w] = src[w * op.ld + t];
          for (std::size_t w = w_end; w < W; ++w) dst[t * W + w] = 0.0;
        }
      }
    }
  }
}

// The m x n (m <= MR, n <= NR) tile of C at c (row stride ldc) plus, or (store) set to, the
// product of a packed A panel and a packed B panel of depth k. The fixed trip counts let the
// compiler unroll the tile and keep it in vector registers. The unroll factor is 16, not kNR:
// unrolling a 32-wide row completely made GCC 12's AVX-512 code 1.6 times slower.
void tile(std::size_t k, const double* __restrict ap, const double* __restrict bp, double* __restrict c,
          std::size_t ldc, std::size_t m, std::size_t n, bool store) {
  double acc[kMR][kNR];
#pragma GCC unroll 16
  for (std::size_t i = 0; i < kMR; ++i)
#pragma GCC unroll 16
    for (std::size_t j = 0; j < kNR; ++j) acc[i][j] = 0.0;
  for (std::size_t t = 0; t < k; ++t) {
    const double* a = ap + t * kMR;
    const double* b = bp + t * kNR;
#pragma GCC unroll 16
    for (std::size_t i = 0; i < kMR; ++i) {
      const double ai = a[i];
#pragma GCC unroll 16
      for (std::size_t j = 0; j < kNR; ++j) acc[i][j] += ai * b[j];
    }
  }
  if (m == kMR && n == kNR) {
    if (store) {
#pragma GCC unroll 16
      for (std::size_t i = 0; i < kMR; ++i)
#pragma GCC unroll 16
        for (std::size_t j = 0; j < kNR; ++j) c[i * ldc + j] = acc[i][j];
    } else {
#pragma GCC unroll 16
      for (std::size_t i = 0; i < kMR; ++i)
#pragma GCC unroll 16
        for (std::size_t j = 0; j < kNR; ++j) c[i * ldc + j] += acc[i][j];
    }
    return;
  }
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = store ? acc[i][j] : c[i * ldc + j] + acc[i][j];
}

// Grow-only, 64-byte aligned per-thread buffers for the packed operands.
double* aligned_buffer(std::vector<double>& w, std::size_t n) {
  constexpr std::size_t kAlign = 64 / sizeof(double);
  if (w.size() < n + kAlign) w.resize(n + kAlign);
  const auto misalign = reinterpret_cast<std::uintptr_t>(w.data()) % 64 / sizeof(double);
  return w.data() + (kAlign - misalign) % kAlign;
}

// C (p x q, row stride q) += L R, or C = L R when `overwrite`, with L (p x r) = `left` and R
// (r x q) given through R^T = `right_t`.
void product(std::size_t p, std::size_t r, std::size_t q, const Operand& left, const Operand& right_t, double* c,
             bool overwrite) {
  if (r == 0) {
    if (overwrite) std::fill(c, c + p * q, 0.0);
    return;
  }
  thread_local std::vector<double> a_store, b_store;
  const std::size_t kc_max = std::min(kKC, r);
  double* pa = aligned_buffer(a_store, round_up(std::min(kMC, p), kMR) * kc_max);
  double* pb = aligned_buffer(b_store, round_up(std::min(kNC, q), kNR) * kc_max);
  for (std::size_t jc = 0; jc < q; jc += kNC) {
    const std::size_t nc = std::min(kNC, q - jc);
    for (std::size_t pc = 0; pc < r; pc += kKC) {
      const std::size_t kc = std::min(kKC, r - pc);
      pack<kNR>(right_t, jc, nc, pc, kc, pb);
      const bool store = overwrite && pc == 0;
      for (std::size_t ic = 0; ic < p; ic += kMC) {
        const std::size_t mc = std::min(kMC, p - ic);
        pack<kMR>(left, ic, mc, pc, kc, pa);
        for (std::size_t jr = 0; jr < nc; jr += kNR)
          for (std::size_t ir = 0; ir < mc; ir += kMR)
            tile(kc, pa + ir * kc, pb + jr * kc, c + (ic + ir) * q + jc + jr, q, std::min(kMR, mc - ir),
                 std::min(kNR, nc - jr), store);
      }
    }
  }
}

// Which product: C += A B, A^T B or A B^T (the simple loops differ in speed).
enum class Form { nn, tn, nt };

// Packing costs O(pr + rq), each tile's set-up and write-back O(MR NR), and edge tiles compute
// padding; the row loops win on products too small or too thin to repay that. The thresholds come
// from timing both paths on square and skinny shapes with each tile shape above. The row loops of
// C += A^T B are the strongest (C's rows stay in L1 for small p q). With SSE2 (no fused
// multiply-add, two doubles a register) the tile only pays where the row loops would first
// transpose B.
bool worthwhile(Form form, std::size_t p, std::size_t r, std::size_t q) {
  if (p < kMR || q < (kNR + 1) / 2 || r < 8) return false;
  const std::size_t work = p * r * q;
#if defined(__AVX512F__)
  if (form == Form::tn) return p * q >= 32 * 32;
  return work >= 20 * 20 * 20;
#elif defined(__AVX__)
  if (form == Form::tn) return p * q >= 64 * 64;
  return work >= 32 * 32 * 32;
#else
  return form == Form::nt && r >= 16 && work >= 16 * 16 * 16;
#endif
}

}  // namespace blocked
}  // namespace

void multiply(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c) {
  if (q == 1) {
    for (std::size_t i = 0; i < p; ++i) c[i] = dot(a + i * r, b, r);
    return;
  }
  if (blocked::worthwhile(blocked::Form::nn, p, r, q))
    return blocked::product(p, r, q, {a, r, false}, {b, q, true}, c, true);
  std::fill(c, c + p * q, 0.0);
  multiply_add(p, r, q, a, b, c);
}

void multiply_copy(std::size_t p, std::size_t r, std::size_t q, const double* a, double* a_copy, const double* b,
                   double* c) {
  if (q != 1 && blocked::worthwhile(blocked::Form::nn, p, r, q)) {
    array_copy(a, p * r, a_copy);
    return blocked::product(p, r, q, {a_copy, r, false}, {b, q, true}, c, true);
  }
  for (std::size_t i = 0; i < p; ++i) {
    double* ai = a_copy + i * r;
    if (q == 1) {
      c[i] = dot_copy(a + i * r, ai, b, r);
    } else {
      array_copy(a + i * r, r, ai);
      double* ci = c + i * q;
      std::fill(ci, ci + q, 0.0);
      axpy_rows(q, r, ai, b, q, ci);
    }
  }
}

void multiply_add(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c) {
  if (q == 1) {
    for (std::size_t i = 0; i < p; ++i) c[i] += dot(a + i * r, b, r);
    return;
  }
  if (blocked::worthwhile(blocked::Form::nn, p, r, q))
    return blocked::product(p, r, q, {a, r, false}, {b, q, true}, c, false);
  // i-k-j order: the inner loop runs along rows of B and C.
  for (std::size_t i = 0; i < p; ++i) axpy_rows(q, r, a + i * r, b, q, c + i * q);
}

void multiply_tn_add(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c) {
  if (q == 1) return axpy_rows(p, r, b, a, p, c);
  if (blocked::worthwhile(blocked::Form::tn, p, r, q))
    return blocked::product(p, r, q, {a, p, true}, {b, q, true}, c, false);
  // C_i += sum_t A_ti B_t (rows of B), four values of t per pass over C_i.
  std::size_t t = 0;
  for (; t + 4 <= r; t += 4) {
    const double* a0 = a + t * p;
    const double* bt = b + t * q;
    for (std::size_t i = 0; i < p; ++i)
      axpy4(q, a0[i], a0[p + i], a0[2 * p + i], a0[3 * p + i], bt, bt + q, bt + 2 * q, bt + 3 * q, c + i * q);
  }
  for (; t < r; ++t)
    for (std::size_t i = 0; i < p; ++i) axpy(q, a[t * p + i], b + t * q, c + i * q);
}

void multiply_tn_add2(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b1, double* c1,
                      const double* b2, double* c2) {
  if (q == 1) {
    std::size_t t = 0;
    for (; t + 4 <= r; t += 4)
      axpy4x2(p, b1 + t, b2 + t, a + t * p, a + (t + 1) * p, a + (t + 2) * p, a + (t + 3) * p, c1, c2);
    for (; t < r; ++t) axpy2(p, b1[t], b2[t], a + t * p, c1, c2);
    return;
  }
  multiply_tn_add(p, r, q, a, b1, c1);
  multiply_tn_add(p, r, q, a, b2, c2);
}

void multiply_nt_add(std::size_t p, std::size_t r, std::size_t q, const double* a, const double* b, double* c) {
  // B^T (r x q) has B's layout when B is a row or a column; otherwise transpose it once so that
  // the product runs in i-k-j order.
  if (r == 1 || q == 1) return multiply_add(p, r, q, a, b, c);
  if (blocked::worthwhile(blocked::Form::nt, p, r, q))
    return blocked::product(p, r, q, {a, r, false}, {b, r, false}, c, false);
  double* bt = workspace(r * q);
  transpose_into(q, r, b, bt);
  multiply_add(p, r, q, a, bt, c);
}

void multiply_nt_add2(std::size_t p, std::size_t r, std::size_t q, const double* a1, double* c1, const double* a2,
                      double* c2, const double* b) {
  if (r == 1 || q == 1 || blocked::worthwhile(blocked::Form::nt, p, r, q)) {
    multiply_nt_add(p, r, q, a1, b, c1);
    multiply_nt_add(p, r, q, a2, b, c2);
    return;
  }
  double* bt = workspace(r * q);
  transpose_into(q, r, b, bt);
  multiply_add(p, r, q, a1, bt, c1);
  multiply_add(p, r, q, a2, bt, c2);
}

// ---- factorisation and solves ----

void cholesky(const char* fn, std::size_t n, const double* a, double* l) {
  // Row by row (Cholesky-Banachiewicz): each entry is a dot product of two rows of L.
  for (std::size_t i = 0; i < n; ++i) {
    double* li = l + i * n;
    for (std::size_t j = 0; j < i; ++j) li[j] = (a[i * n + j] - dot(li, l + j * n, j)) / l[j * n + j];
    const double d = a[i * n + i] - dot(li, li, i);
    if (!(d > 0.0)) throw not_positive_definite(fn, i, d);
    li[i] = std::sqrt(d);
    std::fill(li + i + 1, li + n, 0.0);
  }
}

void solve_lower(std::size_t n, std::size_t m, const double* l, double* b) {
  if (m == 1) {
    for (std::size_t i = 0; i < n; ++i) b[i] = (b[i] - dot(l + i * n, b, i)) / l[i * n + i];
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    double* bi = b + i * m;
    const double* li = l + i * n;
    for (std::size_t t = 0; t < i; ++t) axpy(m, -li[t], b + t * m, bi);
    const double d = li[i];
    for (std::size_t j = 0; j < m; ++j) bi[j] /= d;
  }
}

void solve_lower_transpose(std::size_t n, std::size_t m, const double* l, double* b) {
  // Back substitution by columns of L^T (= rows of L): once x_i is known, eliminate it from the
  // rows above, reading row i of L contiguously.
  for (std::size_t i = n; i-- > 0;) {
    const double* li = l + i * n;
    double* bi = b + i * m;
    const double d = li[i];
    if (m == 1) {
      bi[0] /= d;
      axpy(i, -bi[0], li, b);
    } else {
      for (std::size_t j = 0; j < m; ++j) bi[j] /= d;
      for (std::size_t t = 0; t < i; ++t) axpy(m, -li[t], bi, b + t * m);
    }
  }
}

void solve_right_lower(std::size_t p, std::size_t n, const double* l, double* b) {
  // x L = b  <=>  L^T x^T = b^T, row by row.
  for (std::size_t i = 0; i < p; ++i) solve_lower_transpose(n, 1, l, b + i * n);
}

void solve_right_lower_transpose(std::size_t p, std::size_t n, const double* l, double* b) {
  // x L^T = b  <=>  L x^T = b^T.
  for (std::size_t i = 0; i < p; ++i) solve_lower(n, 1, l, b + i * n);
}

void cholesky_inverse(std::size_t n, const double* l, double* ainv) {
  std::fill(ainv, ainv + n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) ainv[i * n + i] = 1.0;
  solve_lower(n, n, l, ainv);
  solve_lower_transpose(n, n, l, ainv);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const double s = 0.5 * (ainv[i * n + j] + ainv[j * n + i]);
      ainv[i * n + j] = ainv[j * n + i] = s;
    }
}

// ---- helpers for the rules ----

void mirror_lower(std::size_t n, const double* a, double* out) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) out[i * n + j] = out[j * n + i] = a[i * n + j];
}

void fold_lower_add(std::size_t n, const double* g, double s, double* abar) {
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) abar[i * n + j] += s * (g[i * n + j] + g[j * n + i]);
    abar[i * n + i] += s * g[i * n + i];
  }
}

namespace {
using Buf = std::vector<double>;

// tril(M) as a new buffer (upper triangle 0).
Buf tril(std::size_t n, const double* m) {
  Buf t(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) std::copy(m + i * n, m + i * n + i + 1, t.data() + i * n);
  return t;
}
// Phi: lower triangle with the diagonal halved, in place.
void phi(std::size_t n, double* x) {
  for (std::size_t i = 0; i < n; ++i) {
    x[i * n + i] *= 0.5;
    std::fill(x + i * n + i + 1, x + (i + 1) * n, 0.0);
  }
}
// out (n x m) = tril(L) X, overwritten.
void lower_times(std::size_t n, std::size_t m, const double* l, const double* x, double* out) {
  for (std::size_t i = 0; i < n; ++i) {
    double* oi = out + i * m;
    std::fill(oi, oi + m, 0.0);
    for (std::size_t t = 0; t <= i; ++t) axpy(m, l[i * n + t], x + t * m, oi);
  }
}
// out (n x m) = tril(L)^T X, overwritten.
void lower_t_times(std::size_t n, std::size_t m, const double* l, const double* x, double* out) {
  std::fill(out, out + n * m, 0.0);
  for (std::size_t t = 0; t < n; ++t) {
    const double* lt = l + t * n;
    const double* xt = x + t * m;
    for (std::size_t i = 0; i <= t; ++i) axpy(m, lt[i], xt, out + i * m);
  }
}
// out (n x n, lower triangle only) += s tril(P Q^T), P and Q n x m.
void add_tril_nt(std::size_t n, std::size_t m, double s, const double* p, const double* q, double* out) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) out[i * n + j] += s * dot(p + i * m, q + j * m, m);
}
// In place: X <- L^{-T} X L^{-1} (X n x n).
void sandwich_inverse(std::size_t n, const double* l, double* x) {
  solve_lower_transpose(n, n, l, x);
  solve_right_lower(n, n, l, x);
}
// In place: B <- (L L^T)^{-1} B.
void spd_solve_in_place(std::size_t n, std::size_t m, const double* l, double* b) {
  solve_lower(n, m, l, b);
  solve_lower_transpose(n, m, l, b);
}
}  // namespace

// ---- Cholesky rules ----
// A = L L^T, so L^{-1} dA L^{-T} = X + X^T with X = L^{-1} dL lower triangular: X = Phi(L^{-1} dA L^{-T}).
// Reverse (Murray 2016): with P = Phi(L^T Lbar), G = L^{-T} P L^{-1} is the gradient with respect
// to a symmetric perturbation of A; folding it gives the adjoint of the lower triangle.

void cholesky_tangent(std::size_t n, const double* l, const double* adot, double* ldot) {
  Buf s(n * n);
  mirror_lower(n, adot, s.data());
  solve_lower(n, n, l, s.data());
  solve_right_lower_transpose(n, n, l, s.data());
  phi(n, s.data());
  lower_times(n, n, l, s.data(), ldot);
  for (std::size_t i = 0; i < n; ++i) std::fill(ldot + i * n + i + 1, ldot + (i + 1) * n, 0.0);
}

void cholesky_adjoint(std::size_t n, const double* l, const double* lbar, double* abar) {
  const Buf m = tril(n, lbar);
  Buf g(n * n);
  lower_t_times(n, n, l, m.data(), g.data());
  phi(n, g.data());
  sandwich_inverse(n, l, g.data());
  std::fill(abar, abar + n * n, 0.0);
  fold_lower_add(n, g.data(), 1.0, abar);
}

// Tangent of the reverse rule: with W = L^{-1} Ldot,
//   dP = Phi(Ldot^T Lbar + L^T Lbar2),  dG = L^{-T} (dP - W^T P - P W) L^{-1}.
void cholesky_adjoint2(std::size_t n, const double* l, const double* ldot, const double* lbar, const double* lbar2,
                       double* abar, double* abar2) {
  const Buf m = tril(n, lbar), m2 = tril(n, lbar2);
  Buf w = tril(n, ldot);
  Buf p(n * n), dp(n * n), tmp(n * n);
  lower_t_times(n, n, l, m.data(), p.data());
  phi(n, p.data());
  lower_t_times(n, n, w.data(), m.data(), dp.data());
  lower_t_times(n, n, l, m2.data(), tmp.data());
  for (std::size_t k = 0; k < n * n; ++k) dp[k] += tmp[k];
  phi(n, dp.data());
  solve_lower(n, n, l, w.data());  // W = L^{-1} Ldot (lower triangular)
  // Q = dP - W^T P - P W, in dp.
  std::fill(tmp.begin(), tmp.end(), 0.0);
  multiply_tn_add(n, n, n, w.data(), p.data(), tmp.data());
  multiply_add(n, n, n, p.data(), w.data(), tmp.data());
  for (std::size_t k = 0; k < n * n; ++k) dp[k] -= tmp[k];
  sandwich_inverse(n, l, p.data());
  sandwich_inverse(n, l, dp.data());
  std::fill(abar, abar + n * n, 0.0);
  std::fill(abar2, abar2 + n * n, 0.0);
  fold_lower_add(n, p.data(), 1.0, abar);
  fold_lower_add(n, dp.data(), 1.0, abar2);
}

// ---- triangular solve rules (Giles 2008: C = A^{-1} B gives Bbar = A^{-T} Cbar, Abar = -Bbar C^T) ----

void tri_solve_tangent(bool transpose, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* ldot, const double* bdot, double* xdot) {
  if (bdot)
    array_copy(bdot, n * m, xdot);
  else
    std::fill(xdot, xdot + n * m, 0.0);
  if (ldot) {
    Buf t(n * m);
    if (transpose)
      lower_t_times(n, m, ldot, x, t.data());
    else
      lower_times(n, m, ldot, x, t.data());
    for (std::size_t k = 0; k < n * m; ++k) xdot[k] -= t[k];
  }
  if (transpose)
    solve_lower_transpose(n, m, l, xdot);
  else
    solve_lower(n, m, l, xdot);
}

namespace {
// Bbar = op(L)^{-T} Xbar.
Buf tri_solve_bbar(bool transpose, std::size_t n, std::size_t m, const double* l, const double* xbar) {
  Buf b(xbar, xbar + n * m);
  if (transpose)
    solve_lower(n, m, l, b.data());
  else
    solve_lower_transpose(n, m, l, b.data());
  return b;
}
}  // namespace

void tri_solve_adjoint(bool transpose, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* xbar, double* lbar, double* bbar) {
  const Buf b = tri_solve_bbar(transpose, n, m, l, xbar);
  if (bbar)
    for (std::size_t k = 0; k < n * m; ++k) bbar[k] += b[k];
  if (lbar) {
    if (transpose)
      add_tril_nt(n, m, -1.0, x, b.data(), lbar);
    else
      add_tril_nt(n, m, -1.0, b.data(), x, lbar);
  }
}

void tri_solve_adjoint2(bool transpose, std::size_t n, std::size_t m, const double* l, const double* x,
                        const double* ldot, const double* xdot, const double* xbar, const double* xbar2,
                        double* lbar, double* lbar2, double* bbar, double* bbar2) {
  const Buf b = tri_solve_bbar(transpose, n, m, l, xbar);
  // Bbar2 = op(L)^{-T} (Xbar2 - op(Ldot)^T Bbar).
  Buf b2(xbar2, xbar2 + n * m);
  if (ldot) {
    Buf t(n * m);
    if (transpose)
      lower_times(n, m, ldot, b.data(), t.data());
    else
      lower_t_times(n, m, ldot, b.data(), t.data());
    for (std::size_t k = 0; k < n * m; ++k) b2[k] -= t[k];
  }
  if (transpose)
    solve_lower(n, m, l, b2.data());
  else
    solve_lower_transpose(n, m, l, b2.data());
  if (bbar)
    for (std::size_t k = 0; k < n * m; ++k) {
      bbar[k] += b[k];
      bbar2[k] += b2[k];
    }
  if (lbar) {
    if (transpose) {
      add_tril_nt(n, m, -1.0, x, b.data(), lbar);
      add_tril_nt(n, m, -1.0, xdot, b.data(), lbar2);
      add_tril_nt(n, m, -1.0, x, b2.data(), lbar2);
    } else {
      add_tril_nt(n, m, -1.0, b.data(), x, lbar);
      add_tril_nt(n, m, -1.0, b2.data(), x, lbar2);
      add_tril_nt(n, m, -1.0, b.data(), xdot, lbar2);
    }
  }
}

// ---- SPD solve rules: X = A^{-1} B. Gradient with respect to the full A: G = -Bbar X^T. ----
// Through the factor (A = L L^T): Lbar = tril((G + G^T) L) = -tril(Bbar (L^T X)^T + X (L^T Bbar)^T).

namespace {
// out (n x m) = Adot Y, with Adot the tangent of A: mirrored from mdot, or Ldot L^T + L Ldot^T.
void adot_times(bool factor, std::size_t n, std::size_t m, const double* l, const double* mdot, const double* y,
                double* out) {
  if (factor) {
    Buf u(n * m), t(n * m);
    lower_t_times(n, m, l, y, u.data());  // L^T Y
    lower_times(n, m, mdot, u.data(), out);  // Ldot L^T Y
    lower_t_times(n, m, mdot, y, u.data());  // Ldot^T Y
    lower_times(n, m, l, u.data(), t.data());  // L Ldot^T Y
    for (std::size_t k = 0; k < n * m; ++k) out[k] += t[k];
  } else {
    Buf s(n * n);
    mirror_lower(n, mdot, s.data());
    multiply(n, n, m, s.data(), y, out);
  }
}
}  // namespace

void spd_solve_tangent(bool factor, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* mdot, const double* bdot, double* xdot) {
  if (bdot)
    array_copy(bdot, n * m, xdot);
  else
    std::fill(xdot, xdot + n * m, 0.0);
  if (mdot) {
    Buf t(n * m);
    adot_times(factor, n, m, l, mdot, x, t.data());
    for (std::size_t k = 0; k < n * m; ++k) xdot[k] -= t[k];
  }
  spd_solve_in_place(n, m, l, xdot);
}

void spd_solve_adjoint(bool factor, std::size_t n, std::size_t m, const double* l, const double* x,
                       const double* xbar, double* mbar, double* bbar) {
  Buf b(xbar, xbar + n * m);
  spd_solve_in_place(n, m, l, b.data());
  if (bbar)
    for (std::size_t k = 0; k < n * m; ++k) bbar[k] += b[k];
  if (!mbar) return;
  if (factor) {
    Buf u(n * m), v(n * m);
    lower_t_times(n, m, l, x, u.data());
    lower_t_times(n, m, l, b.data(), v.data());
    add_tril_nt(n, m, -1.0, b.data(), u.data(), mbar);
    add_tril_nt(n, m, -1.0, x, v.data(), mbar);
  } else {
    Buf g(n * n, 0.0);
    multiply_nt_add(n, m, n, b.data(), x, g.data());
    fold_lower_add(n, g.data(), -1.0, mbar);
  }
}

// Bbar2 = A^{-1} (Xbar2 - Adot Bbar); G2 = -(Bbar2 X^T + Bbar Xdot^T).
void spd_solve_adjoint2(bool factor, std::size_t n, std::size_t m, const double* l, const double* x,
                        const double* mdot, const double* xdot, const double* xbar, const double* xbar2, double* mbar,
                        double* mbar2, double* bbar, double* bbar2) {
  Buf b(xbar, xbar + n * m), b2(xbar2, xbar2 + n * m);
  spd_solve_in_place(n, m, l, b.data());
  if (mdot) {
    Buf t(n * m);
    adot_times(factor, n, m, l, mdot, b.data(), t.data());
    for (std::size_t k = 0; k < n * m; ++k) b2[k] -= t[k];
  }
  spd_solve_in_place(n, m, l, b2.data());
  if (bbar)
    for (std::size_t k = 0; k < n * m; ++k) {
      bbar[k] += b[k];
      bbar2[k] += b2[k];
    }
  if (!mbar) return;
  if (factor) {
    // With U = L^T X, V = L^T Bbar, U1 = L^T Xdot, V2 = L^T Bbar2, Ud = Ldot^T X, Vd = Ldot^T Bbar:
    //   Lbar  -= tril(Bbar U^T + X V^T)
    //   Lbar2 -= tril(Bbar2 U^T + Bbar U1^T + X V2^T + Xdot V^T + Bbar Ud^T + X Vd^T).
    Buf u(n * m), v(n * m), t(n * m);
    lower_t_times(n, m, l, x, u.data());
    lower_t_times(n, m, l, b.data(), v.data());
    add_tril_nt(n, m, -1.0, b.data(), u.data(), mbar);
    add_tril_nt(n, m, -1.0, x, v.data(), mbar);
    add_tril_nt(n, m, -1.0, b2.data(), u.data(), mbar2);
    add_tril_nt(n, m, -1.0, xdot, v.data(), mbar2);
    lower_t_times(n, m, l, xdot, t.data());
    add_tril_nt(n, m, -1.0, b.data(), t.data(), mbar2);
    lower_t_times(n, m, l, b2.data(), t.data());
    add_tril_nt(n, m, -1.0, x, t.data(), mbar2);
    lower_t_times(n, m, mdot, x, t.data());
    add_tril_nt(n, m, -1.0, b.data(), t.data(), mbar2);
    lower_t_times(n, m, mdot, b.data(), t.data());
    add_tril_nt(n, m, -1.0, x, t.data(), mbar2);
  } else {
    Buf g(n * n, 0.0), g2(n * n, 0.0);
    multiply_nt_add(n, m, n, b.data(), x, g.data());
    multiply_nt_add(n, m, n, b2.data(), x, g2.data());
    multiply_nt_add(n, m, n, b.data(), xdot, g2.data());
    fold_lower_add(n, g.data(), -1.0, mbar);
    fold_lower_add(n, g2.data(), -1.0, mbar2);
  }
}

// ---- log determinant of an SPD matrix: d log det A = <A^{-1}, dA>, d A^{-1} = -A^{-1} dA A^{-1} ----

double log_det_spd_tangent(std::size_t n, const double* ainv, const double* adot) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    s += 2.0 * dot(ainv + i * n, adot + i * n, i);
    s += ainv[i * n + i] * adot[i * n + i];
  }
  return s;
}

void log_det_spd_adjoint2(std::size_t n, const double* ainv, const double* adot, double g, double g2, double* abar,
                          double* abar2) {
  fold_lower_add(n, ainv, g, abar);
  fold_lower_add(n, ainv, g2, abar2);
  Buf s(n * n), t(n * n), u(n * n);
  mirror_lower(n, adot, s.data());
  multiply(n, n, n, ainv, s.data(), t.data());
  multiply(n, n, n, t.data(), ainv, u.data());
  fold_lower_add(n, u.data(), -g, abar2);
}

// ---- y = tr(B^T A B): dy = <dA, B B^T> + <dB, (A + A^T) B> ----

void quad_form_gradient_b(std::size_t n, std::size_t q, const double* a, const double* b, double* z) {
  multiply(n, n, q, a, b, z);
  multiply_tn_add(n, n, q, a, b, z);
}

double quad_form_tangent(std::size_t n, std::size_t q, const double* b, const double* z, const double* adot,
                         const double* bdot) {
  double s = 0.0;
  if (adot) {
    Buf t(n * q);
    multiply(n, n, q, adot, b, t.data());
    s += dot(b, t.data(), n * q);
  }
  if (bdot) s += dot(bdot, z, n * q);
  return s;
}

void quad_form_adjoint(std::size_t n, std::size_t q, const double* b, const double* z, double g, double* abar,
                       double* bbar) {
  if (abar) {
    Buf gb(b, b + n * q);
    for (double& v : gb) v *= g;
    multiply_nt_add(n, q, n, gb.data(), b, abar);
  }
  if (bbar) axpy(n * q, g, z, bbar);
}

void quad_form_adjoint2(std::size_t n, std::size_t q, const double* a, const double* b, const double* z,
                        const double* adot, const double* bdot, double g, double g2, double* abar, double* abar2,
                        double* bbar, double* bbar2) {
  quad_form_adjoint(n, q, b, z, g, abar, bbar);
  if (abar2) {
    // g2 B B^T + g (Bdot B^T + B Bdot^T) = (g2 B + g Bdot) B^T + (g B) Bdot^T.
    Buf u(b, b + n * q);
    for (double& v : u) v *= g2;
    if (bdot) axpy(n * q, g, bdot, u.data());
    multiply_nt_add(n, q, n, u.data(), b, abar2);
    if (bdot) {
      for (std::size_t k = 0; k < n * q; ++k) u[k] = g * b[k];
      multiply_nt_add(n, q, n, u.data(), bdot, abar2);
    }
  }
  if (bbar2) {
    axpy(n * q, g2, z, bbar2);
    Buf t(n * q);
    if (adot) {
      quad_form_gradient_b(n, q, adot, b, t.data());
      axpy(n * q, g, t.data(), bbar2);
    }
    if (bdot) {
      quad_form_gradient_b(n, q, a, bdot, t.data());
      axpy(n * q, g, t.data(), bbar2);
    }
  }
}

}  // namespace linalg
}  // namespace tapir::autodiff
