#pragma once
// LowerBound(a): R -> (a, inf) elementwise, x = a + e^u, log|det J| = sum u (Stan's lower-bound
// transform). Inverse u = log(x - a) (x >= a). The bound must be finite (LowerUpper(a, inf)
// accepts an infinite one).
#include <cstddef>
#include <span>
#include <string>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class LowerBound {
 public:
  explicit LowerBound(double a) : a_(a) { detail::check_finite_parameter("LowerBound", "lower bound", a); }
  double lower() const { return a_; }

  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "lower:" + detail::format_number(a_); }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    if (detail::use_vector_ops<T>(u.size())) {
      const Vector<T> uv = detail::to_vector(u);
      detail::copy_out(exp(uv) + a_, x);
      lad += sum(uv);
      return;
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
      x[i] = a_ + exp(u[i]);
      lad += u[i];
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    detail::check_in_closed(name(), x, a_, INFINITY);
    for (std::size_t i = 0; i < x.size(); ++i) u[i] = log(x[i] - a_);
  }

 private:
  double a_;
};

}  // namespace tapir::distributions::bijectors
