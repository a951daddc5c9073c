#pragma once
// LowerUpper(a, b): R -> (a, b) elementwise, Stan's transform for a variable with both bounds,
// with either bound allowed to be infinite (as Stan's lower/upper declarations):
//   a, b finite        Sigmoid onto (a, b):  x = a + (b - a) inv_logit(u)
//   a finite, b = inf  LowerBound(a):        x = a + e^u
//   a = -inf, b finite UpperBound(b):        x = b - e^u
//   a = -inf, b = inf  Identity
// Requires a < b, a < inf and b > -inf.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <variant>

#include "distributions/bijector.hpp"
#include "distributions/bijectors/lower_bound.hpp"
#include "distributions/bijectors/sigmoid.hpp"
#include "distributions/bijectors/upper_bound.hpp"

namespace tapir::distributions::bijectors {

class LowerUpper {
 public:
  LowerUpper(double a, double b) : a_(a), b_(b), impl_(make(a, b)) {}
  double lower() const { return a_; }
  double upper() const { return b_; }

  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "interval:" + detail::format_number(a_) + "," + detail::format_number(b_); }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    detail::check_forward_sizes(*this, u.size(), x.size());
    std::visit([&](const auto& b) { b.forward(u, x, lad); }, impl_);
  }
  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    detail::check_inverse_sizes(*this, x.size(), u.size());
    detail::check_in_closed(name(), x, a_, b_);
    std::visit([&](const auto& b) { b.inverse(x, u); }, impl_);
  }

 private:
  using Impl = std::variant<Identity, LowerBound, UpperBound, Sigmoid>;
  static Impl make(double a, double b) {
    if (std::isnan(a) || a == INFINITY) throw_domain_error("LowerUpper", "lower bound", a, "less than +inf");
    if (std::isnan(b) || b == -INFINITY) throw_domain_error("LowerUpper", "upper bound", b, "greater than -inf");
    if (!(a < b)) throw_domain_error("LowerUpper", "lower bound", a, ("less than the upper bound " + detail::format_number(b)).c_str());
    const bool fa = std::isfinite(a), fb = std::isfinite(b);
    if (fa && fb) return Sigmoid(a, b);
    if (fa) return LowerBound(a);
    if (fb) return UpperBound(b);
    return Identity{};
  }
  double a_, b_;
  Impl impl_;
};

}  // namespace tapir::distributions::bijectors
