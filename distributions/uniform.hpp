#pragma once
// The uniform distribution on [a, b]:
//
//   uniform_lpdf(y | a, b) = -log(b - a),  a <= y <= b
//
// y outside [a, b] gives -inf. Requirements: y not NaN, a and b finite, a < b (elementwise).
//   f_y = 0, f_a = 1/(b-a), f_b = -1/(b-a), f_aa = f_bb = -f_ab = 1/(b-a)^2.
#include <cmath>
#include <string>

#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

template <bool Propto, unsigned V, unsigned S>
struct UniformKernel : KernelBase<3, Propto, V, S> {
  using B = KernelBase<3, Propto, V, S>;
  static constexpr const char* name = "uniform_lpdf";
  static constexpr std::array<const char*, 3> args{"y", "a", "b"};
  UniformKernel(const double*, int) {}
  template <int Order>
  double eval(const double* x, Partials<3>& p) const {
    const double r = 1.0 / (x[2] - x[1]);
    double v = 0.0;
    if constexpr (Order < 2) {
      if constexpr (B::keep(6)) v = std::log(r);
      if constexpr (Order == 1) {
        p.d[0] = 0.0;
        p.d[1] = r;
        p.d[2] = -r;
      }
    } else {
      const double r2 = r * r;
      p.set(0, 0, 0.0);
      p.set(0, 1, 0.0);
      p.set(0, 2, 0.0);
      p.set(1, 1, r2);
      p.set(1, 2, -r2);
      p.set(2, 2, r2);
    }
    return v;
  }
};

}  // namespace detail

template <bool propto = false, class Y, class A, class Bt>
auto uniform_lpdf(const Y& y, const A& a, const Bt& b) {
  using namespace detail;
  constexpr const char* fn = "uniform_lpdf";
  using K = kernel_t<UniformKernel, propto, Y, A, Bt>;
  using R = result_t<Y, A, Bt>;
  const std::size_t n = common_size<K>(y, a, b);
  check_not_nan(fn, "random variable y", y);
  check_finite(fn, "lower bound a", a);
  check_finite(fn, "upper bound b", b);
  if (!all_elements(n, [](double lo, double hi) { return lo < hi; }, a, b)) [[unlikely]] {
    for (std::size_t i = 0; i < n; ++i)
      if (!(dval(elem(a, i)) < dval(elem(b, i)))) {
        const bool vec = is_vector_v<A> || is_vector_v<Bt>;
        const std::string what = vec ? "upper bound b[" + std::to_string(i) + "]" : "upper bound b";
        throw_domain_error(fn, what.c_str(), dval(elem(b, i)), "greater than lower bound a");
      }
  }
  if constexpr (propto && !any_ad_v<Y, A, Bt>) {
    return R(0.0);
  } else {
    if (!all_elements(n, [](double v, double lo, double hi) { return v >= lo && v <= hi; }, y, a, b))
      return R(-inf);
    return reduce<K>(n, y, a, b);
  }
}

}  // namespace tapir::distributions
