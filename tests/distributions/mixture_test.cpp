// log_mix, log_mix_log_weights and normal_mixture_lpdf: SciPy/mpmath reference values, the forms
// against each other and against sums of single observations, zero-weight components, propto,
// exact gradients and Hessian-vector products in every Var/data combination, one tape node, and
// errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "distributions/mixture.hpp"
#include "multivariate_harness.hpp"
#include "multivariate_vectors.hpp"

namespace {

using namespace tapir::autodiff;
using tapir::distributions::log_mix;
using tapir::distributions::log_mix_log_weights;
using tapir::distributions::normal_mixture_lpdf;


constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double half_log_two_pi = 0.91893853320467274178032973640561764;

// theta = (x_0, ..., x_{K-2}, 1 - sum): stays on the simplex under finite-difference steps.
template <class T>
Vector<T> on_simplex(const Vector<T>& free) {
  Vector<T> t(free.size() + 1);
  T rest = 1.0;
  for (std::size_t i = 0; i < free.size(); ++i) {
    t[i] = free[i];
    rest = rest - free[i];
  }
  t[free.size()] = rest;
  return t;
}

// ---- values ----------------------------------------------------------------------------------------

TEST_CASE("log_mix and normal_mixture_lpdf match SciPy / mpmath") {
  double worst = 0.0;
  for (const auto& cs : mv_vectors::log_mix) {
    const Vector<double> theta(cs.theta), lambda(cs.lambda);
    const double got = log_mix(theta, lambda);
    const double err = std::abs(got - cs.expected) / std::abs(cs.expected);
    worst = std::max(worst, err);
    CHECK_MESSAGE(err <= 1e-14, "log_mix: " << got << " vs " << cs.expected);
    auto f = [&](const auto& l) { return log_mix(theta, l); };
    CHECK(value_and_gradient(f, cs.lambda).value == got);
    CHECK(directional_derivative(f, cs.lambda, cs.lambda).value == got);
    // The same through log weights.
    std::vector<double> w;
    for (double t : cs.theta) w.push_back(std::log(t));
    close(log_mix_log_weights(Vector<double>(w), lambda), got, 1e-15, "log weights");
  }
  MESSAGE("log_mix: " << mv_vectors::log_mix.size() << " cases, worst relative error " << worst);
  double worst_n = 0.0;
  for (const auto& cs : mv_vectors::normal_mixture) {
    const double got = normal_mixture_lpdf(Vector<double>(cs.y), Vector<double>(cs.theta), Vector<double>(cs.mu),
                                           Vector<double>(cs.sigma));
    const double err = std::abs(got - cs.expected) / std::max(std::abs(cs.expected), cs.scale);
    worst_n = std::max(worst_n, err);
    CHECK_MESSAGE(err <= 1e-14, "normal_mixture_lpdf: " << got << " vs " << cs.expected);
    double sum = 0.0;
    for (double y : cs.y)
      sum += normal_mixture_lpdf(y, Vector<double>(cs.theta), Vector<double>(cs.mu), Vector<double>(cs.sigma));
    close(sum, got, 1e-14, "sum of scalar observations");
  }
  MESSAGE("normal_mixture_lpdf: " << mv_vectors::normal_mixture.size() << " cases, worst error " << worst_n);
}

TEST_CASE("two components, several observations, zero weights") {
  // Two components: log(theta e^l1 + (1 - theta) e^l2).
  for (double theta : {0.0, 0.3, 0.5, 1.0}) {
    const double l1 = -1.3, l2 = 0.4;
    const double want = std::log(theta * std::exp(l1) + (1.0 - theta) * std::exp(l2));
    close(log_mix(theta, l1, l2), want, 1e-15, "two components");
    close(log_mix(Vector<double>{theta, 1.0 - theta}, Vector<double>{l1, l2}), want, 1e-15, "two components, vector");
  }
  close(log_mix(0.25, -1000.0, -1001.0), -1000.0 + std::log(0.25 + 0.75 * std::exp(-1.0)), 1e-15, "far tail");

  // Several observations: Matrix rows and std::vector = the sum of single calls.
  const Vector<double> theta{0.2, 0.5, 0.3};
  const std::vector<Vector<double>> rows{{-1.0, -2.0, -0.5}, {-3.0, 0.5, -1.0}, {-0.1, -0.2, -0.3}, {2.0, -9.0, 1.0}};
  Matrix<double> m(4, 3);
  double sum = 0.0;
  for (std::size_t i = 0; i < 4; ++i) {
    sum += log_mix(theta, rows[i]);
    for (std::size_t j = 0; j < 3; ++j) m(i, j) = rows[i][j];
  }
  close(log_mix(theta, m), sum, 1e-15, "Matrix rows");
  close(log_mix(theta, rows), sum, 1e-15, "std::vector rows");
  CHECK(log_mix(theta, Matrix<double>(0, 3)) == 0.0);

  // A component of zero weight drops out, with a zero derivative.
  const Vector<double> theta0{0.4, 0.0, 0.6};
  close(log_mix(theta0, rows[1]), log_mix(Vector<double>{0.4, 0.6}, Vector<double>{-3.0, -1.0}), 1e-15, "zero weight");
  auto f = [&](const auto& l) { return log_mix(theta0, l); };
  const std::vector<double> g = gradient(f, std::vector<double>{-3.0, 0.5, -1.0});
  CHECK(g[1] == 0.0);
  close(g[0] + g[2], 1.0, 1e-15, "weights of the others");
  // Every component of zero density: -inf.
  CHECK(log_mix(theta, Vector<double>{-inf, -inf, -inf}) == -inf);
  CHECK(log_mix(0.5, -inf, -inf) == -inf);
}

TEST_CASE("normal_mixture_lpdf: propto drops exactly N log(2 pi) / 2") {
  const Vector<double> y{0.3, -1.2, 2.5, 0.0}, theta{0.3, 0.7}, mu{-1.0, 1.0}, sigma{0.5, 2.0};
  CHECK(normal_mixture_lpdf<true>(y, theta, mu, sigma) == 0.0);
  const Vector<Var> mv{Var(-1.0), Var(1.0)};
  close(normal_mixture_lpdf(y, theta, mv, sigma).value() - normal_mixture_lpdf<true>(y, theta, mv, sigma).value(),
        -4.0 * half_log_two_pi, 1e-15, "mu Var");
  const Vector<Dual<double>> td{Dual<double>(0.3, 1.0), Dual<double>(0.7, -1.0)};
  const Dual<double> full = normal_mixture_lpdf(y, td, mu, sigma), pro = normal_mixture_lpdf<true>(y, td, mu, sigma);
  close(full.val - pro.val, -4.0 * half_log_two_pi, 1e-15, "theta Dual");
  CHECK(full.tan == pro.tan);
  // One component: the normal density.
  double want = 0.0;
  for (double v : {0.3, -1.2, 2.5, 0.0}) want += -0.5 * (v - 0.7) * (v - 0.7) / 2.25 - std::log(1.5) - half_log_two_pi;
  close(normal_mixture_lpdf(y, Vector<double>{1.0}, Vector<double>{0.7}, Vector<double>{1.5}), want, 1e-15,
        "one component");
}

// ---- derivatives ---------------------------------------------------------------------------------

// Shape 0: one observation, 1: Matrix rows, 2: std::vector rows. Weights 0: simplex (log_mix),
// 1: log weights.
template <bool WVar, bool LVar, int Shape, int Weights>
void log_mix_combo() {
  const std::vector<double> free{0.2, 0.5}, logw{-1.2, -0.4, -2.0};
  const std::vector<double> lambda{-1.0, -2.0, -0.5, -3.0, 0.5, -1.0, -0.1, -0.2, -0.3};
  const std::size_t n = Shape == 0 ? 1 : 3, k = 3;
  const std::vector<double> lam(lambda.begin(), lambda.begin() + static_cast<std::ptrdiff_t>(n * k));
  const std::vector<double>& wdata = Weights == 0 ? free : logw;
  std::vector<double> x;
  if (WVar) x.insert(x.end(), wdata.begin(), wdata.end());
  if (LVar) x.insert(x.end(), lam.begin(), lam.end());
  auto f = [&, n](const auto& xv) {
    std::size_t off = 0;
    const auto w = arg<WVar>(xv, off, wdata);
    const auto l = arg<LVar>(xv, off, lam);
    using TL = typename std::decay_t<decltype(l)>::Scalar;
    auto call = [&](const auto& ll) {
      if constexpr (Weights == 0)
        return log_mix(on_simplex(w), ll);
      else
        return log_mix_log_weights(w, ll);
    };
    if constexpr (Shape == 0) {
      return call(l);
    } else if constexpr (Shape == 1) {
      Matrix<TL> m(n, k);
      for (std::size_t i = 0; i < n * k; ++i) m.data()[i] = l[i];
      return call(m);
    } else {
      std::vector<Vector<TL>> r(n, Vector<TL>(k));
      for (std::size_t i = 0; i < n * k; ++i) r[i / k][i % k] = l[i];
      return call(r);
    }
  };
  check_function("log_mix: weights " + std::string(WVar ? "var" : "data") + ", lambda " + (LVar ? "var" : "data") +
                     ", shape " + std::to_string(Shape) + ", form " + std::to_string(Weights),
                 erase(f), x);
}

TEST_CASE("log_mix and log_mix_log_weights: derivatives in every combination") {
  log_mix_combo<true, false, 0, 0>();
  log_mix_combo<false, true, 0, 0>();
  log_mix_combo<true, true, 0, 0>();
  log_mix_combo<true, false, 1, 0>();
  log_mix_combo<false, true, 1, 0>();
  log_mix_combo<true, true, 1, 0>();
  log_mix_combo<true, true, 2, 0>();
  log_mix_combo<true, false, 1, 1>();
  log_mix_combo<false, true, 1, 1>();
  log_mix_combo<true, true, 1, 1>();
  log_mix_combo<true, true, 0, 1>();
}

TEST_CASE("log_mix of two components: derivatives in every combination") {
  auto f = [](const auto& x) { return log_mix(x[0], x[1], x[2]); };
  check_function("all var", erase(f), {0.3, -1.2, 0.4});
  auto g = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    return T(log_mix(0.3, x[0], -0.7));
  };
  check_function("lambda1 var", erase(g), {-1.2});
  auto h = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    return T(log_mix(x[0], -1.2, 0.4));
  };
  check_function("theta var", erase(h), {0.65});
}

template <bool YVar, bool TVar, bool MVar, bool SVar>
void normal_mixture_combo(bool scalar_y) {
  const std::vector<double> y = scalar_y ? std::vector<double>{0.4} : std::vector<double>{0.4, -1.5, 2.2, 0.9};
  const std::vector<double> free{0.2, 0.5}, mu{-1.0, 0.5, 2.0}, sigma{0.7, 1.5, 0.9};
  std::vector<double> x;
  if (YVar) x.insert(x.end(), y.begin(), y.end());
  if (TVar) x.insert(x.end(), free.begin(), free.end());
  if (MVar) x.insert(x.end(), mu.begin(), mu.end());
  if (SVar) x.insert(x.end(), sigma.begin(), sigma.end());
  auto f = [&, scalar_y](const auto& xv) {
    std::size_t off = 0;
    const auto yv = arg<YVar>(xv, off, y);
    const auto t = on_simplex(arg<TVar>(xv, off, free));
    const auto m = arg<MVar>(xv, off, mu);
    const auto s = arg<SVar>(xv, off, sigma);
    using R = typename std::decay_t<decltype(xv)>::Scalar;
    if (scalar_y) return R(normal_mixture_lpdf(yv[0], t, m, s));
    return R(normal_mixture_lpdf(yv, t, m, s));
  };
  check_function(std::string("normal_mixture_lpdf: y ") + (YVar ? "var" : "data") + ", theta " +
                     (TVar ? "var" : "data") + ", mu " + (MVar ? "var" : "data") + ", sigma " +
                     (SVar ? "var" : "data") + (scalar_y ? ", scalar y" : ""),
                 erase(f), x);
}

TEST_CASE("normal_mixture_lpdf: derivatives in every combination") {
  normal_mixture_combo<true, false, false, false>(false);
  normal_mixture_combo<false, true, false, false>(false);
  normal_mixture_combo<false, false, true, false>(false);
  normal_mixture_combo<false, false, false, true>(false);
  normal_mixture_combo<false, true, true, true>(false);
  normal_mixture_combo<true, true, true, true>(false);
  normal_mixture_combo<true, true, true, true>(true);
}

TEST_CASE("log_mix over N observations is one tape node") {
  Tape& t = tape();
  NestedScope scope;
  Matrix<Var> lam(50, 4);
  for (std::size_t i = 0; i < lam.size(); ++i) lam.data()[i] = Var::independent(-0.01 * static_cast<double>(i));
  Vector<Var> w(4);
  for (std::size_t j = 0; j < 4; ++j) w[j] = Var::independent(-1.0 - 0.1 * static_cast<double>(j));
  std::size_t before = t.statements();
  const Var a = log_mix_log_weights(w, lam);
  CHECK(t.statements() - before == 1);
  const Vector<double> theta{0.1, 0.2, 0.3, 0.4};
  before = t.statements();
  const Var b = log_mix(theta, lam);
  CHECK(t.statements() - before == 1);
  CHECK(std::isfinite(a.value() + b.value()));
}

// ---- errors --------------------------------------------------------------------------------------

TEST_CASE("errors name the function and the argument") {
  using tapir::domain_error;
  using tapir::size_error;
  const Vector<double> lam{-1.0, -2.0, -0.5};
  check_throws<domain_error>([&] { log_mix(Vector<double>{0.2, 0.2, 0.2}, lam); },
                             {"log_mix", "sum of mixing proportions theta", "0.6"});
  check_throws<domain_error>([&] { log_mix(Vector<double>{-0.2, 0.6, 0.6}, lam); },
                             {"log_mix", "mixing proportions theta[0]", "nonnegative"});
  check_throws<domain_error>([&] { log_mix(Vector<double>{0.2, 0.3, 0.5}, Vector<double>{-1.0, std::nan(""), 0.0}); },
                             {"log_mix", "component log density lambda[1]", "NaN"});
  check_throws<domain_error>([&] { log_mix(1.5, -1.0, -2.0); }, {"log_mix", "mixing proportion theta", "[0, 1]"});
  check_throws<domain_error>([&] { log_mix(0.5, std::nan(""), -2.0); }, {"log_mix", "lambda1"});
  check_throws<domain_error>([&] { log_mix_log_weights(Vector<double>{0.0, inf}, Vector<double>{0.0, 0.0}); },
                             {"log_mix_log_weights", "log weights w[1]"});
  check_throws<size_error>([&] { log_mix(Vector<double>{0.5, 0.5}, lam); }, {"log_mix", "lambda", "3", "2"});
  check_throws<size_error>([&] { log_mix(Vector<double>{}, Vector<double>{}); }, {"log_mix", "non-empty"});
  check_throws<size_error>(
      [&] {
        log_mix(Vector<double>{0.2, 0.3, 0.5}, std::vector<Vector<double>>{lam, Vector<double>{1.0}});
      },
      {"log_mix", "lambda[1]"});
  const Vector<double> theta{0.3, 0.7}, mu{0.0, 1.0}, sigma{1.0, 2.0};
  check_throws<domain_error>([&] { normal_mixture_lpdf(0.5, theta, mu, Vector<double>{1.0, 0.0}); },
                             {"normal_mixture_lpdf", "scale sigma[1]", "positive finite"});
  check_throws<domain_error>([&] { normal_mixture_lpdf(0.5, theta, Vector<double>{inf, 0.0}, sigma); },
                             {"normal_mixture_lpdf", "location mu[0]", "finite"});
  check_throws<domain_error>([&] { normal_mixture_lpdf(Vector<double>{0.5, std::nan("")}, theta, mu, sigma); },
                             {"normal_mixture_lpdf", "random variable y[1]"});
  check_throws<domain_error>([&] { normal_mixture_lpdf(0.5, Vector<double>{0.3, 0.6}, mu, sigma); },
                             {"normal_mixture_lpdf", "mixing proportions theta"});
  check_throws<size_error>([&] { normal_mixture_lpdf(0.5, theta, Vector<double>{0.0}, sigma); },
                           {"normal_mixture_lpdf", "theta, mu and sigma", "2, 1 and 2"});
}

}  // namespace
