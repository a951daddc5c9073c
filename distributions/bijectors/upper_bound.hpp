#pragma once
// UpperBound(b): R -> (-inf, b) elementwise, x = b - e^u, log|det J| = sum u (Stan's upper-bound
// transform). Inverse u = log(b - x) (x <= b). The bound must be finite (LowerUpper(-inf, b)
// accepts an infinite one).
#include <cstddef>
#include <span>
#include <string>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class UpperBound {
 public:
  explicit UpperBound(double b) : b_(b) { detail::check_finite_parameter("UpperBound", "upper bound", b); }
  double upper() const { return b_; }

  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "upper:" + detail::format_number(b_); }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    if (detail::use_vector_ops<T>(u.size())) {
      const Vector<T> uv = detail::to_vector(u);
      detail::copy_out(b_ - exp(uv), x);
      lad += sum(uv);
      return;
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
      x[i] = b_ - exp(u[i]);
      lad += u[i];
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    detail::check_in_closed(name(), x, -INFINITY, b_);
    for (std::size_t i = 0; i < x.size(); ++i) u[i] = log(b_ - x[i]);
  }

 private:
  double b_;
};

}  // namespace tapir::distributions::bijectors
