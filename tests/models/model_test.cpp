// The model interface: parameters read with constraints, the handle's log density, gradient and
// HVP, constrain / unconstrain, names, and the log-Jacobians checked by integration.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "distributions/normal.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;
using autodiff::Vector;

namespace {

// Eight schools, non-centred, as in posteriordb's eight_schools_noncentered.
struct EightSchools {
  std::vector<double> y{28, 8, -3, 7, -1, 1, 18, 12}, sigma{15, 10, 16, 11, 9, 11, 10, 18};
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    using autodiff::log1p;
    const std::size_t J = y.size();
    Vector<T> theta_trans = p.vector("theta_trans", J);
    T mu = p.real("mu");
    T tau = p.lower("tau", 0.0);
    Vector<T> theta = theta_trans * tau + mu;
    p.output("theta", theta);
    T lp = 0.0;
    for (std::size_t j = 0; j < J; ++j)
      lp += distributions::normal_lpdf(theta_trans[j], 0.0, 1.0) + distributions::normal_lpdf(y[j], theta[j], sigma[j]);
    lp += distributions::normal_lpdf(mu, 0.0, 5.0);
    lp += -std::log(std::numbers::pi * 5.0) - log1p(square(tau / 5.0));  // cauchy(0, 5)
    return lp;
  }
};

double eight_schools_by_hand(const std::vector<double>& x) {
  const EightSchools m;
  const double mu = x[8], tau = std::exp(x[9]);
  auto lnorm = [](double v, double loc, double s) {
    return -0.5 * std::pow((v - loc) / s, 2) - std::log(s) - 0.5 * std::log(2 * std::numbers::pi);
  };
  double lp = 0.0;
  for (int j = 0; j < 8; ++j) lp += lnorm(x[j], 0, 1) + lnorm(m.y[j], x[j] * tau + mu, m.sigma[j]);
  lp += lnorm(mu, 0, 5) - std::log(std::numbers::pi * 5.0 * (1 + std::pow(tau / 5.0, 2)));
  return lp + x[9];  // log-Jacobian of tau = exp(u)
}

std::vector<double> point(std::size_t n, double scale) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = scale * std::sin(1.0 + 1.7 * static_cast<double>(i));
  return x;
}

}  // namespace

TEST_CASE("eight schools through the handle: dimension, names, density, derivatives") {
  const Model model(EightSchools{}, "eight_schools_noncentered");
  CHECK(model.dimension() == 10);
  REQUIRE(model.parameters().size() == 3);
  CHECK(model.parameters()[0].name == "theta_trans");
  REQUIRE(model.outputs().size() == 1);
  CHECK(model.outputs()[0].name == "theta");
  const auto names = model.constrained_names();
  REQUIRE(names.size() == 18);
  CHECK(names[0] == "theta_trans.1");
  CHECK(names[9] == "tau");
  CHECK(names[10] == "theta.1");
  CHECK(model.constrained_names(NameStyle::stan)[17] == "theta[8]");

  const std::vector<double> x = point(10, 0.8);
  CHECK(model.log_density(x) == doctest::Approx(eight_schools_by_hand(x)).epsilon(1e-13));
  CHECK(model.log_density(x, false) == doctest::Approx(eight_schools_by_hand(x) - x[9]).epsilon(1e-13));
  std::vector<double> g(10), hv(10), v(10, 0.5);
  CHECK(model.value_and_gradient(x, g) == doctest::Approx(eight_schools_by_hand(x)).epsilon(1e-13));
  auto f = [&model](const auto& z) {
    std::vector<double> zz(z.begin(), z.end());
    return model.log_density(zz);
  };
  // Gradient and HVP through the handle against central differences of its double density.
  for (std::size_t i = 0; i < 10; ++i) {
    std::vector<double> xp = x, xm = x;
    xp[i] += 1e-6;
    xm[i] -= 1e-6;
    CHECK(g[i] == doctest::Approx((f(xp) - f(xm)) / 2e-6).epsilon(1e-6));
  }
  model.hvp(x, v, g, hv);
  std::vector<double> gp(10), gm(10), xp = x, xm = x;
  for (std::size_t i = 0; i < 10; ++i) {
    xp[i] += 1e-6 * v[i];
    xm[i] -= 1e-6 * v[i];
  }
  model.value_and_gradient(xp, gp);
  model.value_and_gradient(xm, gm);
  for (std::size_t i = 0; i < 10; ++i) CHECK(hv[i] == doctest::Approx((gp[i] - gm[i]) / 2e-6).epsilon(1e-5));
}

TEST_CASE("constrain and unconstrain are inverse; outputs are written with the draws") {
  const Model model(EightSchools{});
  const std::vector<double> x = point(10, 1.3);
  const std::vector<double> c = model.constrain(x);
  REQUIRE(c.size() == 18);
  CHECK(c[9] == doctest::Approx(std::exp(x[9])));
  CHECK(c[10] == doctest::Approx(x[0] * std::exp(x[9]) + x[8]));
  const std::vector<double> u = model.unconstrain(std::span<const double>(c.data(), model.constrained_size()));
  REQUIRE(u.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) CHECK(u[i] == doctest::Approx(x[i]).epsilon(1e-14));
}

namespace {
// garch-like dependent bounds: alpha1 in (0, 1), beta1 in (0, 1 - alpha1).
struct DependentBounds {
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    T alpha1 = p.interval("alpha1", 0.0, 1.0);
    T beta1 = p.interval("beta1", 0.0, 1.0 - alpha1);
    return 0.0 * (alpha1 + beta1);
  }
};
}  // namespace

TEST_CASE("bounds that depend on earlier parameters; the Jacobian integrates to the support's area") {
  const Model model(DependentBounds{});
  CHECK(model.dimension() == 2);
  const std::vector<double> x = {0.4, -1.1};
  const auto c = model.constrain(x);
  CHECK(c[0] > 0.0);
  CHECK(c[1] < 1.0 - c[0]);
  const auto u = model.unconstrain(c);
  CHECK(u[0] == doctest::Approx(x[0]).epsilon(1e-14));
  CHECK(u[1] == doctest::Approx(x[1]).epsilon(1e-13));
  // With a flat density, the integral of exp(log-Jacobian) over R^2 is the area of the support
  // {alpha1 + beta1 < 1, both positive} = 1/2. Midpoint rule on a wide grid.
  double total = 0.0;
  const double h = 0.05;
  for (double a = -30; a < 30; a += h)
    for (double b = -30; b < 30; b += h) total += std::exp(model.log_density(std::vector<double>{a + h / 2, b + h / 2}));
  CHECK(total * h * h == doctest::Approx(0.5).epsilon(1e-4));
  CHECK_THROWS_AS(model.unconstrain(std::vector<double>{0.7, 0.5}), tapir::domain_error);
}

namespace {
struct Structured {
  std::size_t k;
  int which;
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    if (which == 0) {
      Vector<T> s = p.simplex("s", k);
      return 0.0 * s[0];
    }
    if (which == 1) {
      Vector<T> o = p.ordered("o", k);
      T lp = 0.0;
      for (std::size_t i = 0; i < k; ++i) lp += distributions::normal_lpdf(o[i], 0.0, 1.0);
      return lp;
    }
    auto L = p.cholesky_corr("L", k);
    return 0.0 * L(0, 0);
  }
};
}  // namespace

TEST_CASE("simplex, ordered and correlation-Cholesky Jacobians integrate to the right volumes") {
  // Uniform on the 3-simplex: integral of exp(J) over R^2 = area of {x1, x2 > 0, x1 + x2 < 1} = 1/2.
  {
    const Model m(Structured{3, 0});
    double total = 0.0;
    const double h = 0.05;
    for (double a = -25; a < 25; a += h)
      for (double b = -25; b < 25; b += h) total += std::exp(m.log_density(std::vector<double>{a + h / 2, b + h / 2}));
    CHECK(total * h * h == doctest::Approx(0.5).epsilon(1e-4));
    const auto c = m.constrain(std::vector<double>{0.0, 0.0});
    CHECK(c[0] == doctest::Approx(1.0 / 3));  // u = 0 is the uniform simplex
    CHECK(c[2] == doctest::Approx(1.0 / 3));
    const auto u = m.unconstrain(std::vector<double>{0.2, 0.5, 0.3});
    const auto back = m.constrain(u);
    CHECK(back[1] == doctest::Approx(0.5).epsilon(1e-14));
  }
  // Two iid standard normals sorted: the ordered density integrates to P(x1 < x2) = 1/2.
  {
    const Model m(Structured{2, 1});
    double total = 0.0;
    const double h = 0.02;
    for (double a = -9; a < 9; a += h)
      for (double b = -25; b < 5; b += h) total += std::exp(m.log_density(std::vector<double>{a + h / 2, b + h / 2}));
    CHECK(total * h * h == doctest::Approx(0.5).epsilon(1e-4));
  }
  // K = 2: one free element L21 in (-1, 1): volume 2. K = 3: L21 in (-1, 1) and (L31, L32) in
  // the unit disc: volume 2 pi.
  {
    const Model m2(Structured{2, 2});
    double total = 0.0;
    const double h = 0.001;
    for (double a = -20; a < 20; a += h) total += std::exp(m2.log_density(std::vector<double>{a + h / 2}));
    CHECK(total * h == doctest::Approx(2.0).epsilon(1e-6));
    const Model m3(Structured{3, 2});
    CHECK(m3.dimension() == 3);
    double t3 = 0.0;
    const double h3 = 0.08;
    for (double a = -12; a < 12; a += h3)
      for (double b = -12; b < 12; b += h3)
        for (double c = -12; c < 12; c += h3)
          t3 += std::exp(m3.log_density(std::vector<double>{a + h3 / 2, b + h3 / 2, c + h3 / 2}));
    CHECK(t3 * h3 * h3 * h3 == doctest::Approx(2 * std::numbers::pi).epsilon(2e-3));
    const std::vector<double> x = {0.3, -0.8, 1.1};
    const auto L = m3.constrain(x);
    for (int i = 0; i < 3; ++i) {
      double norm = 0.0;
      for (int j = 0; j < 3; ++j) norm += L[i * 3 + j] * L[i * 3 + j];
      CHECK(norm == doctest::Approx(1.0).epsilon(1e-14));  // unit rows: L L^T has unit diagonal
    }
    const auto u = m3.unconstrain(L);
    for (int i = 0; i < 3; ++i) CHECK(u[i] == doctest::Approx(x[i]).epsilon(1e-13));
  }
}

namespace {
struct All {
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    T a = p.lower("a", 1.0);
    T b = p.upper("b", 2.0);
    T c = p.interval("c", -1.0, a);
    Vector<T> v = p.positive("v", 3);
    Vector<T> s = p.simplex("s", 3);
    Vector<T> o = p.ordered("o", 3);
    auto L = p.cholesky_corr("L", 3);
    return a * b + c * c + autodiff::dot(v, s) + o[2] * s[1] + L(2, 1) * L(1, 0) + L(2, 2);
  }
};
}  // namespace

TEST_CASE("gradients through every constraint agree with finite differences") {
  const Model m(All{});
  CHECK(m.dimension() == 3 + 3 + 2 + 3 + 3);
  const std::vector<double> x = point(m.dimension(), 0.7);
  std::vector<double> g(x.size()), hv(x.size()), v(x.size(), 1.0);
  m.hvp(x, v, g, hv);
  const double h = 1e-5;
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::vector<double> xp = x, xm = x;
    xp[i] += h;
    xm[i] -= h;
    CHECK(g[i] == doctest::Approx((m.log_density(xp) - m.log_density(xm)) / (2 * h)).epsilon(1e-6));
  }
  std::vector<double> xp = x, xm = x, gp(x.size()), gm(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    xp[i] += h;
    xm[i] -= h;
  }
  m.value_and_gradient(xp, gp);
  m.value_and_gradient(xm, gm);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(hv[i] == doctest::Approx((gp[i] - gm[i]) / (2 * h)).epsilon(1e-5));
}

TEST_CASE("wrong sizes are reported with the model's name") {
  const Model model(EightSchools{}, "eight_schools");
  CHECK_THROWS_WITH_AS(model.log_density(std::vector<double>(3)), doctest::Contains("eight_schools: a point has 3 values"),
                       tapir::size_error);
  CHECK_THROWS_AS(model.unconstrain(std::vector<double>(5)), tapir::size_error);
}
