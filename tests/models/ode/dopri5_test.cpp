// The Dormand-Prince 5(4) solver (models/ode/dopri5.hpp): accuracy against analytic solutions,
// sensitivities (gradients and Hessian-vector products through the integration) against the
// analytic derivatives and finite differences, the error controller's behaviour, and its errors.
#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/dual.hpp"
#include "autodiff/functional.hpp"
#include "models/ode/dopri5.hpp"

using namespace tapir;
using autodiff::Dual;
using autodiff::Var;
using autodiff::Vector;
namespace ode = tapir::models::ode;

namespace {

const std::vector<double> decay_times = {0.25, 0.5, 1.0, 2.0, 3.5, 5.0, 8.0};
// y0 exp(-k t) stays far above the absolute tolerance on these (k t <= 6).

ode::Dopri5Options tight(double tol) {
  ode::Dopri5Options o;
  o.relative_tolerance = tol;
  o.absolute_tolerance = tol;
  return o;
}

// sum_i w_i y(t_i) for y' = -k y, y(0) = y0, with x = (k, y0): a smooth function of the solution.
struct DecayFunctional {
  double tol = 1e-10;
  template <class V>
  auto operator()(const V& x) const {
    using T = typename V::Scalar;
    const T k = x[0];
    auto f = [&](double, const Vector<T>& y) { return Vector<T>{-(k * y[0])}; };
    const auto sol = ode::dopri5(f, Vector<T>{x[1]}, 0.0, decay_times, tight(tol));
    T s = 0.0;
    for (std::size_t i = 0; i < decay_times.size(); ++i) s += (1.0 + 0.1 * static_cast<double>(i)) * sol.states(i, 0);
    return s;
  }
};

double decay_functional_exact(double k, double y0) {
  double s = 0.0;
  for (std::size_t i = 0; i < decay_times.size(); ++i)
    s += (1.0 + 0.1 * static_cast<double>(i)) * y0 * std::exp(-k * decay_times[i]);
  return s;
}

}  // namespace

TEST_CASE("exponential decay matches y0 exp(-k t) to 1e-6 relative with tolerances 1e-8") {
  for (double k : {0.05, 0.3, 0.75}) {
    const double y0 = 1.7;
    auto f = [k](double, const Vector<double>& y) { return Vector<double>{-k * y[0]}; };
    const auto sol = ode::dopri5(f, Vector<double>{y0}, 0.0, decay_times, tight(1e-8));
    REQUIRE(sol.states.rows() == decay_times.size());
    for (std::size_t i = 0; i < decay_times.size(); ++i) {
      const double exact = y0 * std::exp(-k * decay_times[i]);
      CHECK(std::abs(sol.states(i, 0) - exact) / exact < 1e-6);
    }
    CHECK(sol.stats.accepted > 0);
    CHECK(sol.stats.accepted < 400);
    // FSAL: six evaluations per attempted step, plus the first and the starting-step trial.
    CHECK(sol.stats.evaluations == 6 * (sol.stats.accepted + sol.stats.rejected) + 2);
  }
}

TEST_CASE("the error is controlled: tighter tolerances, smaller errors, more steps") {
  // Harmonic oscillator y'' = -y over 20 time units: y = (cos t, -sin t).
  auto f = [](double, const Vector<double>& y) { return Vector<double>{y[1], -y[0]}; };
  const std::vector<double> times = {20.0};
  double prev_err = 1.0;
  std::size_t prev_steps = 0;
  for (double tol : {1e-4, 1e-6, 1e-8, 1e-10}) {
    const auto sol = ode::dopri5(f, Vector<double>{1.0, 0.0}, 0.0, times, tight(tol));
    const double err = std::hypot(sol.states(0, 0) - std::cos(20.0), sol.states(0, 1) + std::sin(20.0));
    CHECK(err < 1e3 * tol);  // global error: a modest multiple of the local tolerance
    CHECK(err < prev_err);
    CHECK(sol.stats.accepted > prev_steps);
    prev_err = err;
    prev_steps = sol.stats.accepted;
  }
  // Fifth order: tolerance 100x smaller costs about 100^(1/5) = 2.5x the steps.
  const auto a = ode::dopri5(f, Vector<double>{1.0, 0.0}, 0.0, times, tight(1e-6));
  const auto b = ode::dopri5(f, Vector<double>{1.0, 0.0}, 0.0, times, tight(1e-8));
  const double ratio = static_cast<double>(b.stats.accepted) / static_cast<double>(a.stats.accepted);
  CHECK(ratio > 1.8);
  CHECK(ratio < 3.5);
}

TEST_CASE("output times: landed on exactly, t0 itself, repeats, and the standard controller") {
  auto f = [](double t, const Vector<double>& y) { return Vector<double>{std::cos(t) * y[0]}; };  // y = exp(sin t)
  const std::vector<double> times = {0.0, 0.0, 1e-3, 0.7, 0.7, 3.0, 3.0 + 1e-12, 9.0};
  for (double beta : {0.0, 0.04}) {
    ode::Dopri5Options o = tight(1e-9);
    o.pi_beta = beta;
    const auto sol = ode::dopri5(f, Vector<double>{1.0}, 0.0, times, o);
    REQUIRE(sol.times == times);
    for (std::size_t i = 0; i < times.size(); ++i)
      CHECK(sol.states(i, 0) == doctest::Approx(std::exp(std::sin(times[i]))).epsilon(1e-7));
    CHECK(sol.states(0, 0) == 1.0);
  }
  // No output times: nothing to do.
  const auto none = ode::dopri5(f, Vector<double>{1.0}, 0.0, std::vector<double>{});
  CHECK(none.states.rows() == 0);
  // max_step bounds every step.
  ode::Dopri5Options o;
  o.max_step = 0.1;
  const auto capped = ode::dopri5(f, Vector<double>{1.0}, 0.0, std::vector<double>{9.0}, o);
  CHECK(capped.stats.accepted >= 90);
}

TEST_CASE("sensitivities of the decay solution: gradient against the analytic d/dk and d/dy0") {
  const double k = 0.8, y0 = 1.3;
  const std::vector<double> x = {k, y0};
  const auto vg = autodiff::value_and_gradient(DecayFunctional{1e-10}, std::span<const double>(x));
  CHECK(vg.value == doctest::Approx(decay_functional_exact(k, y0)).epsilon(1e-8));
  double dk = 0.0, dy0 = 0.0;
  for (std::size_t i = 0; i < decay_times.size(); ++i) {
    const double w = 1.0 + 0.1 * static_cast<double>(i), e = std::exp(-k * decay_times[i]);
    dk += -w * decay_times[i] * y0 * e;  // d/dk y0 exp(-k t) = -t y0 exp(-k t)
    dy0 += w * e;
  }
  CHECK(vg.gradient[0] == doctest::Approx(dk).epsilon(1e-7));
  CHECK(vg.gradient[1] == doctest::Approx(dy0).epsilon(1e-7));

  // Against central finite differences of the double solver.
  const double h = 1e-5;
  const DecayFunctional g{1e-12};
  const double fd_k = (g(Vector<double>{k + h, y0}) - g(Vector<double>{k - h, y0})) / (2 * h);
  const double fd_y0 = (g(Vector<double>{k, y0 + h}) - g(Vector<double>{k, y0 - h})) / (2 * h);
  CHECK(vg.gradient[0] == doctest::Approx(fd_k).epsilon(1e-6));
  CHECK(vg.gradient[1] == doctest::Approx(fd_y0).epsilon(1e-6));

  // Forward mode through the same solver: Dual<double> in k.
  {
    using D = Dual<double>;
    const D kd(k, 1.0);
    auto f = [&](double, const Vector<D>& y) { return Vector<D>{-(kd * y[0])}; };
    const auto sol = ode::dopri5(f, Vector<D>{D(y0)}, 0.0, decay_times, tight(1e-10));
    for (std::size_t i = 0; i < decay_times.size(); ++i)
      CHECK(sol.states(i, 0).tan == doctest::Approx(-decay_times[i] * y0 * std::exp(-k * decay_times[i])).epsilon(1e-7));
  }
}

TEST_CASE("Hessian-vector products through the solver: analytic Hessian and check_derivatives") {
  const double k = 0.8, y0 = 1.3;
  const std::vector<double> x = {k, y0};
  // Analytic Hessian of sum_i w_i y0 exp(-k t_i).
  double hkk = 0.0, hky = 0.0;
  for (std::size_t i = 0; i < decay_times.size(); ++i) {
    const double w = 1.0 + 0.1 * static_cast<double>(i), t = decay_times[i], e = std::exp(-k * t);
    hkk += w * t * t * y0 * e;
    hky += -w * t * e;
  }
  const std::vector<double> v = {0.6, -1.1};
  const auto r = autodiff::hvp(DecayFunctional{1e-10}, std::span<const double>(x), std::span<const double>(v));
  CHECK(r.hvp[0] == doctest::Approx(hkk * v[0] + hky * v[1]).epsilon(1e-6));
  CHECK(r.hvp[1] == doctest::Approx(hky * v[0]).epsilon(1e-6));

  autodiff::DerivativeCheckOptions opt;
  opt.tolerance = 1e-6;
  const auto check = autodiff::check_derivatives(DecayFunctional{1e-12}, x, opt);
  CHECK_MESSAGE(check.ok, check.report());
}

TEST_CASE("rejected steps are dropped from the tape: derivatives stay exact after rejections") {
  // A huge first step forces rejections.
  ode::Dopri5Options o = tight(1e-10);
  o.initial_step = 5.0;
  auto run = [&o](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    const T a = x[0], b = x[1];
    // A nonlinear system: Lotka-Volterra with parameters a, b.
    auto f = [&](double, const Vector<T>& y) { return Vector<T>{a * y[0] - y[0] * y[1], b * y[0] * y[1] - y[1]}; };
    const auto sol = ode::dopri5(f, Vector<T>{T(1.0), T(0.5)}, 0.0, std::vector<double>{4.0}, o);
    return T(sol.states(0, 0) + 2.0 * sol.states(0, 1));
  };
  {
    const auto sol = ode::dopri5([](double, const Vector<double>& y) { return Vector<double>{y[0] - y[0] * y[1], 0.7 * y[0] * y[1] - y[1]}; },
                                 Vector<double>{1.0, 0.5}, 0.0, std::vector<double>{4.0}, o);
    CHECK(sol.stats.rejected > 0);
  }
  const std::vector<double> x = {1.0, 0.7};
  autodiff::DerivativeCheckOptions opt;
  opt.tolerance = 1e-6;
  const auto check = autodiff::check_derivatives(run, x, opt);
  CHECK_MESSAGE(check.ok, check.report());
  // The tape holds the accepted steps only: recording with and without forced rejections gives
  // the same gradient to rounding.
  ode::Dopri5Options o2 = o;
  o2.initial_step = 0.0;
  const auto g1 = autodiff::gradient(run, x);
  o = o2;
  const auto g2 = autodiff::gradient(run, x);
  CHECK(g1[0] == doctest::Approx(g2[0]).epsilon(1e-7));
  CHECK(g1[1] == doctest::Approx(g2[1]).epsilon(1e-7));
}

TEST_CASE("errors name what went wrong, with time and step") {
  // y' = y^2, y(0) = 1 blows up at t = 1.
  auto blowup = [](double, const Vector<double>& y) { return Vector<double>{y[0] * y[0]}; };
  try {
    ode::dopri5(blowup, Vector<double>{1.0}, 0.0, std::vector<double>{2.0});
    FAIL("no error");
  } catch (const tapir::domain_error& e) {
    const std::string m = e.what();
    const std::string head = "dopri5: step size underflow at t = ";
    REQUIRE_MESSAGE(m.rfind(head, 0) == 0, m);
    CHECK(std::stod(m.substr(head.size())) == doctest::Approx(1.0).epsilon(1e-4));  // the singularity
    CHECK_MESSAGE(m.find("(step size ") != std::string::npos, m);
  }
  ode::Dopri5Options o;
  o.max_steps = 10;
  auto slow = [](double t, const Vector<double>& y) { return Vector<double>{std::cos(10 * t) * y[0]}; };
  CHECK_THROWS_WITH_AS(ode::dopri5(slow, Vector<double>{1.0}, 0.0, std::vector<double>{50.0}, o),
                       doctest::Contains("dopri5: maximum number of steps (10) exceeded at t = "), tapir::domain_error);
  CHECK_THROWS_WITH_AS(ode::dopri5(slow, Vector<double>{1.0}, 0.0, std::vector<double>{1.0, 0.5}),
                       doctest::Contains("output time 2 is 0.5"), tapir::domain_error);
  CHECK_THROWS_WITH_AS(ode::dopri5(slow, Vector<double>{1.0}, 1.0, std::vector<double>{0.5}),
                       doctest::Contains("output time 1 is 0.5, must be finite and >= t0 = 1"), tapir::domain_error);
  auto wrong = [](double, const Vector<double>&) { return Vector<double>{1.0, 2.0}; };
  CHECK_THROWS_WITH_AS(ode::dopri5(wrong, Vector<double>{1.0}, 0.0, std::vector<double>{1.0}),
                       doctest::Contains("right-hand side returned 2 values at t = 0, the state has 1"), tapir::size_error);
  CHECK_THROWS_AS(ode::dopri5(slow, Vector<double>{}, 0.0, std::vector<double>{1.0}), tapir::size_error);
  ode::Dopri5Options bad;
  bad.relative_tolerance = -1.0;
  CHECK_THROWS_WITH_AS(ode::dopri5(slow, Vector<double>{1.0}, 0.0, std::vector<double>{1.0}, bad),
                       doctest::Contains("relative_tolerance is -1"), tapir::domain_error);
  auto nan_rhs = [](double, const Vector<double>&) { return Vector<double>{std::nan("")}; };
  CHECK_THROWS_WITH_AS(ode::dopri5(nan_rhs, Vector<double>{1.0}, 0.0, std::vector<double>{1.0}),
                       doctest::Contains("not finite at t0 = 0"), tapir::domain_error);
}
