#pragma once
// Ordered: R^n -> increasing vectors, Stan's ordered transform: x_1 = u_1,
// x_k = x_{k-1} + e^{u_k}. The Jacobian is triangular with diagonal (1, e^{u_2}, ..., e^{u_n}), so
// log|det J| = sum_{k>=2} u_k. Inverse u_1 = x_1, u_k = log(x_k - x_{k-1}) (x nondecreasing; a tie
// gives -inf).
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class Ordered {
 public:
  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "ordered"; }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    const std::size_t n = u.size();
    if (n == 0) return;
    if (detail::use_vector_ops<T>(n)) {
      const Vector<T> tail = detail::to_vector(u.subspan(1));
      const Vector<T> steps = exp(tail);
      Vector<T> increments(n);
      increments[0] = u[0];
      for (std::size_t k = 1; k < n; ++k) increments[k] = steps[k - 1];
      detail::copy_out(cumulative_sum(increments), x);
      lad += sum(tail);
      return;
    }
    x[0] = u[0];
    for (std::size_t k = 1; k < n; ++k) {
      x[k] = x[k - 1] + exp(u[k]);
      lad += u[k];
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    const std::size_t n = x.size();
    for (std::size_t k = 0; k < n; ++k) {
      const double v = value_of(x[k]);
      if (std::isnan(v)) detail::inverse_domain_error(name(), k, v, "a number");
      if (k > 0 && !(v >= value_of(x[k - 1])))
        detail::inverse_domain_error(name(), k, v, ">= x[" + std::to_string(k - 1) + "] = " + detail::format_number(value_of(x[k - 1])));
    }
    if (n == 0) return;
    u[0] = x[0];
    for (std::size_t k = 1; k < n; ++k) u[k] = log(x[k] - x[k - 1]);
  }
};

}  // namespace tapir::distributions::bijectors
