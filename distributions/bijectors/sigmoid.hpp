#pragma once
// Sigmoid onto (a, b) (default (0, 1)), elementwise: x = a + (b - a) inv_logit(u), Stan's
// lower-and-upper-bound transform. dx/du = (b - a) s (1 - s) with s = inv_logit(u), and
// log(s (1 - s)) = 2 log_inv_logit(u) - u, so log|det J| = n log(b - a) + sum(2 log_inv_logit(u) - u),
// stable in both tails. Inverse u = log(x - a) - log(b - x) (x in [a, b]), which keeps the full
// precision of b - x near the upper bound. The bounds must be finite with a < b (LowerUpper takes
// infinite ones).
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class Sigmoid {
 public:
  Sigmoid() = default;
  Sigmoid(double a, double b) : a_(a), b_(b) {
    detail::check_finite_parameter("Sigmoid", "lower bound", a);
    detail::check_finite_parameter("Sigmoid", "upper bound", b);
    if (!(a < b)) throw_domain_error("Sigmoid", "lower bound", a, ("less than the upper bound " + detail::format_number(b)).c_str());
    log_width_ = std::log(b - a);
  }
  double lower() const { return a_; }
  double upper() const { return b_; }

  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const {
    if (a_ == 0.0 && b_ == 1.0) return "sigmoid";
    return "sigmoid:" + detail::format_number(a_) + "," + detail::format_number(b_);
  }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    const double w = b_ - a_;
    if (detail::use_vector_ops<T>(u.size())) {
      const Vector<T> uv = detail::to_vector(u);
      Vector<T> s = inv_logit(uv);
      if (w != 1.0) s = w * s;
      if (a_ != 0.0) s = s + a_;
      detail::copy_out(s, x);
      lad += (static_cast<double>(u.size()) * log_width_ + 2.0 * sum(log_inv_logit(uv))) - sum(uv);
      return;
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
      x[i] = a_ + w * inv_logit(u[i]);
      lad += (log_width_ + 2.0 * log_inv_logit(u[i])) - u[i];
    }
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    using namespace autodiff;
    detail::check_inverse_sizes(*this, x.size(), u.size());
    detail::check_in_closed(name(), x, a_, b_);
    for (std::size_t i = 0; i < x.size(); ++i) u[i] = log(x[i] - a_) - log(b_ - x[i]);
  }

 private:
  double a_ = 0.0, b_ = 1.0, log_width_ = 0.0;
};

}  // namespace tapir::distributions::bijectors
