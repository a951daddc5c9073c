#pragma once
// Tanh: R -> (-1, 1) elementwise, x = tanh(u). dx/du = 1 - tanh(u)^2 = sech(u)^2 and
// log sech(u) = log 2 - u - log(1 + e^{-2u}), so log|det J| = sum 2 (log 2 - u - log1p_exp(-2u)),
// stable in both tails. Inverse u = atanh(x) (x in [-1, 1]).
#include <cstddef>
#include <numbers>
#include <span>
#include <string>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class Tanh {
 public:
  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "tanh"; }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    constexpr double log4 = 2.0 * std::numbers::ln2;
    if (detail::use_vector_ops<T>(u.size())) {
      const Vector<T> uv = detail::to_vector(u);
      detail::copy_out(tanh(uv), x);
      lad += static_cast<double>(u.size()) * log4 - 2.0 * (sum(uv) + sum(log1p_exp(-2.0 * uv)));
      return;
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
      x[i] = tanh(u[i]);
      lad += log4 - 2.0 * (u[i] + log1p_exp(-2.0 * u[i]));
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    detail::check_in_closed(name(), x, -1.0, 1.0);
    for (std::size_t i = 0; i < x.size(); ++i) u[i] = atanh(x[i]);
  }
};

}  // namespace tapir::distributions::bijectors
