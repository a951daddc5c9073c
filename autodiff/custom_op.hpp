#pragma once
// User-defined scalar operations: a function of K scalars given by its own value, gradient and
// Hessian rules, usable from templated code with double, Var and Dual<double> arguments.
//
// A rules type provides, for x of K doubles:
//   double value(std::span<const double, K> x) const;
//   void gradient(std::span<const double, K> x, double y, std::span<double, K> g) const;
//   void hessian(std::span<const double, K> x, double y, std::span<double, K * K> h) const;
// (h row-major, y = value(x)). The gradient is evaluated once when the operation is recorded and
// kept; the Hessian is evaluated only by second-order sweeps. See examples/custom_operation.cpp.
//
// Operations with vector outputs derive from Node (tape.hpp) directly, as the library's vector
// operations do: reserve output slots with Tape::new_slots, keep what the rules need in the arena,
// and record the node with Tape::make_node.
#include <array>
#include <cstddef>
#include <span>

#include "autodiff/dual.hpp"
#include "autodiff/var.hpp"

namespace tapir::autodiff {

namespace detail {

template <class Rules, std::size_t K>
class CustomScalarNode final : public Node {
 public:
  CustomScalarNode(const Rules& rules, const std::array<index_t, K>& in, index_t out,
                   const std::array<double, K>& g)
      : rules_(rules), in_(in), out_(out), g_(g) {}

  void reverse(const SweepArrays& s) const override {
    const double a = s.adj[out_];
    for (std::size_t k = 0; k < K; ++k) s.adj[in_[k]] += a * g_[k];
  }
  void tangent(const SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t k = 0; k < K; ++k) d += g_[k] * s.dot[in_[k]];
    s.dot[out_] = d;
  }
  void reverse2(const SweepArrays& s) const override {
    const double a = s.adj[out_], a2 = s.adj2[out_];
    std::array<double, K> x;
    for (std::size_t k = 0; k < K; ++k) x[k] = s.val[in_[k]];
    std::array<double, K * K> h{};
    rules_.hessian(std::span<const double, K>(x), s.val[out_], std::span<double, K * K>(h));
    for (std::size_t k = 0; k < K; ++k) {
      double hv = 0.0;
      for (std::size_t j = 0; j < K; ++j) hv += h[k * K + j] * s.dot[in_[j]];
      s.adj[in_[k]] += a * g_[k];
      s.adj2[in_[k]] += a2 * g_[k] + a * hv;
    }
  }

 private:
  Rules rules_;
  std::array<index_t, K> in_;
  index_t out_;
  std::array<double, K> g_;
};

}  // namespace detail

template <class Rules, std::size_t K>
double custom_op(const Rules& rules, const std::array<double, K>& x) {
  return rules.value(std::span<const double, K>(x));
}

template <class Rules, std::size_t K>
Var custom_op(const Rules& rules, const std::array<Var, K>& x) {
  std::array<double, K> xv;
  std::array<index_t, K> in;
  for (std::size_t k = 0; k < K; ++k) {
    xv[k] = x[k].value();
    in[k] = x[k].index();
  }
  const double y = rules.value(std::span<const double, K>(xv));
  std::array<double, K> g;
  rules.gradient(std::span<const double, K>(xv), y, std::span<double, K>(g));
  Tape& t = tape();
  const index_t out = t.new_slot(y);
  t.make_node<detail::CustomScalarNode<Rules, K>>(rules, in, out, g);
  return Var(y, out);
}

template <class Rules, std::size_t K>
Dual<double> custom_op(const Rules& rules, const std::array<Dual<double>, K>& x) {
  std::array<double, K> xv;
  for (std::size_t k = 0; k < K; ++k) xv[k] = x[k].val;
  const double y = rules.value(std::span<const double, K>(xv));
  std::array<double, K> g;
  rules.gradient(std::span<const double, K>(xv), y, std::span<double, K>(g));
  double d = 0.0;
  for (std::size_t k = 0; k < K; ++k) d += g[k] * x[k].tan;
  return Dual<double>(y, d);
}

}  // namespace tapir::autodiff
