// Normalizing flows (distributions/flows): invertibility, log|det J| against the log-determinant of
// a finite-difference Jacobian, the planar invertibility constraint, the flow density integrating
// to 1 (quadrature over a grid, 1-D and 2-D), the triangular structure MADE's masks impose,
// double / Var / Dual agreement, and gradients and Hessian-vector products of the reparameterized
// log q through the tape against finite differences (check_derivatives).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "distributions/bijectors/exp.hpp"
#include "distributions/bijectors/sigmoid.hpp"
#include "distributions/bijectors/stick_breaking.hpp"
#include "distributions/flows/flows.hpp"

using namespace tapir::autodiff;
using namespace tapir::distributions::flows;
namespace dist = tapir::distributions;
namespace bij = tapir::distributions::bijectors;
using tapir::models::nn::Activation;

namespace {

std::vector<double> normals(std::mt19937_64& rng, std::size_t n, double sd = 1.0) {
  std::normal_distribution<double> nd(0.0, sd);
  std::vector<double> v(n);
  for (double& e : v) e = nd(rng);
  return v;
}

std::vector<double> unit_direction(std::mt19937_64& rng, std::size_t n) {
  std::vector<double> v = normals(rng, n);
  double s = 0.0;
  for (double e : v) s += e * e;
  for (double& e : v) e /= std::sqrt(s);
  return v;
}

// log|det A| by LU with partial pivoting (A n x n, row-major); -inf for a singular matrix.
double log_abs_det(std::vector<double> a, std::size_t n, int* sign = nullptr) {
  double log_det = 0.0;
  int s = 1;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::abs(a[i * n + k]) > std::abs(a[p * n + k])) p = i;
    if (a[p * n + k] == 0.0) return -std::numeric_limits<double>::infinity();
    if (p != k) {
      for (std::size_t j = 0; j < n; ++j) std::swap(a[k * n + j], a[p * n + j]);
      s = -s;
    }
    const double pivot = a[k * n + k];
    if (pivot < 0) s = -s;
    log_det += std::log(std::abs(pivot));
    for (std::size_t i = k + 1; i < n; ++i) {
      const double f = a[i * n + k] / pivot;
      for (std::size_t j = k; j < n; ++j) a[i * n + j] -= f * a[k * n + j];
    }
  }
  if (sign) *sign = s;
  return log_det;
}

// Central-difference Jacobian (n_out x n_in, row-major) of g: R^n_in -> R^n_out.
template <class G>
std::vector<double> fd_jacobian(const G& g, const std::vector<double>& x, std::size_t n_out, double h = 1e-5) {
  const std::size_t n = x.size();
  std::vector<double> jac(n_out * n);
  for (std::size_t j = 0; j < n; ++j) {
    std::vector<double> xp = x, xm = x;
    xp[j] += h;
    xm[j] -= h;
    const std::vector<double> yp = g(xp), ym = g(xm);
    for (std::size_t i = 0; i < n_out; ++i) jac[i * n + j] = (yp[i] - ym[i]) / (2.0 * h);
  }
  return jac;
}

struct Pushed {
  std::vector<double> z;
  double lad;
};

template <class F>
Pushed push(const F& f, const std::vector<double>& theta, const std::vector<double>& u, std::size_t n_out) {
  Pushed r{std::vector<double>(n_out), 0.0};
  f.forward(std::span<const double>(theta), std::span<const double>(u), std::span<double>(r.z), r.lad);
  return r;
}

template <class F>
std::vector<double> pull(const F& f, const std::vector<double>& theta, const std::vector<double>& z, std::size_t n_in) {
  std::vector<double> u(n_in);
  f.inverse(std::span<const double>(theta), std::span<const double>(z), std::span<double>(u));
  return u;
}

// Every kind of flow at dimension d.
std::vector<Flow> all_flows(std::size_t d) {
  return {Planar(d),
          AffineCoupling(d, {6}, 0),
          AffineCoupling(d, {5, 4}, 1, Activation::gelu),
          InverseAutoregressive(d, {7}),
          InverseAutoregressive(d, {6, 6}, reversed_order(d), Activation::softplus),
          MaskedAutoregressive(d, {7}),
          MaskedAutoregressive(d, {5}, reversed_order(d), Activation::relu, 2.0)};
}

// Parameters far from the identity map (planar: all O(1); networks: weights of sd 0.6).
std::vector<double> random_theta(const Flow& f, std::mt19937_64& rng) {
  return normals(rng, f.num_parameters(), f.target<Planar>() ? 1.0 : 0.6);
}

Matrix<double> row_of(const std::vector<double>& x) {
  Matrix<double> m(1, x.size());
  for (std::size_t j = 0; j < x.size(); ++j) m(0, j) = x[j];
  return m;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

}  // namespace

TEST_CASE("parameter counts, names and size checks") {
  CHECK(Planar::num_parameters(3) == 7);
  CHECK(Planar(5).num_parameters() == 11);
  CHECK(Planar(2).name() == "planar(2)");
  // Coupling on 4 coordinates keeping {0, 2}: MLP {2, 8, 4}.
  const AffineCoupling c(4, {8}, 0);
  CHECK(c.num_parameters() == (2 * 8 + 8) + (8 * 4 + 4));
  CHECK(c.kept() == std::vector<std::size_t>{0, 2});
  CHECK(c.transformed() == std::vector<std::size_t>{1, 3});
  // Nothing transformed: the identity, no parameters.
  CHECK(AffineCoupling(1, {4}, 0).num_parameters() == 0);
  // MADE, d = 3, hidden {4}: input degrees 1, 2, 3; hidden degrees 1, 2, 1, 2.
  // Input -> hidden: 4 + 2 + 0 weights, 4 biases. Hidden -> 2 blocks of 3 outputs of degrees 1, 2, 3:
  // per block 0 + 2 + 4 weights; 6 biases. Total 6 + 4 + 12 + 6 = 28.
  const MADE made(3, {4});
  CHECK(made.num_parameters() == 28);
  CHECK(InverseAutoregressive(3, {4}).num_parameters() == 28);
  CHECK(MaskedAutoregressive(3, {4}).num_parameters() == 28);
  CHECK(InverseAutoregressive(3, {4}, reversed_order(3)).name() == "iaf(3; 4; reversed; tanh)");

  const FlowSequence seq({Planar(3), AffineCoupling(3, {4}, 1)});
  CHECK(seq.num_parameters() == 7 + AffineCoupling(3, {4}, 1).num_parameters());
  CHECK(seq.parameter_offset(1) == 7);

  std::vector<double> theta(6), u(3), z(3);
  double lad = 0.0;
  CHECK_THROWS_AS(Planar(3).forward(std::span<const double>(theta), std::span<const double>(u), std::span<double>(z), lad),
                  tapir::size_error);
  CHECK_THROWS_AS(MADE(3, {4}, 2, {0, 0, 1}), tapir::domain_error);
  CHECK_THROWS_AS(FlowSequence({Planar(2), Planar(3)}), tapir::size_error);
  CHECK_THROWS_AS(InverseAutoregressive(2, {4}, {}, Activation::tanh, -1.0), tapir::domain_error);
  // A dimension-changing bijector must come last.
  CHECK_THROWS_AS(FlowSequence({Planar(2)}, {bij::Bijector(bij::StickBreaking{}), bij::Bijector(bij::Exp{})}),
                  tapir::domain_error);
}

TEST_CASE("round trips: inverse(forward(u)) = u and forward(inverse(z)) = z") {
  std::mt19937_64 rng(21);
  for (std::size_t d : {1, 2, 3, 5})
    for (const Flow& f : all_flows(d)) {
      CAPTURE(f.name());
      for (int rep = 0; rep < 5; ++rep) {
        const std::vector<double> theta = random_theta(f, rng);
        const std::vector<double> u = normals(rng, d, 1.5);
        const Pushed p = push(f, theta, u, d);
        const std::vector<double> back = pull(f, theta, p.z, d);
        CHECK(max_abs_diff(back, u) < 1e-10);
        const std::vector<double> z = normals(rng, d, 2.0);
        const std::vector<double> uz = pull(f, theta, z, d);
        CHECK(max_abs_diff(push(f, theta, uz, d).z, z) < 1e-10);
      }
    }
}

TEST_CASE("log|det J| against the LU log-determinant of a finite-difference Jacobian") {
  std::mt19937_64 rng(22);
  for (std::size_t d : {1, 2, 4})
    for (const Flow& f : all_flows(d)) {
      CAPTURE(f.name());
      for (int rep = 0; rep < 3; ++rep) {
        const std::vector<double> theta = random_theta(f, rng);
        const std::vector<double> u = normals(rng, d);
        const Pushed p = push(f, theta, u, d);
        const auto jac = fd_jacobian([&](const std::vector<double>& x) { return push(f, theta, x, d).z; }, u, d);
        int sign = 0;
        const double fd = log_abs_det(jac, d, &sign);
        CHECK(p.lad == doctest::Approx(fd).epsilon(1e-7).scale(1.0));
        // Every flow here preserves orientation.
        CHECK(sign == 1);
      }
    }
  // A sequence with a bijector: the sum of the parts'.
  const FlowSequence seq({Planar(3), InverseAutoregressive(3, {5}), AffineCoupling(3, {4}, 0)},
                         {bij::Bijector(bij::Sigmoid(-1.0, 2.0))});
  const std::vector<double> theta = normals(rng, seq.num_parameters(), 0.5);
  const std::vector<double> u = normals(rng, 3);
  const Pushed p = push(seq, theta, u, 3);
  const auto jac = fd_jacobian([&](const std::vector<double>& x) { return push(seq, theta, x, 3).z; }, u, 3, 1e-6);
  CHECK(p.lad == doctest::Approx(log_abs_det(jac, 3)).epsilon(1e-6).scale(1.0));
}

TEST_CASE("planar: w^T v_hat >= -1 for any parameters, so the map stays invertible") {
  std::mt19937_64 rng(23);
  for (std::size_t d : {1, 2, 6}) {
    const Planar f(d);
    for (int rep = 0; rep < 200; ++rep) {
      std::vector<double> theta = normals(rng, f.num_parameters(), 3.0);
      // Half the draws with w^T v strongly negative (where the unconstrained map would fold).
      if (rep % 2 == 0)
        for (std::size_t i = 0; i < d; ++i) theta[i] = -4.0 * theta[d + i];
      const Vector<double> vh = f.v_hat(std::span<const double>(theta));
      double wvh = 0.0;
      for (std::size_t i = 0; i < d; ++i) wvh += theta[d + i] * vh[i];
      CHECK(wvh >= -1.0 - 1e-12);
      // det J = 1 + h' w^T v_hat > 0 along a line through the steepest place (w^T u + b = 0).
      const std::vector<double> u = normals(rng, d);
      const Pushed p = push(f, theta, u, d);
      CHECK(std::isfinite(p.lad));
      // Invertible: the inverse recovers u.
      CHECK(max_abs_diff(pull(f, theta, p.z, d), u) < 1e-9 * std::max(1.0, std::abs(wvh)));
    }
  }
  // In 1-D the map is strictly increasing.
  const Planar f1(1);
  const std::vector<double> theta{-5.0, 2.0, 0.3};  // w v = -10: unconstrained, f would fold
  double prev = -INFINITY;
  for (double u = -5.0; u <= 5.0; u += 0.01) {
    const double z = push(f1, theta, {u}, 1).z[0];
    CHECK(z > prev);
    prev = z;
  }
}

TEST_CASE("MADE masks: the output Jacobian is strictly triangular in the order") {
  std::mt19937_64 rng(24);
  for (std::size_t d : {1, 2, 4, 6})
    for (const auto& order : {natural_order(d), reversed_order(d)})
      for (const std::vector<std::size_t>& hidden : {std::vector<std::size_t>{}, {8}, {3, 9}}) {
        const MADE made(d, hidden, 2, order);
        const std::vector<double> theta = normals(rng, made.num_parameters());
        auto g = [&](const std::vector<double>& x) {
          const Matrix<double> y = made.forward(std::span<const double>(theta), row_of(x));
          return std::vector<double>(y.data(), y.data() + y.size());
        };
        const std::vector<double> x = normals(rng, d);
        const auto jac = fd_jacobian(g, x, 2 * d);
        for (std::size_t c = 0; c < 2; ++c)
          for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j)
              if (order[j] >= order[i]) CHECK(jac[(c * d + i) * d + j] == 0.0);  // exact: no path at all
        if (order == natural_order(d) && hidden.size() == 1 && hidden[0] >= d) {
          // With a wide enough hidden layer every allowed dependency is present (generic weights).
          for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < i; ++j) CHECK(jac[i * d + j] != 0.0);
        }
        // The tape's Jacobian (input as Var, weights as data) has the same zeros.
        auto gv = [&](const auto& xv) {
          using T = typename std::remove_cvref_t<decltype(xv)>::value_type;
          Matrix<T> xm(1, d);
          for (std::size_t j = 0; j < d; ++j) xm(0, j) = xv[j];
          const Matrix<T> y = made.forward(std::span<const double>(theta), xm);
          Vector<T> out(y.size());
          for (std::size_t k = 0; k < y.size(); ++k) out[k] = y.data()[k];
          return out;
        };
        const ValueAndJacobian J = jacobian(gv, x);
        for (std::size_t i = 0; i < d; ++i)
          for (std::size_t j = 0; j < d; ++j)
            if (order[j] >= order[i]) CHECK(J.jacobian(i, j) == 0.0);
      }
  // A custom order: output i depends exactly on the variables before it in the order.
  const std::vector<std::size_t> order{2, 0, 3, 1};
  const MADE made(4, {12}, 2, order);
  const std::vector<double> theta = normals(rng, made.num_parameters());
  const std::vector<double> x = normals(rng, 4);
  const auto jac = fd_jacobian(
      [&](const std::vector<double>& xx) {
        const Matrix<double> y = made.forward(std::span<const double>(theta), row_of(xx));
        return std::vector<double>(y.data(), y.data() + y.size());
      },
      x, 8);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) {
      CAPTURE(i);
      CAPTURE(j);
      if (order[j] < order[i]) CHECK(jac[i * 4 + j] != 0.0);
      else CHECK(jac[i * 4 + j] == 0.0);
    }
}

TEST_CASE("autoregressive flows: dz/du is triangular with diagonal exp(s)") {
  std::mt19937_64 rng(25);
  const std::size_t d = 4;
  for (const Flow& f : {Flow(InverseAutoregressive(d, {8})), Flow(MaskedAutoregressive(d, {8}))}) {
    CAPTURE(f.name());
    const std::vector<double> theta = random_theta(f, rng);
    const std::vector<double> u = normals(rng, d);
    const auto jac = fd_jacobian([&](const std::vector<double>& x) { return push(f, theta, x, d).z; }, u, d);
    double log_diag = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t j = i + 1; j < d; ++j) CHECK(jac[i * d + j] == 0.0);
      log_diag += std::log(jac[i * d + i]);
    }
    CHECK(push(f, theta, u, d).lad == doctest::Approx(log_diag).epsilon(1e-7));
  }
}

TEST_CASE("double, Var and Dual agree; derivatives in theta and u against finite differences") {
  std::mt19937_64 rng(26);
  for (std::size_t d : {1, 3})
    for (const Flow& f : all_flows(d)) {
      CAPTURE(f.name());
      const std::size_t n = f.num_parameters();
      std::vector<double> x = random_theta(f, rng);
      const std::vector<double> u = normals(rng, d);
      x.insert(x.end(), u.begin(), u.end());
      const std::vector<double> w = normals(rng, d);
      // lad + w^T z as a function of (theta, u).
      auto obj = [&](const auto& a) {
        using T = typename std::remove_cvref_t<decltype(a)>::value_type;
        std::vector<T> z(d);
        T lad = 0.0;
        f.forward(std::span<const T>(a.data(), n), std::span<const T>(a.data() + n, d), std::span<T>(z), lad);
        T s = lad;
        for (std::size_t i = 0; i < d; ++i) s += w[i] * z[i];
        return s;
      };
      const double vd = obj(Vector<double>(std::span<const double>(x)));
      const ValueAndGradient vg = value_and_gradient(obj, x);
      CHECK(vg.value == doctest::Approx(vd).epsilon(1e-14));
      const std::vector<double> v = unit_direction(rng, x.size());
      const ValueAndDerivative dd = directional_derivative(obj, x, v);
      double gv = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i) gv += vg.gradient[i] * v[i];
      CHECK(dd.value == doctest::Approx(vd).epsilon(1e-14));
      CHECK(dd.derivative == doctest::Approx(gv).epsilon(1e-10).scale(1.0));

      DerivativeCheckOptions opt;
      for (int k = 0; k < 3; ++k) opt.directions.push_back(unit_direction(rng, x.size()));
      const DerivativeCheck c = check_derivatives(obj, x, opt);
      CHECK_MESSAGE(c.ok, c.report());
    }
}

namespace {

// Trapezoid weights' sum over a uniform grid of n points on [a, b] applied to values.
double trapezoid(const std::vector<double>& y, double h) {
  double s = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) s += (i == 0 || i + 1 == y.size() ? 0.5 : 1.0) * y[i];
  return s * h;
}

}  // namespace

TEST_CASE("the flow density integrates to 1 (1-D, by quadrature)") {
  std::mt19937_64 rng(27);
  const FlowSequence seq({Planar(1), InverseAutoregressive(1, {4}), AffineCoupling(1, {3}, 1),
                          MaskedAutoregressive(1, {4}), Planar(1)});
  const auto q = flow_distribution(seq);
  for (int rep = 0; rep < 3; ++rep) {
    const std::vector<double> theta = normals(rng, q.num_parameters(), 0.7);
    // Every 1-D flow is increasing, so [f(-9), f(9)] holds all but 2 Phi(-9) ~ 2e-19 of the mass.
    const double lo = push(seq, theta, {-9.0}, 1).z[0], hi = push(seq, theta, {9.0}, 1).z[0];
    REQUIRE(hi > lo);
    const std::size_t n = 40001;
    const double h = (hi - lo) / static_cast<double>(n - 1);
    std::vector<double> dens(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double x = lo + h * static_cast<double>(i);
      dens[i] = std::exp(q.log_density(theta, std::vector<double>{x}));
    }
    CHECK(trapezoid(dens, h) == doctest::Approx(1.0).epsilon(1e-6));
  }
  // Through a bijector onto (0, inf): integrate q(x) dx with x = e^y on a uniform grid in y.
  const auto qe = flow_distribution(FlowSequence({Planar(1), InverseAutoregressive(1, {4})}, {bij::Bijector(bij::Exp{})}));
  const std::vector<double> theta = normals(rng, qe.num_parameters(), 0.7);
  const double lo = std::log(push(qe.flow(), theta, {-9.0}, 1).z[0]);
  const double hi = std::log(push(qe.flow(), theta, {9.0}, 1).z[0]);
  const std::size_t n = 40001;
  const double h = (hi - lo) / static_cast<double>(n - 1);
  std::vector<double> dens(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = std::exp(lo + h * static_cast<double>(i));
    dens[i] = std::exp(qe.log_density(theta, std::vector<double>{x})) * x;
  }
  CHECK(trapezoid(dens, h) == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("the flow density integrates to 1 (2-D, by quadrature)") {
  std::mt19937_64 rng(28);
  struct Case {
    FlowSequence seq;
    double sd;  // of the random parameters
  };
  const std::vector<Case> cases{
      {FlowSequence({Planar(2)}), 1.0},
      {FlowSequence({AffineCoupling(2, {8}, 0)}), 0.5},
      {FlowSequence({InverseAutoregressive(2, {6})}), 0.5},
      {FlowSequence({MaskedAutoregressive(2, {6}, reversed_order(2))}), 0.5},
      {FlowSequence({Planar(2), AffineCoupling(2, {8}, 0), AffineCoupling(2, {8}, 1), InverseAutoregressive(2, {6}),
                     MaskedAutoregressive(2, {6}, reversed_order(2))}),
       0.3}};
  for (const Case& c : cases) {
    CAPTURE(c.seq.name());
    const auto q = flow_distribution(c.seq);
    const std::vector<double> theta = normals(rng, q.num_parameters(), c.sd);
    // The image of the disk |eps| <= 8 (mass 1 - e^-32) is bounded by the image of its boundary
    // circle; its bounding box is the integration domain.
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < 4000; ++k) {
      const double a = 2.0 * std::numbers::pi * k / 4000.0;
      const auto z = push(c.seq, theta, {8.0 * std::cos(a), 8.0 * std::sin(a)}, 2).z;
      x0 = std::min(x0, z[0]);
      x1 = std::max(x1, z[0]);
      y0 = std::min(y0, z[1]);
      y1 = std::max(y1, z[1]);
    }
    const std::size_t n = 201;
    const double hx = (x1 - x0) / (n - 1), hy = (y1 - y0) / (n - 1);
    std::vector<double> row(n), rows(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j)
        row[j] = std::exp(q.log_density(theta, std::vector<double>{x0 + hx * i, y0 + hy * j}));
      rows[i] = trapezoid(row, hy);
    }
    CHECK(trapezoid(rows, hx) == doctest::Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("sample_and_log_density: the reparameterized draw and its log density") {
  std::mt19937_64 rng(29);
  const std::vector<FlowSequence> seqs{
      FlowSequence({Planar(3), AffineCoupling(3, {6}, 0), AffineCoupling(3, {6}, 1)}),
      FlowSequence({InverseAutoregressive(2, {6}), MaskedAutoregressive(2, {5}, reversed_order(2))},
                   {bij::Bijector(bij::Exp{})}),
      FlowSequence({Planar(2), InverseAutoregressive(2, {6})}, {bij::Bijector(bij::StickBreaking{})})};
  for (const FlowSequence& seq : seqs) {
    CAPTURE(seq.name());
    const auto q = flow_distribution(seq);
    const std::size_t d = q.base_dim();
    const std::vector<double> theta = normals(rng, q.num_parameters(), 0.5);
    const std::vector<double> eps = normals(rng, d);

    // log q of the draw = log q evaluated through the inverse.
    const auto s = q.sample_and_log_density(theta, std::span<const double>(eps));
    REQUIRE(s.x.size() == q.dim());
    CHECK(q.log_density(theta, std::span<const double>(s.x.data(), s.x.size())) ==
          doctest::Approx(s.log_density).epsilon(1e-10));
    // ... = log N(eps) - log|det J|.
    const Pushed p = push(seq, theta, eps, q.dim());
    CHECK(s.log_density == doctest::Approx(FlowDistribution::base_log_density(eps) - p.lad).epsilon(1e-14));

    // From a key: eps are the key's generator's standard normals.
    const dist::Key key = dist::make_key(77);
    const auto sk = q.sample_and_log_density(theta, key);
    dist::Generator g(key);
    std::vector<double> e2(d);
    dist::standard_normal(g, std::span<double>(e2));
    const auto s2 = q.sample_and_log_density(theta, std::span<const double>(e2));
    CHECK(sk.log_density == s2.log_density);
    for (std::size_t i = 0; i < q.dim(); ++i) CHECK(sk.x[i] == s2.x[i]);

    // A VI objective (a Monte Carlo KL(q || p) estimate up to a constant, p a product of logistic
    // densities in x), differentiated through the tape against finite differences: gradient and
    // Hessian-vector products in theta.
    std::vector<std::vector<double>> draws;
    for (int k = 0; k < 3; ++k) draws.push_back(normals(rng, d));
    auto kl = [&](const auto& th) {
      using T = typename std::remove_cvref_t<decltype(th)>::value_type;
      T total = 0.0;
      for (const auto& e : draws) {
        auto [x, log_q] = q.sample_and_log_density(th, std::span<const double>(e));
        T log_p = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) log_p += -x[i] - 2.0 * log1p_exp(-x[i]);
        total += log_q - log_p;
      }
      return total / static_cast<double>(draws.size());
    };
    DerivativeCheckOptions opt;
    for (int k = 0; k < 3; ++k) opt.directions.push_back(unit_direction(rng, theta.size()));
    const DerivativeCheck c = check_derivatives(kl, theta, opt);
    CHECK_MESSAGE(c.ok, c.report());
    // Dual agrees with the tape's gradient.
    const std::vector<double> v = unit_direction(rng, theta.size());
    const ValueAndGradient vg = value_and_gradient(kl, theta);
    const ValueAndDerivative dd = directional_derivative(kl, theta, v);
    double gv = 0.0;
    for (std::size_t i = 0; i < theta.size(); ++i) gv += vg.gradient[i] * v[i];
    CHECK(dd.value == doctest::Approx(vg.value).epsilon(1e-13));
    CHECK(dd.derivative == doctest::Approx(gv).epsilon(1e-10).scale(1.0));
  }
}

TEST_CASE("initialize starts near the identity map") {
  for (std::size_t d : {1, 3})
    for (const Flow& f : all_flows(d)) {
      CAPTURE(f.name());
      std::vector<double> theta(f.num_parameters());
      dist::Generator g(dist::make_key(5));
      f.initialize(g, std::span<double>(theta));
      std::mt19937_64 rng(30);
      const std::vector<double> u = normals(rng, d);
      const Pushed p = push(f, theta, u, d);
      CHECK(max_abs_diff(p.z, u) < 0.1);
      CHECK(std::abs(p.lad) < 0.1);
    }
  // FlowDistribution::initialize is deterministic in the key.
  const auto q = flow_distribution(FlowSequence({Planar(2), InverseAutoregressive(2, {4})}));
  CHECK(q.initialize(dist::make_key(1)) == q.initialize(dist::make_key(1)));
  CHECK(q.initialize(dist::make_key(1)) != q.initialize(dist::make_key(2)));
}
