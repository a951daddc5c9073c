#pragma once
// Shared checks for the bijector tests (not a test itself: CMake builds only *_test.cpp). They take
// the type-erased handle, so each check is compiled once per test file; the concrete bijectors'
// member templates are instantiated through it.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "autodiff/matrix.hpp"
#include "distributions/bijectors/field.hpp"

namespace bijector_test {

using namespace tapir::autodiff;
using tapir::distributions::bijectors::Bijector;

inline constexpr double eps = std::numeric_limits<double>::epsilon();

inline std::vector<double> uniform(std::mt19937_64& g, std::size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& e : v) e = d(g);
  return v;
}

template <class T>
struct Image {
  std::vector<T> x;
  T lad;
};

template <class T>
Image<T> push(const Bijector& b, const std::vector<T>& u) {
  Image<T> r{std::vector<T>(b.constrained_size(u.size())), T(0.0)};
  b.forward(std::span<const T>(u), std::span<T>(r.x), r.lad);
  return r;
}

inline std::vector<double> pull(const Bijector& b, const std::vector<double>& x) {
  std::vector<double> u(b.unconstrained_size(x.size()));
  b.inverse(std::span<const double>(x), std::span<double>(u));
  return u;
}

// (forward(u), log|det J|) as one vector function of u, for jacobian().
inline auto forward_and_lad(const Bijector& b) {
  return [b](const auto& u) {
    using T = typename std::remove_cvref_t<decltype(u)>::value_type;
    Vector<T> out(b.constrained_size(u.size()) + 1);
    T lad = 0.0;
    b.forward(std::span<const T>(u.data(), u.size()), std::span<T>(out.data(), out.size() - 1), lad);
    out[out.size() - 1] = lad;
    return out;
  };
}

inline auto inverse_function(const Bijector& b) {
  return [b](const auto& x) {
    using T = typename std::remove_cvref_t<decltype(x)>::value_type;
    Vector<T> u(b.unconstrained_size(x.size()));
    b.inverse(std::span<const T>(x.data(), x.size()), std::span<T>(u.data(), u.size()));
    return u;
  };
}

// Fourth-order central differences of forward's outputs `rows` with respect to u (double only).
inline Matrix<double> fd_jacobian(const Bijector& b, const std::vector<double>& u, const std::vector<std::size_t>& rows,
                                  double h = 1e-3) {
  Matrix<double> J(rows.size(), u.size());
  for (std::size_t j = 0; j < u.size(); ++j) {
    auto at = [&](double t) {
      std::vector<double> v = u;
      v[j] += t;
      return push(b, v).x;
    };
    const auto p2 = at(2 * h), p1 = at(h), m1 = at(-h), m2 = at(-2 * h);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::size_t i = rows[r];
      J(r, j) = (-p2[i] + 8 * p1[i] - 8 * m1[i] + m2[i]) / (12 * h);
    }
  }
  return J;
}

inline std::vector<std::size_t> first_rows(std::size_t n) {
  std::vector<std::size_t> r(n);
  for (std::size_t i = 0; i < n; ++i) r[i] = i;
  return r;
}

// log|det A| by LU with partial pivoting.
inline double log_abs_det(Matrix<double> a) {
  const std::size_t n = a.rows();
  REQUIRE(a.cols() == n);
  double s = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::abs(a(i, k)) > std::abs(a(p, k))) p = i;
    if (p != k)
      for (std::size_t j = 0; j < n; ++j) std::swap(a(k, j), a(p, j));
    s += std::log(std::abs(a(k, k)));
    for (std::size_t i = k + 1; i < n; ++i) {
      const double f = a(i, k) / a(k, k);
      for (std::size_t j = k; j < n; ++j) a(i, j) -= f * a(k, j);
    }
  }
  return s;
}

// log|det J| of forward against the log-determinant of a finite-difference Jacobian of the
// outputs `rows` (all outputs when empty: a square bijector).
inline void check_log_det(const Bijector& b, const std::vector<double>& u, std::vector<std::size_t> rows = {},
                          double tol = 1e-7) {
  if (rows.empty()) rows = first_rows(b.constrained_size(u.size()));
  REQUIRE(rows.size() == u.size());
  const double fd = log_abs_det(fd_jacobian(b, u, rows));
  const double lad = push(b, u).lad;
  INFO(b.name(), " lad ", lad, " fd ", fd);
  CHECK(std::abs(lad - fd) <= tol * std::max(1.0, std::abs(fd)));
}

// Gradient and Hessian (all directions) through Var against finite differences, of
// w . forward(u) + w0 log|det J| with fixed random weights, and of log|det J| alone.
inline void check_forward_derivatives(const Bijector& b, const std::vector<double>& u, double tol = 1e-6) {
  std::mt19937_64 g(99);
  const std::vector<double> w = uniform(g, b.constrained_size(u.size()) + 1, -1.0, 1.0);
  auto weighted = [b, w](const auto& uv) {
    using T = typename std::remove_cvref_t<decltype(uv)>::value_type;
    std::vector<T> x(b.constrained_size(uv.size()));
    T lad = 0.0;
    b.forward(std::span<const T>(uv.data(), uv.size()), std::span<T>(x), lad);
    T s = w.back() * lad;
    for (std::size_t i = 0; i < x.size(); ++i) s += w[i] * x[i];
    return s;
  };
  auto lad_only = [b](const auto& uv) {
    using T = typename std::remove_cvref_t<decltype(uv)>::value_type;
    std::vector<T> x(b.constrained_size(uv.size()));
    T lad = 0.0;
    b.forward(std::span<const T>(uv.data(), uv.size()), std::span<T>(x), lad);
    return lad;
  };
  DerivativeCheckOptions o;
  o.tolerance = tol;
  const DerivativeCheck c1 = check_derivatives(weighted, u, o);
  INFO(b.name(), ": ", c1.report());
  CHECK(c1.ok);
  const DerivativeCheck c2 = check_derivatives(lad_only, u, o);
  INFO(b.name(), " (log|det J|): ", c2.report());
  CHECK(c2.ok);
}

// u -> x -> u. The tolerance follows the conditioning of the inverse: x is known to `ulps` ulps
// relative (more for values formed as exponentials of long sums), and the inverse turns an error
// dx into J_inv dx.
inline void check_round_trip_u(const Bijector& b, const std::vector<double>& u, double ulps = 4) {
  const Image<double> img = push(b, u);
  const std::vector<double> back = pull(b, img.x);
  REQUIRE(back.size() == u.size());
  const ValueAndJacobian Ji = jacobian(inverse_function(b), img.x);
  for (std::size_t i = 0; i < u.size(); ++i) {
    double cond = 0.0;
    for (std::size_t j = 0; j < img.x.size(); ++j) cond += std::abs(Ji.jacobian(i, j)) * std::abs(img.x[j]);
    const double tol = 1e-13 * (1.0 + std::abs(u[i])) + ulps * eps * cond;
    INFO(b.name(), " u[", i, "] = ", u[i], " back ", back[i], " tol ", tol);
    CHECK(std::isfinite(back[i]));
    CHECK(tol < 0.05);  // the test stays meaningful
    CHECK(std::abs(back[i] - u[i]) <= tol);
  }
}

// x -> u -> x for x in the constrained set.
inline void check_round_trip_x(const Bijector& b, const std::vector<double>& x, double tol = 1e-12) {
  const std::vector<double> u = pull(b, x);
  const Image<double> img = push(b, u);
  REQUIRE(img.x.size() == x.size());
  for (double e : u) CHECK(std::isfinite(e));
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO(b.name(), " x[", i, "] = ", x[i], " back ", img.x[i]);
    CHECK(std::abs(img.x[i] - x[i]) <= tol * (1.0 + std::abs(x[i])));
  }
}

// double, Var and Dual<double> give the same values; Dual tangents equal the tape's Jacobian
// (of x and log|det J|) times the direction; the tape's values match double.
inline void check_modes(const Bijector& b, const std::vector<double>& u) {
  const Image<double> d = push(b, u);
  std::mt19937_64 g(7);
  const std::vector<double> v = uniform(g, u.size(), -1.0, 1.0);
  const ValueAndJacobian J = jacobian(forward_and_lad(b), u);
  {
    NestedScope scope;
    std::vector<Var> uv;
    for (double e : u) uv.push_back(Var::independent(e));
    const Image<Var> r = push(b, uv);
    for (std::size_t i = 0; i < d.x.size(); ++i) CHECK(r.x[i].value() == doctest::Approx(d.x[i]).epsilon(1e-13));
    CHECK(r.lad.value() == doctest::Approx(d.lad).epsilon(1e-13));
  }
  // The inverse: Var values and Dual tangents (along a random direction in x) against double and
  // the tape's Jacobian of the inverse.
  {
    const std::vector<double> ui = pull(b, d.x);
    const ValueAndJacobian Ji = jacobian(inverse_function(b), d.x);
    const std::vector<double> vx = uniform(g, d.x.size(), -1.0, 1.0);
    std::vector<Dual<double>> xd;
    for (std::size_t i = 0; i < d.x.size(); ++i) xd.emplace_back(d.x[i], vx[i]);
    std::vector<Dual<double>> back(ui.size());
    b.inverse(std::span<const Dual<double>>(xd), std::span<Dual<double>>(back));
    for (std::size_t i = 0; i < ui.size(); ++i) {
      double jv = 0.0;
      for (std::size_t j = 0; j < d.x.size(); ++j) jv += Ji.jacobian(i, j) * vx[j];
      INFO(b.name(), " inverse output ", i);
      CHECK(Ji.value[i] == doctest::Approx(ui[i]).epsilon(1e-13));
      CHECK(back[i].val == doctest::Approx(ui[i]).epsilon(1e-13));
      CHECK(back[i].tan == doctest::Approx(jv).epsilon(1e-11));
    }
  }
  std::vector<Dual<double>> ud;
  for (std::size_t i = 0; i < u.size(); ++i) ud.emplace_back(u[i], v[i]);
  const Image<Dual<double>> r = push(b, ud);
  const std::size_t n = d.x.size();
  for (std::size_t i = 0; i <= n; ++i) {
    const Dual<double> y = i < n ? r.x[i] : r.lad;
    const double yd = i < n ? d.x[i] : d.lad;
    double jv = 0.0;
    for (std::size_t j = 0; j < u.size(); ++j) jv += J.jacobian(i, j) * v[j];
    INFO(b.name(), " output ", i);
    CHECK(y.val == doctest::Approx(yd).epsilon(1e-13));
    CHECK(J.value[i] == doctest::Approx(yd).epsilon(1e-13));
    CHECK(y.tan == doctest::Approx(jv).epsilon(1e-12));
  }
}

inline double std_normal_log_density(const std::vector<double>& u) {
  double s = 0.0;
  for (double e : u) s += -0.5 * e * e - 0.5 * std::log(2 * std::numbers::pi);
  return s;
}

// Density at x of f(U), U ~ N(0, I): N(f^{-1}(x)) |det J_{f^{-1}}(x)|, from the bijector's own
// inverse and log-Jacobian.
inline double pushforward_density(const Bijector& b, const std::vector<double>& x) {
  const std::vector<double> u = pull(b, x);
  for (double e : u)
    if (!std::isfinite(e)) return 0.0;
  const double l = std_normal_log_density(u) + tapir::distributions::bijectors::inverse_log_abs_det_jacobian(b, x);
  return std::exp(l);
}

// x = phi(t) mapping (0, 1) onto (lo, hi) (either bound may be infinite) and dx/dt.
inline std::pair<double, double> to_interval(double t, double lo, double hi) {
  const bool fl = std::isfinite(lo), fh = std::isfinite(hi);
  if (fl && fh) return {lo + (hi - lo) * t, hi - lo};
  if (fl) return {lo + t / (1 - t), 1 / ((1 - t) * (1 - t))};
  if (fh) return {hi - t / (1 - t), 1 / ((1 - t) * (1 - t))};
  const double c = std::cos(std::numbers::pi * (t - 0.5));
  return {std::tan(std::numbers::pi * (t - 0.5)), std::numbers::pi / (c * c)};
}

// Integral over (lo, hi) of the density of the push-forward of N(0, 1), by the midpoint rule in t.
inline double integrate_pushforward_1d(const Bijector& b, double lo, double hi, std::size_t n = 20000) {
  double s = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const auto [x, dx] = to_interval((k + 0.5) / n, lo, hi);
    s += pushforward_density(b, {x}) * dx;
  }
  return s / n;
}

// Quadrature rules for densities that pile up in thin layers at a boundary (as push-forwards of a
// normal through a logistic or tanh map do): nodes and weights of the trapezoid rule with step h
// over t in [-n h, n h] after a double-exponential substitution.
struct QuadratureRule {
  std::vector<double> x, w;
};
// On (lo, hi): x = mid + half tanh(pi/2 sinh t).
inline QuadratureRule tanh_sinh(double lo, double hi, double h = 0.1, int n = 32) {
  QuadratureRule r;
  const double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
  for (int i = -n; i <= n; ++i) {
    const double t = i * h, s = 0.5 * std::numbers::pi * std::sinh(t), ch = std::cosh(s);
    r.x.push_back(mid + half * std::tanh(s));
    r.w.push_back(half * h * 0.5 * std::numbers::pi * std::cosh(t) / (ch * ch));
  }
  return r;
}
// On (lo, inf): x = lo + exp(pi/2 sinh t).
inline QuadratureRule exp_sinh(double lo, double h = 0.1, int n = 40) {
  QuadratureRule r;
  for (int i = -n; i <= n; ++i) {
    const double t = i * h, e = std::exp(0.5 * std::numbers::pi * std::sinh(t));
    r.x.push_back(lo + e);
    r.w.push_back(h * 0.5 * std::numbers::pi * std::cosh(t) * e);
  }
  return r;
}

}  // namespace bijector_test
