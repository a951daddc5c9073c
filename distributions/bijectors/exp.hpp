#pragma once
// Exp: R -> (0, inf) elementwise, x = e^u, log|det J| = sum u. Inverse u = log x (x >= 0).
#include <cstddef>
#include <span>
#include <string>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class Exp {
 public:
  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "exp"; }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    if (detail::use_vector_ops<T>(u.size())) {
      const Vector<T> uv = detail::to_vector(u);
      detail::copy_out(exp(uv), x);
      lad += sum(uv);
      return;
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
      x[i] = exp(u[i]);
      lad += u[i];
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    detail::check_in_closed(name(), x, 0.0, INFINITY);
    for (std::size_t i = 0; i < x.size(); ++i) u[i] = log(x[i]);
  }
};

}  // namespace tapir::distributions::bijectors
