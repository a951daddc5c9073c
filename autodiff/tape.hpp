#pragma once
// The reverse-mode tape: a flat record of statements in creation order, with the primal value of
// every variable stored beside it.
//
// Design (see ../shared/references/ad-design-notes.md):
// - Creation order is a topological order, so every sweep is a plain loop: no sorting, no
//   recursion, no per-call allocation once the buffers have grown to the problem's size.
// - Buffers are rewound, never freed, between gradient calls (Stan Math's arena discipline).
// - Primal values are stored, so one recording serves a reverse sweep (gradient), a forward tangent
//   sweep and a second-order adjoint sweep (exact Hessian-vector products, forward-over-reverse:
//   Pearlmutter 1994, Christianson 1992).
// - Scalar operations are 16-byte statements dispatched by opcode; vector operations and user
//   operations are `Node` objects in an arena, one statement per operation.
// - One tape per thread: a constant-initialised thread_local object (trivially destructible, so
//   reaching it costs no thread-local guard), which allocates its buffers on first use and frees
//   them when the thread ends.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

namespace tapir::autodiff {

using index_t = std::uint32_t;

// A scalar statement: out = op(a) or out = op(a, b). For operations with a data argument, `b`
// indexes a constant slot holding that datum. `head` overlays op and out (see put_statement): a
// read of one union member after a write of the other, which GCC and Clang define.
struct Statement {
  union {
    struct {
      std::uint32_t op;
      index_t out;
    };
    std::uint64_t head;
  };
  index_t a;
  index_t b;
};

// The arrays a sweep reads and writes, indexed by variable. `dot` (tangents) and `adj2`
// (second-order adjoints) exist only during Hessian-vector products.
struct SweepArrays {
  const double* val;
  double* adj;
  double* dot;
  double* adj2;
};

// An operation recorded as one object: vector and matrix operations, and user-defined operations
// (see custom_op.hpp). Each node owns its three rules, so no operation can lack an HVP rule:
// - reverse:  adj[in] += J^T adj[out]
// - tangent:  dot[out] = J dot[in]
// - reverse2: adj[in] += J^T adj[out] and
//             adj2[in] += J^T adj2[out] + (sum_k adj[out_k] H_k) dot[in]
// where J is the operation's Jacobian and H_k the Hessian of its k-th output.
class Node {
 public:
  virtual ~Node() = default;
  virtual void reverse(const SweepArrays& s) const = 0;
  virtual void tangent(const SweepArrays& s) const = 0;
  virtual void reverse2(const SweepArrays& s) const = 0;
};

// Grow-only bump allocator for nodes and the arrays they keep. Blocks are kept across rewinds
// and freed by `release` (the owning tape's, at thread end).
class Arena {
 public:
  struct Mark {
    std::size_t block;
    std::size_t used;
  };
  constexpr Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(std::size_t bytes, std::size_t align = alignof(std::max_align_t)) {
    std::size_t p = (used_ + align - 1) & ~(align - 1);
    if (block_ < nblocks_ && p + bytes <= blocks_[block_].size) [[likely]] {
      used_ = p + bytes;
      return blocks_[block_].data + p;
    }
    return allocate_slow(bytes, align);
  }
  template <class T>
  T* allocate_array(std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "arena arrays are never destroyed");
    return static_cast<T*>(allocate(n * sizeof(T), alignof(T)));
  }
  Mark mark() const { return {block_, used_}; }
  void rewind(const Mark& m) {
    block_ = m.block;
    used_ = m.used;
  }
  std::size_t bytes_reserved() const;
  // Frees every block; the arena is then empty, as constructed.
  void release();

 private:
  struct Block {
    char* data;
    std::size_t size;
  };
  void* allocate_slow(std::size_t bytes, std::size_t align);
  Block* blocks_ = nullptr;
  std::size_t nblocks_ = 0;
  std::size_t blocks_capacity_ = 0;
  std::size_t block_ = 0;
  std::size_t used_ = 0;
};

class Tape {
 public:
  // Where a scope began: rewinding to a mark drops everything recorded after it.
  struct Mark {
    index_t vars;
    std::size_t statements;
    std::size_t nodes;
    Arena::Mark arena;
  };

  // Unborn: no buffers and no capacity, so that the first record or `tape()` call allocates them
  // (be_born). Trivially destructible: the thread's tape frees its buffers through `release`, which
  // tape.cpp arranges to run when the thread ends.
  constexpr Tape() = default;
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  bool born() const { return var_capacity_ != 0; }
  void be_born();
  // Destroys the nodes and frees every buffer: the tape is unborn again.
  void release();

  // A variable without a statement: an independent input or a constant. Slot 0 always holds the
  // constant 0, so default-constructed variables cost nothing.
  // Like `record`, it may be called on an unborn tape.
  index_t new_slot(double v) {
    if (nvars_ >= var_capacity_) [[unlikely]]
      grow_for_recording();
    val_[nvars_] = v;
    return static_cast<index_t>(nvars_++);
  }
  // `n` consecutive variables whose values the caller writes; returns the first index.
  index_t new_slots(std::size_t n) {
    if (nvars_ + n > var_capacity_) [[unlikely]]
      grow_vars(n);
    index_t first = static_cast<index_t>(nvars_);
    nvars_ += n;
    return first;
  }
  // Records out = op(a, b) with out's value; returns out. One capacity check covers both buffers:
  // the statement buffer is never smaller than the variable buffer, and there are never more
  // statements than variables (push_node keeps it so). May be called on an unborn tape, which
  // the capacity check finds full.
  index_t record(std::uint32_t op, index_t a, index_t b, double value) {
    if (nvars_ >= var_capacity_) [[unlikely]]
      grow_for_recording();
    const index_t out = static_cast<index_t>(nvars_++);
    val_[out] = value;
    put_statement(op, out, a, b);
    return out;
  }
  // Records out = op(a, d) (or op(d, b) when `datum_first`) for a datum d, which gets the slot
  // before out: the two slots and the statement share one capacity check.
  index_t record_with_datum(std::uint32_t op, index_t x, double datum, bool datum_first,
                            double value) {
    if (nvars_ + 2 > var_capacity_) [[unlikely]]
      grow_for_recording();
    const index_t d = static_cast<index_t>(nvars_);
    const index_t out = d + 1;
    nvars_ += 2;
    val_[d] = datum;
    val_[out] = value;
    if (datum_first)
      put_statement(op, out, d, x);
    else
      put_statement(op, out, x, d);
    return out;
  }
  // Records a node constructed in the arena; the tape runs its destructor on rewind.
  template <class N, class... Args>
  N* make_node(Args&&... args) {
    static_assert(std::is_base_of_v<Node, N>);
    void* p = arena_.allocate(sizeof(N), alignof(N));
    N* node = new (p) N(std::forward<Args>(args)...);
    push_node(node);
    return node;
  }
  Arena& arena() { return arena_; }

  Mark mark() const { return {static_cast<index_t>(nvars_), nstatements_, nnodes_, arena_.mark()}; }
  void rewind(const Mark& m);
  // Drops everything but the constant slot 0.
  void clear() { rewind(Mark{1, 0, 0, Arena::Mark{0, 0}}); }

  index_t size() const { return static_cast<index_t>(nvars_); }
  std::size_t statements() const { return nstatements_; }
  double value(index_t i) const { return val_[i]; }
  double& adjoint(index_t i) { return adj_[i]; }
  double adjoint(index_t i) const { return adj_[i]; }
  double tangent(index_t i) const { return dot_[i]; }
  double& tangent(index_t i) { return dot_[i]; }
  double adjoint2(index_t i) const { return adj2_[i]; }
  double* values() { return val_; }
  double* adjoints() { return adj_; }

  // Gradient of variable `y` with respect to everything recorded since `from`: zeroes the
  // adjoints of variables from `from.vars` on, seeds adj[y] = 1, sweeps back to `from`.
  void reverse_sweep(const Mark& from, index_t y);
  // Forward tangent sweep over statements since `from`. The caller first calls
  // `begin_tangents(from)` (zeroes tangents from from.vars on) and sets the inputs' tangents.
  void begin_tangents(const Mark& from);
  void tangent_sweep(const Mark& from);
  // Second-order adjoint sweep after a tangent sweep: fills adjoints (the gradient) and
  // second-order adjoints (the Hessian of y times the tangent direction).
  void reverse2_sweep(const Mark& from, index_t y);

  // Bytes held by the tape's buffers (for memory-bound tests and diagnostics).
  std::size_t bytes_reserved() const;

 private:
  friend class GrowthAccess;
  // Three stores: op and out as one 8-byte word (the opcode is a constant, so the word costs a
  // shift and an or), a and b as they are. Measured on a Zen 4 against the alternatives:
  // - both halves packed into words, which GCC then merges into one vector store built by
  //   inserts: recording loops are front-end bound, 28 instructions per `s += x[i]` against
  //   24-25, and sum_iter's gradient is 8% slower;
  // - four 4-byte stores: as fast on sum_iter, but stoch_vol's gradient is 11% slower (loops that
  //   call libm's exp between records; the cause is not visible without performance counters).
  void put_statement(std::uint32_t op, index_t out, index_t a, index_t b) {
    Statement* st = statements_ + nstatements_++;
    if constexpr (std::endian::native == std::endian::little)
      st->head = op | (std::uint64_t{out} << 32);
    else
      st->head = (std::uint64_t{op} << 32) | out;
    st->a = a;
    st->b = b;
  }
  // Makes room for at least two more variables, allocating the buffers of an unborn tape.
  void grow_for_recording();
  void grow_plain();
  [[noreturn]] static void rethrow_growth_error();
  void grow_vars(std::size_t extra);
  void grow_statements();
  void push_node(Node* node);
  void ensure_second_order();
  // The three sweeps over statements [begin, end), defined in sweeps.cpp.
  void run_reverse(std::size_t begin);
  void run_tangent(std::size_t begin);
  void run_reverse2(std::size_t begin);
  SweepArrays arrays() { return {val_, adj_, dot_, adj2_}; }

  double* val_ = nullptr;
  double* adj_ = nullptr;
  double* dot_ = nullptr;
  double* adj2_ = nullptr;
  // Counters are unsigned long long: neither index_t nor std::uint64_t (unsigned long), the types
  // of a statement's fields, so that no statement store can alias them (type-based aliasing).
  unsigned long long nvars_ = 0;
  unsigned long long var_capacity_ = 0;
  unsigned long long second_order_capacity_ = 0;
  Statement* statements_ = nullptr;
  unsigned long long nstatements_ = 0;
  unsigned long long statement_capacity_ = 0;
  Node** nodes_ = nullptr;
  std::size_t nnodes_ = 0;
  std::size_t node_capacity_ = 0;
  Arena arena_;
};

namespace detail {
inline constinit thread_local Tape thread_tape{};
}  // namespace detail

// This thread's tape, its buffers allocated on first use and freed when the thread ends.
inline Tape& tape() {
  Tape& t = detail::thread_tape;
  if (!t.born()) [[unlikely]]
    t.be_born();
  return t;
}

namespace detail {
// This thread's tape for recording, possibly unborn: only record, record_with_datum and new_slot
// may be called on it, and their capacity check finds an unborn tape full.
inline Tape& recording_tape() { return thread_tape; }
}  // namespace detail

// On x86-64 ELF targets (GCC, Clang) growth during recording runs behind an inline-asm call that
// tells the compiler exactly what it reads and writes: the tape object and its value and statement
// buffers. A plain call would count as writing all memory, and the compiler would then reload
// every loop-invariant value of a recording loop (the user's vector's data and size, the tape's
// address) on every iteration, since any iteration might grow. The callee (tape_growth.cpp) saves
// and restores every register, so the asm clobbers none. Defining TAPIR_PLAIN_GROWTH selects the
// plain call.
#if defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__) && !defined(TAPIR_PLAIN_GROWTH)
inline void Tape::grow_for_recording() {
  // The 128 bytes skipped first are the red zone, where the enclosing function may keep data that
  // the call's return address would overwrite.
  asm volatile(
      "lea -128(%%rsp), %%rsp\n\t"
      "call tapir_tape_grow_for_recording_preserving_registers@PLT\n\t"
      "lea 128(%%rsp), %%rsp"
      : "+m"(*this)
      : "D"(this), "m"(*(const double(*)[])val_), "m"(*(const Statement(*)[])statements_)
      : "cc");
  if (nvars_ + 2 > var_capacity_) [[unlikely]]
    rethrow_growth_error();
}
#else
inline void Tape::grow_for_recording() { grow_plain(); }
#endif

// Everything recorded inside the scope is dropped when it ends; a gradient can be taken inside
// another computation this way, and what was recorded before the scope is left untouched.
class NestedScope {
 public:
  NestedScope() : tape_(autodiff::tape()), mark_(tape_.mark()) {}
  NestedScope(const NestedScope&) = delete;
  NestedScope& operator=(const NestedScope&) = delete;
  ~NestedScope() { tape_.rewind(mark_); }
  const Tape::Mark& mark() const { return mark_; }
  Tape& tape() { return tape_; }

 private:
  Tape& tape_;
  Tape::Mark mark_;
};

}  // namespace tapir::autodiff
