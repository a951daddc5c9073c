#pragma once
// Planar flow (Rezende & Mohamed 2015, "Variational Inference with Normalizing Flows", ICML,
// section 4.1 and appendix A.1):
//     f(u) = u + v_hat h(w^T u + b),   h = tanh,
//     log|det J| = log|1 + h'(w^T u + b) w^T v_hat|.
// (The paper calls v "u"; here u is the flow's input.)
//
// Invertibility (appendix A.1): f is invertible iff w^T v_hat >= -1, which the reparameterization
//     v_hat = v + (m(w^T v) - w^T v) w / ||w||^2,   m(x) = -1 + log(1 + e^x)
// guarantees for every (v, w): w^T v_hat = m(w^T v) > -1, so 1 + h' w^T v_hat > 0 and
// log|det J| = log1p(h'(w^T u + b) m(w^T v)) is computed without the absolute value. w must be
// nonzero (at w = 0, v_hat is undefined and the result is NaN).
//
// Parameters theta (2d + 1): [ v (d), w (d), b ].
//
// Inverse (exact, to rounding): with s = w^T u, w^T z = s + m tanh(s + b) is strictly increasing in
// s, so s is the unique root in [w^T z - |m|, w^T z + |m|], found by safeguarded Newton
// (bisection whenever a Newton step leaves the bracket); then u = z - v_hat tanh(s + b).
//
// initialize: w ~ N(0, I / d), v = log(e - 1) w / ||w||^2 + delta with delta ~ N(0, 0.01^2 I),
// b = 0. Then m(w^T v) = O(delta) and v_hat = delta + O(delta) w / ||w||^2 is small: the map starts
// close to the identity (v = 0 would give v_hat = -0.31 w / ||w||^2 instead).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <span>
#include <string>

#include "autodiff/elementwise.hpp"
#include "autodiff/reductions.hpp"
#include "distributions/flows/flow.hpp"

namespace tapir::distributions::flows {

class Planar {
 public:
  explicit Planar(std::size_t d) : d_(d) {
    if (d == 0) throw size_error("Planar: dimension is 0");
  }

  static std::size_t num_parameters(std::size_t d) { return 2 * d + 1; }
  std::size_t num_parameters() const { return 2 * d_ + 1; }
  std::size_t dim() const { return d_; }
  std::string name() const { return "planar(" + std::to_string(d_) + ")"; }

  // The reparameterized v_hat (w^T v_hat = m(w^T v) > -1), for any scalar.
  template <class T>
  Vector<T> v_hat(std::span<const T> theta) const {
    using namespace autodiff;
    const Vector<T> v(theta.subspan(0, d_)), w(theta.subspan(d_, d_));
    const T wv = dot(w, v);
    const T m = log1p_exp(wv) - 1.0;
    const T c = (m - wv) / squared_norm(w);
    return v + c * w;
  }

  template <class T>
  void forward(std::span<const T> theta, std::span<const T> u, std::span<T> z, T& lad) const {
    using namespace autodiff;
    detail::check_sizes(*this, "forward", theta.size(), u.size(), z.size());
    const Vector<T> v(theta.subspan(0, d_)), w(theta.subspan(d_, d_));
    const T& b = theta[2 * d_];
    const Vector<T> x(u);
    const T wv = dot(w, v);
    const T m = log1p_exp(wv) - 1.0;  // = w^T v_hat
    const T c = (m - wv) / squared_norm(w);
    const Vector<T> vh = v + c * w;
    const T h = tanh(dot(w, x) + b);
    const Vector<T> out = x + h * vh;
    for (std::size_t i = 0; i < d_; ++i) z[i] = out[i];
    lad += log1p(((1.0 - h) * (1.0 + h)) * m);
  }

  void inverse(std::span<const double> theta, std::span<const double> z, std::span<double> u) const {
    detail::check_sizes(*this, "inverse", theta.size(), z.size(), u.size());
    const std::span<const double> w = theta.subspan(d_, d_);
    const double b = theta[2 * d_];
    const Vector<double> vh = v_hat(theta);
    double wv = 0.0, wz = 0.0;
    for (std::size_t i = 0; i < d_; ++i) {
      wv += w[i] * theta[i];
      wz += w[i] * z[i];
    }
    const double m = autodiff::log1p_exp(wv) - 1.0;
    const double s = solve(wz, m, b);
    const double h = std::tanh(s + b);
    for (std::size_t i = 0; i < d_; ++i) u[i] = z[i] - vh[i] * h;
  }

  void initialize(Generator& g, std::span<double> theta) const {
    detail::check_size(name() + " initialize", "theta", theta.size(), num_parameters());
    const double sd = 1.0 / std::sqrt(static_cast<double>(d_));
    double ww = 0.0;
    for (std::size_t i = 0; i < d_; ++i) {
      theta[d_ + i] = sd * standard_normal(g);
      ww += theta[d_ + i] * theta[d_ + i];
    }
    // v = log(e - 1) w / ||w||^2 + delta makes m(w^T v) = O(delta), so v_hat = O(delta).
    const double c = std::log(std::numbers::e - 1.0) / ww;
    for (std::size_t i = 0; i < d_; ++i) theta[i] = c * theta[d_ + i] + 0.01 * standard_normal(g);
    theta[2 * d_] = 0.0;
  }

 private:
  // The root s of s + m tanh(s + b) = t (m > -1: strictly increasing).
  static double solve(double t, double m, double b) {
    if (!std::isfinite(t) || !std::isfinite(m) || !std::isfinite(b)) return t - m * std::tanh(t + b);
    double lo = t - std::abs(m), hi = t + std::abs(m);
    double s = t - m * std::tanh(t + b);  // one fixed-point step: inside the bracket
    for (int it = 0; it < 200; ++it) {
      const double th = std::tanh(s + b);
      const double g = s + m * th - t;
      if (g == 0.0) return s;
      if (g > 0.0) hi = s;
      else lo = s;
      const double dg = 1.0 + m * (1.0 - th) * (1.0 + th);
      double next = s - g / dg;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (std::abs(next - s) <= 4.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(s))) return next;
      s = next;
      if (!(hi > lo)) return s;
    }
    return s;
  }

  std::size_t d_;
};

}  // namespace tapir::distributions::flows
