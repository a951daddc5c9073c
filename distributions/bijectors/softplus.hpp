#pragma once
// Softplus: R -> (0, inf) elementwise, x = log(1 + e^u), dx/du = inv_logit(u), so
// log|det J| = sum log_inv_logit(u) (stable in both tails). Inverse u = x + log(1 - e^{-x})
// (x >= 0), exact where e^x - 1 would overflow.
#include <cstddef>
#include <span>
#include <string>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class Softplus {
 public:
  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "softplus"; }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    if (detail::use_vector_ops<T>(u.size())) {
      const Vector<T> uv = detail::to_vector(u);
      detail::copy_out(log1p_exp(uv), x);
      lad += sum(log_inv_logit(uv));
      return;
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
      x[i] = log1p_exp(u[i]);
      lad += log_inv_logit(u[i]);
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    detail::check_in_closed(name(), x, 0.0, INFINITY);
    for (std::size_t i = 0; i < x.size(); ++i) u[i] = x[i] + log1m_exp(-x[i]);
  }
};

}  // namespace tapir::distributions::bijectors
