// The tape's sweeps. Each case is generated from the operation lists of scalar_ops.hpp, and each
// rule reads the operation's definitions there, so the three sweeps cannot disagree.
#include <bit>
#include <cstdint>
#include <type_traits>

#include "autodiff/scalar_ops.hpp"
#include "autodiff/tape.hpp"

namespace tapir::autodiff {

namespace {

template <class D>
inline constexpr bool is_zero = std::is_same_v<D, zero_t>;

// ---- first-order adjoints ----
// Chains of statements (s = s + x[i], lp += ...) make each statement's output the first operand
// of the statement after it. The reverse sweep therefore carries the adjoint it last wrote to a
// first operand in a register (`Carry`), so that the next statement reads its output's adjoint
// without waiting on a store-to-load round trip through memory.
struct Carry {
  index_t slot = ~index_t{0};
  double adj = 0.0;
  double take(index_t out, const double* adj_array) const {
    double g = adj;
    if (out != slot) [[unlikely]]
      g = adj_array[out];
    return g;
  }
  void reset() { slot = ~index_t{0}; }
};
// old + d, without the addition when old is still +0 (the common case: most variables have one
// use), which takes the adder's latency off the chain of a running sum or product. Skipping it
// changes nothing but the sign of a zero result (+0 + -0 is +0, and this returns -0). The test is
// on the bits, an integer test and branch, where a floating-point compare needs a zeroed register,
// a compare and two branches (NaN sets parity).
inline double accumulate(double old, double d) {
  if (std::bit_cast<std::uint64_t>(old) != 0) [[unlikely]]
    d += old;
  return d;
}

template <class Op>
[[gnu::always_inline]] inline void rev_u(const Statement& s, const double* val, double* adj, Carry& c) {
  const double g = c.take(s.out, adj);
  const double r = accumulate(adj[s.a], g * Op::d1(val[s.a], val[s.out]));
  adj[s.a] = r;
  c.slot = s.a;
  c.adj = r;
}
template <class Op>
[[gnu::always_inline]] inline void rev_vv(const Statement& s, const double* val, double* adj, Carry& c) {
  const double g = c.take(s.out, adj), a = val[s.a], b = val[s.b], y = val[s.out];
  const double ga = g * Op::da(a, b, y), gb = g * Op::db(a, b, y);
  // b before a, and a read after b's write: x + x (a == b) then needs no branch of its own.
  adj[s.b] += gb;
  const double r = accumulate(adj[s.a], ga);
  adj[s.a] = r;
  c.slot = s.a;
  c.adj = r;
}
template <class Op>
[[gnu::always_inline]] inline void rev_vd(const Statement& s, const double* val, double* adj, Carry& c) {
  const double g = c.take(s.out, adj);
  const double r = accumulate(adj[s.a], g * Op::da(val[s.a], val[s.b], val[s.out]));
  adj[s.a] = r;
  c.slot = s.a;
  c.adj = r;
}
template <class Op>
[[gnu::always_inline]] inline void rev_dv(const Statement& s, const double* val, double* adj, Carry& c) {
  const double g = c.take(s.out, adj);
  const double r = accumulate(adj[s.b], g * Op::db(val[s.a], val[s.b], val[s.out]));
  adj[s.b] = r;
  c.slot = s.b;
  c.adj = r;
}

// ---- tangents ----
template <class Op>
[[gnu::always_inline]] inline void tan_u(const Statement& s, const double* val, double* dot) {
  dot[s.out] = Op::d1(val[s.a], val[s.out]) * dot[s.a];
}
template <class Op>
[[gnu::always_inline]] inline void tan_vv(const Statement& s, const double* val, double* dot) {
  const double a = val[s.a], b = val[s.b], y = val[s.out];
  dot[s.out] = Op::da(a, b, y) * dot[s.a] + Op::db(a, b, y) * dot[s.b];
}
template <class Op>
[[gnu::always_inline]] inline void tan_vd(const Statement& s, const double* val, double* dot) {
  dot[s.out] = Op::da(val[s.a], val[s.b], val[s.out]) * dot[s.a];
}
template <class Op>
[[gnu::always_inline]] inline void tan_dv(const Statement& s, const double* val, double* dot) {
  dot[s.out] = Op::db(val[s.a], val[s.b], val[s.out]) * dot[s.b];
}

// ---- second-order adjoints (with the first-order ones) ----
template <class Op>
[[gnu::always_inline]] inline void rev2_u(const Statement& s, const SweepArrays& w) {
  const double g = w.adj[s.out], g2 = w.adj2[s.out], x = w.val[s.a], y = w.val[s.out];
  const double d1 = Op::d1(x, y);
  w.adj[s.a] = accumulate(w.adj[s.a], g * d1);
  if constexpr (is_zero<decltype(Op::d2(x, y))>)
    w.adj2[s.a] += g2 * d1;
  else
    w.adj2[s.a] += g2 * d1 + g * Op::d2(x, y) * w.dot[s.a];
}
template <class Op>
[[gnu::always_inline]] inline void rev2_vv(const Statement& s, const SweepArrays& w) {
  const double g = w.adj[s.out], g2 = w.adj2[s.out];
  const double a = w.val[s.a], b = w.val[s.b], y = w.val[s.out];
  const double da = Op::da(a, b, y), db = Op::db(a, b, y);
  w.adj[s.a] = accumulate(w.adj[s.a], g * da);
  w.adj[s.b] = accumulate(w.adj[s.b], g * db);
  constexpr bool zaa = is_zero<decltype(Op::daa(a, b, y))>;
  constexpr bool zab = is_zero<decltype(Op::dab(a, b, y))>;
  constexpr bool zbb = is_zero<decltype(Op::dbb(a, b, y))>;
  if constexpr (zaa && zab && zbb) {
    w.adj2[s.a] += g2 * da;
    w.adj2[s.b] += g2 * db;
  } else {
    const double ta = w.dot[s.a], tb = w.dot[s.b];
    double ha = 0.0, hb = 0.0;
    if constexpr (!zaa) ha += Op::daa(a, b, y) * ta;
    if constexpr (!zab) {
      const double h = Op::dab(a, b, y);
      ha += h * tb;
      hb += h * ta;
    }
    if constexpr (!zbb) hb += Op::dbb(a, b, y) * tb;
    w.adj2[s.a] += g2 * da + g * ha;
    w.adj2[s.b] += g2 * db + g * hb;
  }
}
template <class Op>
[[gnu::always_inline]] inline void rev2_vd(const Statement& s, const SweepArrays& w) {
  const double g = w.adj[s.out], g2 = w.adj2[s.out];
  const double a = w.val[s.a], b = w.val[s.b], y = w.val[s.out];
  const double da = Op::da(a, b, y);
  w.adj[s.a] = accumulate(w.adj[s.a], g * da);
  if constexpr (is_zero<decltype(Op::daa(a, b, y))>)
    w.adj2[s.a] += g2 * da;
  else
    w.adj2[s.a] += g2 * da + g * Op::daa(a, b, y) * w.dot[s.a];
}
template <class Op>
[[gnu::always_inline]] inline void rev2_dv(const Statement& s, const SweepArrays& w) {
  const double g = w.adj[s.out], g2 = w.adj2[s.out];
  const double a = w.val[s.a], b = w.val[s.b], y = w.val[s.out];
  const double db = Op::db(a, b, y);
  w.adj[s.b] = accumulate(w.adj[s.b], g * db);
  if constexpr (is_zero<decltype(Op::dbb(a, b, y))>)
    w.adj2[s.b] += g2 * db;
  else
    w.adj2[s.b] += g2 * db + g * Op::dbb(a, b, y) * w.dot[s.b];
}


}  // namespace

// GCC merges the handlers' indirect jumps into one unless global CSE and cross-jumping are off for
// this function (GCC manual, -fno-gcse: "programs using computed gotos").
#if defined(__GNUC__) && !defined(__clang__)
#define TAPIR_THREADED_DISPATCH [[gnu::optimize("no-gcse", "no-crossjumping")]]
#else
#define TAPIR_THREADED_DISPATCH
#endif

// The table's address kept in a register: as a constant, GCC recomputes it (a RIP-relative lea)
// in every handler, one instruction in twenty.
#if defined(__GNUC__)
#define TAPIR_OPAQUE(p) asm("" : "+r"(p));
#else
#define TAPIR_OPAQUE(p)
#endif

// The jump table of a threaded sweep: one label per opcode, in Opcode's order (both come from the
// same operation lists), each sweep defining the labels L_<opcode>.
#define TAPIR_HANDLER_TABLE                                                              \
  static constexpr void* handlers[] = {TAPIR_UNARY_OPS(TAPIR_LABEL_U)                    \
                                           TAPIR_BINARY_OPS(TAPIR_LABEL_B) &&L_Custom};  \
  const void* const* dispatch = handlers;                                                \
  TAPIR_OPAQUE(dispatch)
#define TAPIR_LABEL_U(Op, fn) &&L_##Op,
#define TAPIR_LABEL_B(Op, fn) &&L_##Op##_vv, &&L_##Op##_vd, &&L_##Op##_dv,
// Jump to the handler of the statement before s (reverse sweeps) or of s itself, which the
// handler then steps past (forward sweeps), or leave at `stop`.
#define TAPIR_NEXT_BACKWARD   \
  do {                        \
    if (s == stop) goto done; \
    --s;                      \
    goto* dispatch[s->op];    \
  } while (0)
#define TAPIR_NEXT_FORWARD    \
  do {                        \
    if (s == stop) goto done; \
    goto* dispatch[s->op];    \
  } while (0)

TAPIR_THREADED_DISPATCH void Tape::run_reverse(std::size_t begin) {
  // Threaded dispatch (labels as values, a GNU extension that GCC and Clang share): every handler
  // ends with its own indirect jump to the next statement's handler, so the branch predictor sees
  // each opcode's successor separately, and the loop's bounds check and jump-table range check of
  // a switch disappear. Handlers are forced inline so that the carry stays in registers.
  TAPIR_HANDLER_TABLE;
  const Statement* st = statements_;
  const double* val = val_;
  double* adj = adj_;
  Carry carry;
  const Statement* s = st + nstatements_;
  const Statement* stop = st + begin;
#define TAPIR_NEXT TAPIR_NEXT_BACKWARD
  TAPIR_NEXT;
#define TAPIR_REV_U(Op, fn) \
  L_##Op : rev_u<ops::Op>(*s, val, adj, carry); TAPIR_NEXT;
#define TAPIR_REV_B(Op, fn)                                          \
  L_##Op##_vv : rev_vv<ops::Op>(*s, val, adj, carry); TAPIR_NEXT;    \
  L_##Op##_vd : rev_vd<ops::Op>(*s, val, adj, carry); TAPIR_NEXT;    \
  L_##Op##_dv : rev_dv<ops::Op>(*s, val, adj, carry); TAPIR_NEXT;
  TAPIR_UNARY_OPS(TAPIR_REV_U)
  TAPIR_BINARY_OPS(TAPIR_REV_B)
#undef TAPIR_REV_U
#undef TAPIR_REV_B
L_Custom: {
  // A node may record (nested AD) and so move the buffers.
  const std::size_t k = static_cast<std::size_t>(s - st);
  nodes_[s->a]->reverse(arrays());
  carry.reset();
  st = statements_;
  s = st + k;
  stop = st + begin;
  val = val_;
  adj = adj_;
}
  TAPIR_NEXT;
#undef TAPIR_NEXT
done:;
}

// The tangent and second-order sweeps dispatch the same way as run_reverse.
TAPIR_THREADED_DISPATCH void Tape::run_tangent(std::size_t begin) {
  TAPIR_HANDLER_TABLE;
  const Statement* st = statements_;
  const double* val = val_;
  double* dot = dot_;
  const Statement* s = st + begin;
  const Statement* stop = st + nstatements_;
#define TAPIR_NEXT TAPIR_NEXT_FORWARD
  TAPIR_NEXT;
#define TAPIR_TAN_U(Op, fn) \
  L_##Op : tan_u<ops::Op>(*s++, val, dot); TAPIR_NEXT;
#define TAPIR_TAN_B(Op, fn)                                  \
  L_##Op##_vv : tan_vv<ops::Op>(*s++, val, dot); TAPIR_NEXT;    \
  L_##Op##_vd : tan_vd<ops::Op>(*s++, val, dot); TAPIR_NEXT;    \
  L_##Op##_dv : tan_dv<ops::Op>(*s++, val, dot); TAPIR_NEXT;
  TAPIR_UNARY_OPS(TAPIR_TAN_U)
  TAPIR_BINARY_OPS(TAPIR_TAN_B)
#undef TAPIR_TAN_U
#undef TAPIR_TAN_B
L_Custom: {
  // A node may record (nested AD) and so move the buffers.
  const std::size_t k = static_cast<std::size_t>(s - st);
  nodes_[s->a]->tangent(arrays());
  st = statements_;
  s = st + k + 1;
  stop = st + nstatements_;
  val = val_;
  dot = dot_;
}
  TAPIR_NEXT;
#undef TAPIR_NEXT
done:;
}

TAPIR_THREADED_DISPATCH void Tape::run_reverse2(std::size_t begin) {
  TAPIR_HANDLER_TABLE;
  const Statement* st = statements_;
  SweepArrays w = arrays();
  const Statement* s = st + nstatements_;
  const Statement* stop = st + begin;
#define TAPIR_NEXT TAPIR_NEXT_BACKWARD
  TAPIR_NEXT;
#define TAPIR_REV2_U(Op, fn) \
  L_##Op : rev2_u<ops::Op>(*s, w); TAPIR_NEXT;
#define TAPIR_REV2_B(Op, fn)                             \
  L_##Op##_vv : rev2_vv<ops::Op>(*s, w); TAPIR_NEXT;    \
  L_##Op##_vd : rev2_vd<ops::Op>(*s, w); TAPIR_NEXT;    \
  L_##Op##_dv : rev2_dv<ops::Op>(*s, w); TAPIR_NEXT;
  TAPIR_UNARY_OPS(TAPIR_REV2_U)
  TAPIR_BINARY_OPS(TAPIR_REV2_B)
#undef TAPIR_REV2_U
#undef TAPIR_REV2_B
L_Custom: {
  const std::size_t k = static_cast<std::size_t>(s - st);
  nodes_[s->a]->reverse2(w);
  st = statements_;
  s = st + k;
  stop = st + begin;
  w = arrays();
}
  TAPIR_NEXT;
#undef TAPIR_NEXT
done:;
}

}  // namespace tapir::autodiff
