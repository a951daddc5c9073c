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

Arena::~Arena() {
  for (Block& b : blocks_) ::operator delete(b.data, std::align_val_t{alignof(std::max_align_t)});
}

void* Arena::allocate_slow(std::size_t bytes, std::size_t align) {
  const std::size_t need = bytes + align;
  std::size_t next = blocks_.empty() ? 0 : block_ + 1;
  while (next < blocks_.size() && blocks_[next].size < need) ++next;
  if (next == blocks_.size()) {
    std::size_t size = std::max({need, min_block, blocks_.empty() ? 0 : 2 * blocks_.back().size});
    char* data = static_cast<char*>(::operator new(size, std::align_val_t{alignof(std::max_align_t)}));
    blocks_.push_back(Block{data, size});
  }
  block_ = next;
  used_ = 0;
  std::size_t p = (used_ + align - 1) & ~(align - 1);
  used_ = p + bytes;
  return blocks_[block_].data + p;
}

std::size_t Arena::bytes_reserved() const {
  std::size_t s = 0;
  for (const Block& b : blocks_) s += b.size;
  return s;
}

Tape::Tape() {
  var_capacity_ = initial_vars;
  val_ = grow_buffer<double>(nullptr, var_capacity_);
  adj_ = grow_buffer<double>(nullptr, var_capacity_);
  statement_capacity_ = initial_statements;
  statements_ = grow_buffer<Statement>(nullptr, statement_capacity_);
  val_[0] = 0.0;
  adj_[0] = 0.0;
  nvars_ = 1;
}

Tape::~Tape() {
  for (std::size_t i = nodes_.size(); i-- > 0;) nodes_[i]->~Node();
  std::free(val_);
  std::free(adj_);
  std::free(dot_);
  std::free(adj2_);
  std::free(statements_);
  if (detail::current_tape == this) detail::current_tape = nullptr;
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
  Statement& st = statements_[nstatements_++];
  st.op = static_cast<std::uint32_t>(Opcode::Custom);
  st.out = 0;
  st.a = static_cast<index_t>(nodes_.size());
  st.b = 0;
  nodes_.push_back(node);
}

void Tape::rewind(const Mark& m) {
  for (std::size_t i = nodes_.size(); i-- > m.nodes;) nodes_[i]->~Node();
  nodes_.resize(std::min(nodes_.size(), m.nodes));
  nvars_ = std::max<std::size_t>(m.vars, 1);
  nstatements_ = m.statements;
  arena_.rewind(m.arena);
}

std::size_t Tape::bytes_reserved() const {
  return var_capacity_ * 2 * sizeof(double) + second_order_capacity_ * 2 * sizeof(double) +
         statement_capacity_ * sizeof(Statement) + nodes_.capacity() * sizeof(Node*) +
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

namespace detail {
Tape* create_thread_tape() {
  thread_local std::unique_ptr<Tape> owner;
  owner = std::make_unique<Tape>();
  current_tape = owner.get();
  return current_tape;
}
}  // namespace detail

void backward(const Var& y) { tape().reverse_sweep(Tape::Mark{0, 0, 0, Arena::Mark{0, 0}}, y.index()); }

}  // namespace tapir::autodiff
