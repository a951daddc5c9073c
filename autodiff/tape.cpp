#include "autodiff/tape.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "autodiff/var.hpp"

namespace tapir::autodiff {

namespace {
constexpr std::size_t initial_vars = std::size_t{1} << 14;
constexpr std::size_t initial_statements = initial_vars;
constexpr std::size_t min_block = std::size_t{1} << 16;

template <class T>
T* grow_buffer(T* p, std::size_t n) {
  void* q = std::realloc(p, n * sizeof(T));
  if (!q) throw std::bad_alloc();
  return static_cast<T*>(q);
}
}  // namespace

void Arena::release() {
  for (std::size_t i = 0; i < nblocks_; ++i)
    ::operator delete(blocks_[i].data, std::align_val_t{alignof(std::max_align_t)});
  std::free(blocks_);
  blocks_ = nullptr;
  nblocks_ = blocks_capacity_ = block_ = used_ = 0;
}

void* Arena::allocate_slow(std::size_t bytes, std::size_t align) {
  const std::size_t need = bytes + align;
  std::size_t next = nblocks_ == 0 ? 0 : block_ + 1;
  while (next < nblocks_ && blocks_[next].size < need) ++next;
  if (next == nblocks_) {
    if (nblocks_ == blocks_capacity_) {
      blocks_capacity_ = std::max<std::size_t>(8, 2 * blocks_capacity_);
      blocks_ = grow_buffer(blocks_, blocks_capacity_);
    }
    std::size_t size = std::max({need, min_block, nblocks_ == 0 ? 0 : 2 * blocks_[nblocks_ - 1].size});
    char* data = static_cast<char*>(::operator new(size, std::align_val_t{alignof(std::max_align_t)}));
    blocks_[nblocks_++] = Block{data, size};
  }
  block_ = next;
  used_ = 0;
  std::size_t p = (used_ + align - 1) & ~(align - 1);
  used_ = p + bytes;
  return blocks_[block_].data + p;
}

std::size_t Arena::bytes_reserved() const {
  std::size_t s = 0;
  for (std::size_t i = 0; i < nblocks_; ++i) s += blocks_[i].size;
  return s;
}

namespace {
// Frees this thread's tape when the thread ends. Armed (constructed, and its destructor registered)
// by the tape's first birth; a tape born again during thread exit, after this ran, is not freed.
struct ThreadTapeRelease {
  ~ThreadTapeRelease() { detail::thread_tape.release(); }
  void arm() {}
};
thread_local ThreadTapeRelease thread_tape_release;
}  // namespace

void Tape::be_born() {
  // Capacity last: until it is set the tape counts as unborn, and a retry after a failed allocation
  // reuses what was allocated.
  val_ = grow_buffer(val_, initial_vars);
  adj_ = grow_buffer(adj_, initial_vars);
  statements_ = grow_buffer(statements_, initial_statements);
  statement_capacity_ = initial_statements;
  val_[0] = 0.0;
  adj_[0] = 0.0;
  nvars_ = 1;
  nstatements_ = 0;
  var_capacity_ = initial_vars;
  if (this == &detail::thread_tape) thread_tape_release.arm();
}

void Tape::release() {
  for (std::size_t i = nnodes_; i-- > 0;) nodes_[i]->~Node();
  std::free(nodes_);
  std::free(val_);
  std::free(adj_);
  std::free(dot_);
  std::free(adj2_);
  std::free(statements_);
  arena_.release();
  nodes_ = nullptr;
  nnodes_ = node_capacity_ = 0;
  val_ = adj_ = dot_ = adj2_ = nullptr;
  statements_ = nullptr;
  nvars_ = 0;
  var_capacity_ = second_order_capacity_ = 0;
  nstatements_ = statement_capacity_ = 0;
}

void Tape::grow_vars(std::size_t extra) {
  const std::size_t cap = std::max<std::size_t>(2 * var_capacity_, nvars_ + extra);
  if (cap > std::size_t{0xffffffffu}) throw std::length_error("tapir: tape exceeds 2^32 variables");
  val_ = grow_buffer(val_, cap);
  adj_ = grow_buffer(adj_, cap);
  if (second_order_capacity_ > 0) {
    dot_ = grow_buffer(dot_, cap);
    adj2_ = grow_buffer(adj2_, cap);
    second_order_capacity_ = cap;
  }
  var_capacity_ = cap;
  if (statement_capacity_ < cap) {
    statement_capacity_ = cap;
    statements_ = grow_buffer(statements_, statement_capacity_);
  }
}

void Tape::grow_statements() {
  statement_capacity_ *= 2;
  statements_ = grow_buffer(statements_, statement_capacity_);
}

void Tape::ensure_second_order() {
  if (second_order_capacity_ < var_capacity_) {
    dot_ = grow_buffer(dot_, var_capacity_);
    adj2_ = grow_buffer(adj2_, var_capacity_);
    second_order_capacity_ = var_capacity_;
  }
}

void Tape::push_node(Node* node) {
  // Keeps statements <= variables (see record): a node without outputs gets a placeholder slot.
  if (nstatements_ + 1 > nvars_) new_slot(0.0);
  if (nstatements_ == statement_capacity_) [[unlikely]]
    grow_statements();
  if (nnodes_ == node_capacity_) [[unlikely]] {
    const std::size_t cap = std::max<std::size_t>(64, 2 * node_capacity_);
    nodes_ = grow_buffer(nodes_, cap);
    node_capacity_ = cap;
  }
  Statement& st = statements_[nstatements_++];
  st.op = static_cast<std::uint32_t>(Opcode::Custom);
  st.out = 0;
  st.a = static_cast<index_t>(nnodes_);
  st.b = 0;
  nodes_[nnodes_++] = node;
}

void Tape::rewind(const Mark& m) {
  for (std::size_t i = nnodes_; i-- > m.nodes;) nodes_[i]->~Node();
  nnodes_ = std::min(nnodes_, m.nodes);
  nvars_ = std::max<std::size_t>(m.vars, 1);
  nstatements_ = m.statements;
  arena_.rewind(m.arena);
}

std::size_t Tape::bytes_reserved() const {
  return var_capacity_ * 2 * sizeof(double) + second_order_capacity_ * 2 * sizeof(double) +
         statement_capacity_ * sizeof(Statement) + node_capacity_ * sizeof(Node*) +
         arena_.bytes_reserved();
}

void Tape::reverse_sweep(const Mark& from, index_t y) {
  std::fill(adj_ + from.vars, adj_ + nvars_, 0.0);
  adj_[y] = 1.0;
  run_reverse(from.statements);
}

void Tape::begin_tangents(const Mark&) {
  ensure_second_order();
  // Every slot, not only those since `from`: statements may read variables recorded before the
  // scope (captured constants), whose tangents must be zero.
  std::fill(dot_, dot_ + nvars_, 0.0);
}

void Tape::tangent_sweep(const Mark& from) { run_tangent(from.statements); }

void Tape::reverse2_sweep(const Mark& from, index_t y) {
  ensure_second_order();
  std::fill(adj_ + from.vars, adj_ + nvars_, 0.0);
  std::fill(adj2_ + from.vars, adj2_ + nvars_, 0.0);
  adj_[y] = 1.0;
  adj2_[y] = 0.0;
  run_reverse2(from.statements);
}

void backward(const Var& y) { tape().reverse_sweep(Tape::Mark{0, 0, 0, Arena::Mark{0, 0}}, y.index()); }

}  // namespace tapir::autodiff
