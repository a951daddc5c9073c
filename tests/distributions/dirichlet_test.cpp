// dirichlet_lpdf: SciPy/mpmath reference values, several simplexes at once, propto, the exact
// gradient and Hessian in every Var/data combination (finite differences through a parameterization
// that stays on the simplex, closed forms in the free coordinates), forward mode, one tape node,
// boundary values and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "autodiff/special_functions.hpp"
#include "distributions/dirichlet.hpp"
#include "multivariate_harness.hpp"
#include "multivariate_vectors.hpp"

namespace {

using namespace tapir::autodiff;
using tapir::distributions::dirichlet_lpdf;


constexpr double inf = std::numeric_limits<double>::infinity();

// ---- reference values --------------------------------------------------------------------------

TEST_CASE("dirichlet_lpdf matches SciPy / mpmath for double, Var and Dual") {
  double worst = 0.0, worst_rel = 0.0;
  for (std::size_t c = 0; c < mv_vectors::dirichlet.size(); ++c) {
    const auto& cs = mv_vectors::dirichlet[c];
    const Vector<double> theta(cs.theta), alpha(cs.alpha);
    const double got = dirichlet_lpdf(theta, alpha);
    const double err = std::abs(got - cs.expected) / std::max(std::abs(cs.expected), cs.scale);
    worst = std::max(worst, err);
    worst_rel = std::max(worst_rel, std::abs(got - cs.expected) / std::abs(cs.expected));
    CHECK_MESSAGE(err <= 2e-15, "case " << c << ": got " << got << ", expected " << cs.expected);
    // The same value through a recorded node and through forward mode.
    auto f = [&](const auto& a) { return dirichlet_lpdf(theta, a); };
    CHECK(value_and_gradient(f, cs.alpha).value == got);
    CHECK(directional_derivative(f, cs.alpha, cs.alpha).value == got);
  }
  MESSAGE("dirichlet_lpdf: " << mv_vectors::dirichlet.size() << " cases, worst error " << worst
                             << " relative to the terms' size, " << worst_rel << " relative to the value");
  CHECK(worst_rel <= 1e-12);
}

TEST_CASE("dirichlet_lpdf of several simplexes is the sum; K = 1 gives 0") {
  const std::vector<double> alpha{0.7, 2.5, 1.0, 4.0};
  const std::vector<std::vector<double>> thetas{{0.1, 0.2, 0.3, 0.4}, {0.25, 0.25, 0.25, 0.25}, {0.7, 0.1, 0.15, 0.05}};
  double sum = 0.0;
  Matrix<double> m(3, 4);
  std::vector<Vector<double>> sv;
  for (std::size_t i = 0; i < 3; ++i) {
    sum += dirichlet_lpdf(Vector<double>(thetas[i]), Vector<double>(alpha));
    for (std::size_t j = 0; j < 4; ++j) m(i, j) = thetas[i][j];
    sv.emplace_back(thetas[i]);
  }
  close(dirichlet_lpdf(m, Vector<double>(alpha)), sum, 1e-15, "Matrix rows");
  close(dirichlet_lpdf(sv, Vector<double>(alpha)), sum, 1e-15, "std::vector of simplexes");
  CHECK(dirichlet_lpdf(Matrix<double>(0, 4), Vector<double>(alpha)) == 0.0);
  CHECK(dirichlet_lpdf(std::vector<Vector<double>>{}, Vector<double>(alpha)) == 0.0);
  CHECK(dirichlet_lpdf(Vector<double>{1.0}, Vector<double>{3.5}) == 0.0);

  // Gradient in alpha of the vectorized call = sum of the single calls' gradients.
  auto fsum = [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::Scalar;
    T s = 0.0;
    for (std::size_t i = 0; i < 3; ++i) s += dirichlet_lpdf(Vector<double>(thetas[i]), a);
    return s;
  };
  auto fvec = [&](const auto& a) { return dirichlet_lpdf(m, a); };
  const auto g1 = gradient(fsum, alpha), g2 = gradient(fvec, alpha);
  for (std::size_t j = 0; j < 4; ++j) close(g2[j], g1[j], 1e-14, "vectorized gradient");
}

TEST_CASE("dirichlet_lpdf: propto drops exactly the terms of data arguments") {
  const Vector<double> theta{0.2, 0.5, 0.3}, alpha{1.5, 0.4, 3.0};
  double lg = 0.0, sa = 0.0;
  for (double a : {1.5, 0.4, 3.0}) {
    lg += tapir::autodiff::lgamma(a);
    sa += a;
  }
  const double norm = tapir::autodiff::lgamma(sa) - lg;
  CHECK(dirichlet_lpdf<true>(theta, alpha) == 0.0);
  // theta Var, alpha data: the lgamma terms are dropped.
  {
    Vector<Var> tv{Var(0.2), Var(0.5), Var(0.3)};
    close(dirichlet_lpdf(tv, alpha).value() - dirichlet_lpdf<true>(tv, alpha).value(), norm, 1e-15, "theta Var");
  }
  // alpha Var: nothing is dropped.
  {
    Vector<Var> av{Var(1.5), Var(0.4), Var(3.0)};
    CHECK(dirichlet_lpdf(theta, av).value() == dirichlet_lpdf<true>(theta, av).value());
  }
  // Dual theta, data alpha: the same rule as Var.
  {
    Vector<Dual<double>> td{Dual<double>(0.2, 1.0), Dual<double>(0.5, 0.0), Dual<double>(0.3, -1.0)};
    const Dual<double> full = dirichlet_lpdf(td, alpha), pro = dirichlet_lpdf<true>(td, alpha);
    close(full.val - pro.val, norm, 1e-15, "theta Dual");
    CHECK(full.tan == pro.tan);
  }
}

// ---- derivatives ---------------------------------------------------------------------------

// theta = (x_0, ..., x_{K-2}, 1 - sum) stays on the simplex under finite-difference steps.
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

template <bool ThetaVar, bool AlphaVar, int Shape>
void dirichlet_combo(const std::vector<std::vector<double>>& free_thetas, const std::vector<double>& alpha) {
  const std::string tag = std::string("theta ") + (ThetaVar ? "var" : "data") + ", alpha " +
                          (AlphaVar ? "var" : "data") + ", shape " + std::to_string(Shape);
  std::vector<double> x;
  const std::size_t n = Shape == 0 ? 1 : free_thetas.size(), k = alpha.size();
  if (ThetaVar)
    for (std::size_t i = 0; i < n; ++i) x.insert(x.end(), free_thetas[i].begin(), free_thetas[i].end());
  if (AlphaVar) x.insert(x.end(), alpha.begin(), alpha.end());
  auto f = [&, n, k](const auto& xv) {
    using T = typename std::decay_t<decltype(xv)>::Scalar;
    using TT = std::conditional_t<ThetaVar, T, double>;
    std::size_t off = 0;
    std::vector<Vector<TT>> rows;
    for (std::size_t i = 0; i < n; ++i) rows.push_back(on_simplex(arg<ThetaVar>(xv, off, free_thetas[i])));
    const auto a = arg<AlphaVar>(xv, off, alpha);
    if constexpr (Shape == 0) {
      return dirichlet_lpdf(rows[0], a);
    } else if constexpr (Shape == 1) {
      Matrix<TT> m(n, k);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j) m(i, j) = rows[i][j];
      return dirichlet_lpdf(m, a);
    } else {
      return dirichlet_lpdf(rows, a);
    }
  };
  check_function(tag, erase(f), x);
  if constexpr (ThetaVar || AlphaVar) {
    // One node for the density (the simplex parameterization records its own statements first).
    Tape& t = tape();
    NestedScope scope;
    std::size_t off = 0;
    Vector<Var> xv(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) xv[i] = Var::independent(x[i]);
    std::vector<Vector<std::conditional_t<ThetaVar, Var, double>>> rows;
    for (std::size_t i = 0; i < n; ++i) rows.push_back(on_simplex(arg<ThetaVar>(xv, off, free_thetas[i])));
    const auto a = arg<AlphaVar>(xv, off, alpha);
    const std::size_t before = t.statements();
    const Var lp = dirichlet_lpdf(rows, a);
    CHECK_MESSAGE(t.statements() - before == 1, tag);
    CHECK(std::isfinite(lp.value()));
  }
}

TEST_CASE("dirichlet_lpdf: gradients and Hessian-vector products in every combination") {
  const std::vector<std::vector<double>> free{{0.2, 0.3, 0.1}, {0.05, 0.6, 0.2}, {0.3, 0.3, 0.3}};
  const std::vector<double> alpha{0.8, 2.5, 1.3, 4.0};
  dirichlet_combo<true, false, 0>(free, alpha);
  dirichlet_combo<false, true, 0>(free, alpha);
  dirichlet_combo<true, true, 0>(free, alpha);
  dirichlet_combo<true, false, 1>(free, alpha);
  dirichlet_combo<false, true, 1>(free, alpha);
  dirichlet_combo<true, true, 1>(free, alpha);
  dirichlet_combo<true, true, 2>(free, alpha);
  dirichlet_combo<false, true, 2>(free, alpha);
}

TEST_CASE("dirichlet_lpdf: gradient and Hessian in the free coordinates equal the closed forms") {
  // Two simplexes (rows) and alpha all Var: x = (theta_00..theta_0K, theta_10.., alpha).
  const std::vector<double> th{0.2, 0.5, 0.3, 0.6, 0.1, 0.3}, alpha{1.7, 0.6, 2.2};
  const std::size_t n = 2, k = 3;
  std::vector<double> x(th);
  x.insert(x.end(), alpha.begin(), alpha.end());
  auto f = [&](const auto& xv) {
    using T = typename std::decay_t<decltype(xv)>::Scalar;
    Matrix<T> m(n, k);
    Vector<T> a(k);
    for (std::size_t i = 0; i < n * k; ++i) m.data()[i] = xv[i];
    for (std::size_t j = 0; j < k; ++j) a[j] = xv[n * k + j];
    return dirichlet_lpdf(m, a);
  };
  const ValueGradientHessian r = hessian(erase(f), x);
  const double A = alpha[0] + alpha[1] + alpha[2];
  const std::size_t na = n * k;
  for (std::size_t j = 0; j < k; ++j) {
    double g = 2.0 * (tapir::autodiff::digamma(A) - tapir::autodiff::digamma(alpha[j]));
    for (std::size_t i = 0; i < n; ++i) g += std::log(th[i * k + j]);
    close(r.gradient[na + j], g, 1e-14, "d/dalpha");
    for (std::size_t l = 0; l < k; ++l)
      close(r.hessian(na + j, na + l), 2.0 * (tapir::autodiff::trigamma(A) - (j == l ? tapir::autodiff::trigamma(alpha[j]) : 0.0)), 1e-14,
            "d2/dalpha2");
  }
  for (std::size_t p = 0; p < na; ++p) {
    const std::size_t j = p % k;
    close(r.gradient[p], (alpha[j] - 1.0) / th[p], 1e-14, "d/dtheta");
    for (std::size_t q = 0; q < na; ++q)
      close(r.hessian(p, q), p == q ? -(alpha[j] - 1.0) / (th[p] * th[p]) : 0.0, 1e-14, "d2/dtheta2");
    for (std::size_t l = 0; l < k; ++l) {
      close(r.hessian(p, na + l), l == j ? 1.0 / th[p] : 0.0, 1e-14, "d2/dtheta dalpha");
      close(r.hessian(na + l, p), l == j ? 1.0 / th[p] : 0.0, 1e-14, "d2/dalpha dtheta");
    }
  }
}

// ---- boundary and errors -----------------------------------------------------------------------

TEST_CASE("dirichlet_lpdf at the boundary of the simplex") {
  const Vector<double> theta{0.0, 0.4, 0.6};
  // alpha_0 = 1: the term vanishes; alpha_0 > 1: -inf; alpha_0 < 1: +inf.
  const double expected = tapir::autodiff::lgamma(1.0 + 2.0 + 3.0) - tapir::autodiff::lgamma(1.0) - tapir::autodiff::lgamma(2.0) - tapir::autodiff::lgamma(3.0) + std::log(0.4) +
                          2.0 * std::log(0.6);
  close(dirichlet_lpdf(theta, Vector<double>{1.0, 2.0, 3.0}), expected, 1e-15, "alpha = 1 at theta = 0");
  CHECK(dirichlet_lpdf(theta, Vector<double>{1.5, 2.0, 3.0}) == -inf);
  CHECK(dirichlet_lpdf(theta, Vector<double>{0.5, 2.0, 3.0}) == inf);
}

TEST_CASE("dirichlet_lpdf errors name the function and the argument") {
  using tapir::domain_error;
  using tapir::size_error;
  const Vector<double> alpha{1.0, 2.0, 3.0};
  check_throws<domain_error>([&] { dirichlet_lpdf(Vector<double>{0.2, 0.2, 0.2}, alpha); },
                             {"dirichlet_lpdf", "sum of simplex theta", "0.6"});
  check_throws<domain_error>([&] { dirichlet_lpdf(Vector<double>{-0.1, 0.6, 0.5}, alpha); },
                             {"dirichlet_lpdf", "simplex theta[0]", "nonnegative"});
  check_throws<domain_error>([&] { dirichlet_lpdf(Vector<double>{0.2, std::nan(""), 0.5}, alpha); },
                             {"dirichlet_lpdf", "simplex theta[1]"});
  Matrix<double> m(2, 3, 0.25);
  check_throws<domain_error>([&] { dirichlet_lpdf(m, alpha); }, {"dirichlet_lpdf", "sum of simplex theta[0]"});
  const Vector<double> theta{0.2, 0.3, 0.5};
  check_throws<domain_error>([&] { dirichlet_lpdf(theta, Vector<double>{1.0, 0.0, 3.0}); },
                             {"dirichlet_lpdf", "concentration alpha[1]", "positive finite"});
  check_throws<domain_error>([&] { dirichlet_lpdf(theta, Vector<double>{1.0, 2.0, -3.0}); },
                             {"dirichlet_lpdf", "concentration alpha[2]"});
  check_throws<domain_error>([&] { dirichlet_lpdf(theta, Vector<double>{inf, 2.0, 3.0}); },
                             {"dirichlet_lpdf", "concentration alpha[0]"});
  check_throws<domain_error>([&] { dirichlet_lpdf(theta, Vector<Var>{Var(1.0), Var(-2.0), Var(3.0)}); },
                             {"dirichlet_lpdf", "concentration alpha[1]"});
  check_throws<size_error>([&] { dirichlet_lpdf(theta, Vector<double>{1.0, 2.0}); },
                           {"dirichlet_lpdf", "theta", "alpha", "3", "2"});
  check_throws<size_error>([&] { dirichlet_lpdf(Vector<double>{}, Vector<double>{}); },
                           {"dirichlet_lpdf", "alpha", "non-empty"});
  check_throws<size_error>(
      [&] {
        dirichlet_lpdf(std::vector<Vector<double>>{theta, Vector<double>{0.5, 0.5}}, alpha);
      },
      {"dirichlet_lpdf", "theta[1]"});
  // The tape is untouched by a failing call.
  Tape& t = tape();
  const std::size_t before = t.statements();
  CHECK_THROWS_AS(dirichlet_lpdf(Vector<Var>{Var(0.5), Var(0.6), Var(0.1)}, alpha), domain_error);
  CHECK(t.statements() == before);
}

}  // namespace
