#pragma once
// Checks shared by the model-library tests: gradients and Hessian-vector products through the
// Model handle against finite differences of the handle's own double log density, the same through
// autodiff::check_derivatives on the model's templated density, and constrain/unconstrain round
// trips.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "models/model.hpp"

namespace model_checks {

using tapir::models::Model;
using tapir::models::ParameterReader;

// A deterministic, irregular point of the unconstrained space.
inline std::vector<double> test_point(std::size_t n, double scale, double phase = 1.0) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = scale * std::sin(phase + 1.7 * static_cast<double>(i));
  return x;
}

// The log density of a model definition on the unconstrained space, as the handle computes it,
// as a function the functional API differentiates.
template <class M>
auto density_function(const M& m, bool jacobian = true) {
  return [&m, jacobian](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    ParameterReader<T> reader(std::span<const T>(x.data(), x.size()), jacobian);
    T lp = m.log_density(reader);
    return T(lp + reader.log_jacobian());
  };
}

inline double mismatch(double a, double b) { return std::abs(a - b) / std::max(1.0, std::abs(b)); }

// Gradient and H v through the handle against fourth-order central differences of the handle's
// double log density and gradient; `directions` unit directions (coordinates first, then mixed).
inline void check_handle_derivatives(const Model& model, const std::vector<double>& x, double tolerance = 1e-6,
                                     std::size_t directions = 3, double step = 1e-4) {
  const std::size_t n = model.dimension();
  REQUIRE(x.size() == n);
  std::vector<double> g(n), g2(n), hv(n);
  const double lp = model.value_and_gradient(x, g);
  CHECK(lp == doctest::Approx(model.log_density(x)).epsilon(1e-12));
  auto stencil = [&](auto&& f, const std::vector<double>& v, double h) {
    std::vector<double> xs(n);
    auto at = [&](double t) {
      for (std::size_t i = 0; i < n; ++i) xs[i] = x[i] + t * v[i];
      return f(xs);
    };
    return std::vector<decltype(at(h))>{at(2 * h), at(h), at(-h), at(-2 * h)};
  };
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> e(n, 0.0);
    e[i] = 1.0;
    const auto s = stencil([&](const std::vector<double>& z) { return model.log_density(z); }, e, step);
    const double fd = (-s[0] + 8 * s[1] - 8 * s[2] + s[3]) / (12 * step);
    worst = std::max(worst, mismatch(g[i], fd));
    CHECK_MESSAGE(mismatch(g[i], fd) < tolerance, "gradient " << i << ": ad " << g[i] << ", fd " << fd);
  }
  for (std::size_t d = 0; d < directions; ++d) {
    std::vector<double> v(n, 0.0);
    if (d < n && d + 1 < directions) {
      v[d] = 1.0;
    } else {
      for (std::size_t i = 0; i < n; ++i) v[i] = std::cos(0.3 + 2.1 * static_cast<double>(i + d));
      double norm = 0.0;
      for (double e : v) norm += e * e;
      for (double& e : v) e /= std::sqrt(norm);
    }
    model.hvp(x, v, g2, hv);
    for (std::size_t i = 0; i < n; ++i) CHECK(g2[i] == doctest::Approx(g[i]).epsilon(1e-12));
    const auto s = stencil(
        [&](const std::vector<double>& z) {
          std::vector<double> gz(n);
          model.value_and_gradient(z, gz);
          return gz;
        },
        v, step);
    for (std::size_t i = 0; i < n; ++i) {
      const double fd = (-s[0][i] + 8 * s[1][i] - 8 * s[2][i] + s[3][i]) / (12 * step);
      CHECK_MESSAGE(mismatch(hv[i], fd) < tolerance, "H v (direction " << d << ") " << i << ": ad " << hv[i] << ", fd " << fd);
    }
  }
}

// autodiff::check_derivatives on the model definition's templated density (whole Hessian for
// small dimensions, else a few directions).
template <class M>
void check_definition_derivatives(const M& m, const std::vector<double>& x, double tolerance = 1e-6) {
  tapir::autodiff::DerivativeCheckOptions opt;
  opt.tolerance = tolerance;
  if (x.size() > 12) {
    for (std::size_t d = 0; d < 3; ++d) {
      std::vector<double> v(x.size());
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.7 + 1.3 * static_cast<double>(i * (d + 1)));
      opt.directions.push_back(v);
    }
  }
  const auto r = tapir::autodiff::check_derivatives(density_function(m), x, opt);
  CHECK_MESSAGE(r.ok, r.report());
}

// constrain then unconstrain returns the point.
inline void check_round_trip(const Model& model, const std::vector<double>& x, double tolerance = 1e-12) {
  const std::vector<double> c = model.constrain(x);
  REQUIRE(c.size() >= model.constrained_size());
  const std::vector<double> u = model.unconstrain(std::span<const double>(c.data(), model.constrained_size()));
  REQUIRE(u.size() == x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    CHECK_MESSAGE(std::abs(u[i] - x[i]) <= tolerance * std::max(1.0, std::abs(x[i])),
                  "coordinate " << i << ": " << u[i] << " vs " << x[i]);
}

}  // namespace model_checks
