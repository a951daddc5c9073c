#pragma once
// A derivative checker for users' own functions: the tape's gradient and Hessian-vector products
// against central finite differences of the double version of the same templated function.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/functional.hpp"

namespace tapir::autodiff {

struct DerivativeCheckOptions {
  // Relative step: h_i = step * max(1, |x_i|). The 4-point stencil's error is O(h^4).
  double step = 1e-3;
  // Mismatch measure: |ad - fd| / max(1, |fd|); the check passes when the worst is below this.
  double tolerance = 1e-6;
  // Directions v for H v; when empty, the coordinate vectors e_1..e_n (the whole Hessian).
  std::vector<std::vector<double>> directions;
};

struct DerivativeCheck {
  bool ok = true;
  std::vector<double> point;
  double value = 0.0;
  double gradient_error = 0.0;   // worst gradient mismatch
  std::size_t gradient_index = 0;
  double gradient_ad = 0.0, gradient_fd = 0.0;
  double hvp_error = 0.0;        // worst H v mismatch
  std::size_t hvp_direction = 0;
  std::size_t hvp_index = 0;
  double hvp_ad = 0.0, hvp_fd = 0.0;

  std::string report() const {
    std::ostringstream o;
    o.precision(10);
    o << (ok ? "derivatives agree" : "DERIVATIVE MISMATCH") << " at x = (";
    for (std::size_t i = 0; i < point.size(); ++i) o << (i ? ", " : "") << point[i];
    o << "), f = " << value << "\n  worst gradient error " << gradient_error << " at index "
      << gradient_index << ": ad " << gradient_ad << ", fd " << gradient_fd
      << "\n  worst Hessian-vector error " << hvp_error << " in direction " << hvp_direction
      << " at index " << hvp_index << ": ad " << hvp_ad << ", fd " << hvp_fd << "\n";
    return o.str();
  }
};

namespace detail {
inline double mismatch(double ad, double fd) {
  if (std::isnan(ad) != std::isnan(fd)) return INFINITY;
  if (std::isnan(ad)) return 0.0;
  return std::abs(ad - fd) / std::max(1.0, std::abs(fd));
}
// g at x + 2he, x + he, x - he, x - 2he: the fourth-order central difference is
// (-g[0] + 8 g[1] - 8 g[2] + g[3]) / 12h.
template <class G>
auto stencil(const G& g, std::span<const double> x, std::span<const double> e, double h) {
  std::vector<double> xs(x.begin(), x.end());
  auto at = [&](double t) {
    for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = x[i] + t * e[i];
    return g(xs);
  };
  return std::array<decltype(at(h)), 4>{at(2 * h), at(h), at(-h), at(-2 * h)};
}
inline double difference(double p2, double p1, double m1, double m2, double h) {
  return (-p2 + 8 * p1 - 8 * m1 + m2) / (12 * h);
}
}  // namespace detail

template <class F>
DerivativeCheck check_derivatives(const F& f, std::span<const double> x,
                                  const DerivativeCheckOptions& options = {}) {
  const std::size_t n = x.size();
  DerivativeCheck r;
  r.point.assign(x.begin(), x.end());
  auto fd = [&](const Vector<double>& xv) { return static_cast<double>(f(xv)); };
  auto f_double = [&](const std::vector<double>& xs) { return fd(Vector<double>(std::span<const double>(xs))); };
  auto grad_at = [&](const std::vector<double>& xs) { return gradient(f, xs); };

  const ValueAndGradient vg = value_and_gradient(f, x);
  r.value = vg.value;
  double scale = 1.0;
  for (double xi : x) scale = std::max(scale, std::abs(xi));
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> e(n, 0.0);
    e[i] = 1.0;
    const double h = options.step * std::max(1.0, std::abs(x[i]));
    const auto s = detail::stencil(f_double, x, e, h);
    const double g_fd = detail::difference(s[0], s[1], s[2], s[3], h);
    const double err = detail::mismatch(vg.gradient[i], g_fd);
    if (err > r.gradient_error || (i == 0 && err == 0.0)) {
      r.gradient_error = err;
      r.gradient_index = i;
      r.gradient_ad = vg.gradient[i];
      r.gradient_fd = g_fd;
    }
  }
  std::vector<std::vector<double>> dirs = options.directions;
  if (dirs.empty())
    for (std::size_t i = 0; i < n; ++i) {
      dirs.emplace_back(n, 0.0);
      dirs.back()[i] = 1.0;
    }
  for (std::size_t d = 0; d < dirs.size(); ++d) {
    const auto& v = dirs[d];
    detail::check_size(v.size(), n, "direction", "check_derivatives");
    const HessianVectorProduct hv = hvp(f, x, v);
    const double h = options.step * scale;
    const auto s = detail::stencil(grad_at, x, v, h);
    for (std::size_t i = 0; i < n; ++i) {
      const double hv_fd = detail::difference(s[0][i], s[1][i], s[2][i], s[3][i], h);
      const double err = detail::mismatch(hv.hvp[i], hv_fd);
      if (err > r.hvp_error || (d == 0 && i == 0 && err == 0.0)) {
        r.hvp_error = err;
        r.hvp_direction = d;
        r.hvp_index = i;
        r.hvp_ad = hv.hvp[i];
        r.hvp_fd = hv_fd;
      }
    }
  }
  r.ok = r.gradient_error <= options.tolerance && r.hvp_error <= options.tolerance;
  return r;
}

}  // namespace tapir::autodiff
