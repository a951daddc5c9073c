#pragma once
// The normal distribution's log density (scalar form; the vectorized single-node form joins with
// the distributions step).
#include <type_traits>

#include "autodiff/dual.hpp"
#include "autodiff/var.hpp"

namespace tapir::distributions {

using autodiff::ops::half_log_two_pi;

inline double normal_residual_lpdf(double d, double s) {
  return autodiff::ops::NormalResidual::value(d, s);
}

// log N(y; mu, sigma) = -((y - mu) / sigma)^2 / 2 - log(sigma) - log(2 pi) / 2, templated over
// the scalars (double, Var, Dual). One tape statement for the density (plus one for y - mu when
// both are not data). No argument checks here: this is the inner-loop form.
template <class Y, class M, class S>
auto normal_lpdf(const Y& y, const M& mu, const S& sigma) {
  using autodiff::normal_residual_lpdf;
  using tapir::distributions::normal_residual_lpdf;
  if constexpr (std::is_arithmetic_v<M>) {
    if (mu == 0) return normal_residual_lpdf(y, sigma);
  }
  return normal_residual_lpdf(y - mu, sigma);
}

}  // namespace tapir::distributions
