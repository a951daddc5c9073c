// Elementwise vector nodes against the scalar statements they replace (whose rules are tested
// against finite differences and closed forms in scalar_ops_test.cpp), plus tape-cost checks.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/elementwise.hpp"
#include "autodiff/reductions.hpp"

using namespace tapir::autodiff;

namespace {

std::vector<double> seeded(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (auto& e : v) e = u(rng);
  return v;
}

template <class T>
Vector<T> head(const Vector<T>& x, std::size_t from, std::size_t n) {
  Vector<T> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = x[from + i];
  return y;
}

// Compares value, gradient and H v of a vectorized function and its scalar-loop twin.
template <class FV, class FS>
void same_derivatives(const FV& vectorized, const FS& scalar, const std::vector<double>& x, double tol = 1e-13) {
  std::vector<double> v(x.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::cos(1.0 + static_cast<double>(i));
  const HessianVectorProduct a = hvp(vectorized, x, v), b = hvp(scalar, x, v);
  CHECK(a.value == doctest::Approx(b.value).epsilon(tol));
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(a.gradient[i] == doctest::Approx(b.gradient[i]).epsilon(tol).scale(1.0));
    CHECK(a.hvp[i] == doctest::Approx(b.hvp[i]).epsilon(tol).scale(1.0));
  }
  // and the forward-mode evaluation of the same templated code
  const ValueAndDerivative d = directional_derivative(vectorized, x, v);
  double gv = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) gv += b.gradient[i] * v[i];
  CHECK(d.derivative == doctest::Approx(gv).epsilon(1e-12).scale(1.0));
}

}  // namespace

#define UNARY_CASE(fn, lo, hi)                                                                  \
  SUBCASE(#fn) {                                                                                \
    const std::vector<double> x = seeded(7, lo, hi, 11);                                       \
    auto vec = [](const auto& x) {                                                              \
      using T = typename std::decay_t<decltype(x)>::Scalar;                                     \
      Vector<T> y = fn(x);                                                                      \
      T s = 0.0;                                                                                \
      for (std::size_t i = 0; i < y.size(); ++i) s += (1.0 + 0.5 * static_cast<double>(i)) * y[i] * y[i]; \
      return s;                                                                                 \
    };                                                                                          \
    auto sca = [](const auto& x) {                                                              \
      using T = typename std::decay_t<decltype(x)>::Scalar;                                     \
      T s = 0.0;                                                                                \
      for (std::size_t i = 0; i < x.size(); ++i) {                                              \
        T y = fn(x[i]);                                                                         \
        s += (1.0 + 0.5 * static_cast<double>(i)) * y * y;                                      \
      }                                                                                         \
      return s;                                                                                 \
    };                                                                                          \
    same_derivatives(vec, sca, x);                                                              \
  }

TEST_CASE("every unary operation has an elementwise node with the scalar rules") {
  UNARY_CASE(exp, -2.0, 2.0)
  UNARY_CASE(log, 0.1, 3.0)
  UNARY_CASE(log1p, -0.5, 3.0)
  UNARY_CASE(expm1, -2.0, 2.0)
  UNARY_CASE(sqrt, 0.1, 4.0)
  UNARY_CASE(square, -2.0, 2.0)
  UNARY_CASE(inv, 0.5, 3.0)
  UNARY_CASE(sin, -2.0, 2.0)
  UNARY_CASE(tanh, -2.0, 2.0)
  UNARY_CASE(asin, -0.9, 0.9)
  UNARY_CASE(erf, -2.0, 2.0)
  UNARY_CASE(Phi, -2.0, 2.0)
  UNARY_CASE(inv_Phi, 0.05, 0.95)
  UNARY_CASE(lgamma, 0.3, 5.0)
  UNARY_CASE(digamma, 0.3, 5.0)
  UNARY_CASE(log1p_exp, -5.0, 5.0)
  UNARY_CASE(log1m_exp, -5.0, -0.1)
  UNARY_CASE(logit, 0.05, 0.95)
  UNARY_CASE(inv_logit, -5.0, 5.0)
  UNARY_CASE(log_inv_logit, -5.0, 5.0)
  UNARY_CASE(abs, -2.0, 2.0)
  UNARY_CASE(cbrt, 0.2, 3.0)
  UNARY_CASE(atanh, -0.9, 0.9)
}

// Binary forms: vector-vector, vector-scalar and scalar-vector, each operand var or data.
#define BINARY_CASE(vfn, sfn, lo, hi)                                                           \
  SUBCASE(#vfn) {                                                                               \
    const std::vector<double> x = seeded(9, lo, hi, 23);                                       \
    const Vector<double> data{0.7, 1.3, 0.9};                                                   \
    auto vec = [&](const auto& x) {                                                             \
      using T = typename std::decay_t<decltype(x)>::Scalar;                                     \
      Vector<T> a = head(x, 0, 3), b = head(x, 3, 3);                                           \
      const T c = x[6], e = x[7];                                                               \
      return sum(vfn(a, b)) + sum(vfn(a, data)) + sum(vfn(data, b)) + sum(vfn(a, c)) +          \
             sum(vfn(c, b)) + sum(vfn(a, 1.1)) + sum(vfn(0.9, b)) + sum(vfn(data, e));          \
    };                                                                                          \
    auto sca = [&](const auto& x) {                                                             \
      using T = typename std::decay_t<decltype(x)>::Scalar;                                     \
      T s = 0.0;                                                                                \
      for (std::size_t i = 0; i < 3; ++i)                                                       \
        s += sfn(x[i], x[3 + i]) + sfn(x[i], data[i]) + sfn(data[i], x[3 + i]) + sfn(x[i], x[6]) + \
             sfn(x[6], x[3 + i]) + sfn(x[i], 1.1) + sfn(0.9, x[3 + i]) + sfn(data[i], x[7]);    \
      return s;                                                                                 \
    };                                                                                          \
    same_derivatives(vec, sca, x, 1e-12);                                                       \
  }

namespace {
template <class A, class B> auto plus(const A& a, const B& b) { return a + b; }
template <class A, class B> auto minus(const A& a, const B& b) { return a - b; }
template <class A, class B> auto times(const A& a, const B& b) { return a * b; }
template <class A, class B> auto divide(const A& a, const B& b) { return a / b; }
}  // namespace

TEST_CASE("every binary operation has elementwise nodes in all operand forms") {
  BINARY_CASE(operator+, plus, -2.0, 2.0)
  BINARY_CASE(operator-, minus, -2.0, 2.0)
  BINARY_CASE(elt_multiply, times, -2.0, 2.0)
  BINARY_CASE(elt_divide, divide, 0.5, 2.0)
  BINARY_CASE(pow, pow, 0.5, 2.0)
  BINARY_CASE(atan2, atan2, 0.2, 2.0)
  BINARY_CASE(hypot, hypot, 0.2, 2.0)
  BINARY_CASE(log_sum_exp, log_sum_exp, -2.0, 2.0)
  BINARY_CASE(lbeta, lbeta, 0.5, 3.0)
  BINARY_CASE(fmax, fmax, -2.0, 2.0)
}

TEST_CASE("scaling a vector and a matrix by a scalar") {
  const std::vector<double> x = {0.5, -1.5, 2.0, 0.25};
  auto f = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    Vector<T> v = head(x, 0, 3);
    Matrix<T> m(1, 3);
    for (std::size_t j = 0; j < 3; ++j) m(0, j) = x[j];
    return dot(x[3] * v, v / x[3]) + sum(m * x[3]) + sum(2.0 * m);
  };
  // f = sum v_i^2 + x3 sum v + 2 sum v
  const ValueGradientHessian h = hessian(f, x);
  const double sv = 0.5 - 1.5 + 2.0;
  CHECK(h.value == doctest::Approx(0.25 + 2.25 + 4.0 + 0.25 * sv + 2 * sv));
  CHECK(h.gradient[0] == doctest::Approx(2 * 0.5 + 0.25 + 2));
  CHECK(h.gradient[3] == doctest::Approx(sv));
  CHECK(h.hessian(0, 3) == doctest::Approx(1.0));
  CHECK(h.hessian(0, 0) == doctest::Approx(2.0));
}

TEST_CASE("one statement per elementwise operation, and data never on the tape") {
  Tape& t = tape();
  NestedScope scope;
  Vector<Var> x(100);
  for (auto& e : x) e = Var::independent(0.5);
  Vector<double> data(100, 2.0);
  const std::size_t statements = t.statements();
  const index_t vars = t.size();
  Vector<Var> y = elt_multiply(exp(x), data);
  CHECK(t.statements() == statements + 2);
  CHECK(t.size() == vars + 200);  // two outputs of 100, nothing for the data
  Var s = sum(y);
  CHECK(t.statements() == statements + 3);
  t.reverse_sweep(scope.mark(), s.index());
  CHECK(x[17].adjoint() == doctest::Approx(2.0 * std::exp(0.5)).epsilon(1e-15));
}

TEST_CASE("mismatched sizes raise invalid_argument") {
  Vector<double> a(3, 1.0), b(4, 1.0);
  CHECK_THROWS_AS(a + b, std::invalid_argument);
  CHECK_THROWS_WITH(dot(a, b), doctest::Contains("dot"));
}

TEST_CASE("add_rowwise adds a vector to every row, in every var/data form") {
  const std::vector<double> x = {0.5, -1.0, 2.0, 0.3, 1.5, -0.7, 0.2, 0.9};  // m (2x3), b (2 of 3)
  auto f = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    Matrix<T> m(2, 3);
    for (std::size_t k = 0; k < 6; ++k) m.data()[k] = x[k];
    Vector<T> b{x[6], x[7], x[6] * x[7]};
    Matrix<double> md(2, 3, 0.25);
    Vector<double> bd{1.0, 2.0, 3.0};
    return sum(square(add_rowwise(m, b))) + sum(exp(add_rowwise(md, b))) + sum(square(add_rowwise(m, bd)));
  };
  auto scalar = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    const T b[3] = {x[6], x[7], x[6] * x[7]};
    const double bd[3] = {1.0, 2.0, 3.0};
    T s = 0.0;
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        s += square(x[i * 3 + j] + b[j]) + exp(0.25 + b[j]) + square(x[i * 3 + j] + bd[j]);
    return s;
  };
  same_derivatives(f, scalar, x);
  Matrix<double> m(2, 3);
  CHECK_THROWS_AS(add_rowwise(m, Vector<double>(2)), std::invalid_argument);
}
