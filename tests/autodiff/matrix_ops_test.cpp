// Matrix operations over double, Var and Dual<double>: values against plain-double results and
// identities (reconstruction, residuals), gradients and Hessian-vector products against finite
// differences (check_derivatives) and closed forms, mixed data/var forms against all-var forms,
// the tape cost of each operation (one statement, no variables for data), and error messages.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "autodiff/matrix_ops.hpp"

using namespace tapir::autodiff;

namespace {

template <class X>
using scalar_of = typename std::decay_t<X>::Scalar;

std::vector<double> random_vector(std::mt19937_64& rng, std::size_t n, double sd = 1.0) {
  std::normal_distribution<double> nd(0.0, sd);
  std::vector<double> v(n);
  for (double& e : v) e = nd(rng);
  return v;
}

Matrix<double> random_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c) {
  Matrix<double> m(r, c);
  const std::vector<double> v = random_vector(rng, r * c);
  for (std::size_t k = 0; k < r * c; ++k) m.data()[k] = v[k];
  return m;
}

Matrix<double> random_spd(std::mt19937_64& rng, std::size_t n) {
  const Matrix<double> b = random_matrix(rng, n, n);
  Matrix<double> a(n, n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t k = 0; k < n; ++k) a(i, j) += b(i, k) * b(j, k);
      if (i == j) a(i, j) += static_cast<double>(n);
    }
  return a;
}

// The next r x c entries of x as a matrix (row-major).
template <class T>
Matrix<T> take(const Vector<T>& x, std::size_t& off, std::size_t r, std::size_t c) {
  Matrix<T> m(r, c);
  for (std::size_t k = 0; k < r * c; ++k) m.data()[k] = x[off++];
  return m;
}
template <class T>
Vector<T> take(const Vector<T>& x, std::size_t& off, std::size_t n) {
  Vector<T> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = x[off++];
  return v;
}
// A symmetric matrix from n(n+1)/2 entries of x (its lower triangle, row by row), plus `shift` I.
template <class T>
Matrix<T> take_symmetric(const Vector<T>& x, std::size_t& off, std::size_t n, double shift) {
  Matrix<T> m(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      m(i, j) = i == j ? x[off++] + shift : x[off++];
      m(j, i) = m(i, j);
    }
  return m;
}
// A lower-triangular matrix from n(n+1)/2 entries (the diagonal shifted to keep it away from 0).
template <class T>
Matrix<T> take_lower(const Vector<T>& x, std::size_t& off, std::size_t n, double shift) {
  Matrix<T> m(n, n, T(0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) m(i, j) = i == j ? x[off++] + shift : x[off++];
  return m;
}

// A smooth nonlinear scalar summary of a matrix, so that Hessians are not trivially zero.
template <class T>
T summary(const Matrix<T>& m) {
  return sum(sin(m)) + 0.1 * sum(square(m));
}
template <class T>
T summary(const Vector<T>& v) {
  return sum(sin(v)) + 0.1 * squared_norm(v);
}

void check_ok(const DerivativeCheck& r) {
  INFO(r.report());
  CHECK(r.ok);
}

// Directional derivative by forward mode (Dual) against the tape's gradient . v.
template <class F>
void check_dual(const F& f, const std::vector<double>& x, std::mt19937_64& rng) {
  const std::vector<double> v = random_vector(rng, x.size());
  const ValueAndDerivative d = directional_derivative(f, x, v);
  const ValueAndGradient g = value_and_gradient(f, x);
  double gv = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) gv += g.gradient[i] * v[i];
  CHECK(d.value == doctest::Approx(g.value).epsilon(1e-13));
  CHECK(d.derivative == doctest::Approx(gv).epsilon(1e-10));
}

template <class M>
double max_abs_diff(const M& a, const M& b) {
  double e = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) e = std::max(e, std::abs(value_of(a.data()[k]) - value_of(b.data()[k])));
  return e;
}

}  // namespace

TEST_CASE("multiply: all-var, data x var and var x data, gradients and HVPs") {
  std::mt19937_64 rng(101);
  const std::size_t p = 3, r = 4, q = 2;
  const Matrix<double> ad = random_matrix(rng, p, r), bd = random_matrix(rng, r, q);
  const std::vector<double> x = random_vector(rng, p * r + r * q, 0.5);
  auto vv = [](const auto& x) {
    std::size_t off = 0;
    auto a = take(x, off, 3, 4);
    auto b = take(x, off, 4, 2);
    return summary(multiply(a, b));
  };
  auto dv = [&](const auto& x) {
    std::size_t off = 0;
    auto b = take(x, off, 4, 2);
    return summary(ad * b);
  };
  auto vd = [&](const auto& x) {
    std::size_t off = 0;
    auto a = take(x, off, 3, 4);
    return summary(a * bd);
  };
  check_ok(check_derivatives(vv, x));
  check_ok(check_derivatives(dv, std::vector<double>(x.begin(), x.begin() + r * q)));
  check_ok(check_derivatives(vd, std::vector<double>(x.begin(), x.begin() + p * r)));
  check_dual(vv, x, rng);
  check_dual(dv, std::vector<double>(x.begin(), x.begin() + r * q), rng);
  check_dual(vd, std::vector<double>(x.begin(), x.begin() + p * r), rng);
}

TEST_CASE("multiply: closed-form gradients of <W, A B>") {
  std::mt19937_64 rng(102);
  const std::size_t p = 4, r = 3, q = 5;
  const Matrix<double> w = random_matrix(rng, p, q);
  const std::vector<double> x = random_vector(rng, p * r + r * q);
  auto f = [&](const auto& x) {
    std::size_t off = 0;
    auto a = take(x, off, p, r);
    auto b = take(x, off, r, q);
    return sum(elt_multiply(w, multiply(a, b)));
  };
  const ValueGradientHessian h = hessian(f, x);
  // d/dA = W B^T, d/dB = A^T W; the Hessian's A-B block: d2/dA_ik dB_kj' = W_ij'.
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t k = 0; k < r; ++k) {
      double g = 0.0;
      for (std::size_t j = 0; j < q; ++j) g += w(i, j) * x[p * r + k * q + j];
      CHECK(h.gradient[i * r + k] == doctest::Approx(g).epsilon(1e-13));
      for (std::size_t j = 0; j < q; ++j) CHECK(h.hessian(i * r + k, p * r + k * q + j) == doctest::Approx(w(i, j)));
      for (std::size_t i2 = 0; i2 < p * r; ++i2) CHECK(h.hessian(i * r + k, i2) == 0.0);
    }
  for (std::size_t k = 0; k < r; ++k)
    for (std::size_t j = 0; j < q; ++j) {
      double g = 0.0;
      for (std::size_t i = 0; i < p; ++i) g += x[i * r + k] * w(i, j);
      CHECK(h.gradient[p * r + k * q + j] == doctest::Approx(g).epsilon(1e-13));
    }
}

TEST_CASE("multiply: mixed forms match the all-var form; data stays off the tape") {
  std::mt19937_64 rng(103);
  const std::size_t m = 40, n = 15;
  const Matrix<double> xd = random_matrix(rng, m, n);
  const std::vector<double> w = random_vector(rng, n);
  auto data_times_var = [&](const auto& b) { return summary(multiply(xd, b)); };
  auto var_times_var = [&](const auto& b) {
    using T = scalar_of<decltype(b)>;
    Matrix<T> xv(m, n);
    for (std::size_t k = 0; k < m * n; ++k) xv.data()[k] = T(xd.data()[k]);
    return summary(multiply(xv, b));
  };
  const ValueAndGradient g1 = value_and_gradient(data_times_var, w), g2 = value_and_gradient(var_times_var, w);
  CHECK(g1.value == g2.value);
  for (std::size_t i = 0; i < n; ++i) CHECK(g1.gradient[i] == doctest::Approx(g2.gradient[i]).epsilon(1e-14));
  const HessianVectorProduct h1 = hvp(data_times_var, w, w), h2 = hvp(var_times_var, w, w);
  for (std::size_t i = 0; i < n; ++i) CHECK(h1.hvp[i] == doctest::Approx(h2.hvp[i]).epsilon(1e-12));

  // var x data against var x var with the data as constants.
  const Matrix<double> bd = random_matrix(rng, n, 3);
  const std::vector<double> a = random_vector(rng, 2 * n);
  auto var_times_data = [&](const auto& x) {
    std::size_t off = 0;
    return summary(multiply(take(x, off, 2, n), bd));
  };
  auto var_times_const = [&](const auto& x) {
    using T = scalar_of<decltype(x)>;
    std::size_t off = 0;
    Matrix<T> bv(n, 3);
    for (std::size_t k = 0; k < bd.size(); ++k) bv.data()[k] = T(bd.data()[k]);
    return summary(multiply(take(x, off, 2, n), bv));
  };
  const ValueAndGradient g3 = value_and_gradient(var_times_data, a), g4 = value_and_gradient(var_times_const, a);
  CHECK(g3.value == g4.value);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(g3.gradient[i] == doctest::Approx(g4.gradient[i]).epsilon(1e-14));

  // Exactly one statement, and variables only for the outputs.
  NestedScope scope;
  Tape& t = scope.tape();
  Vector<Var> wv(n);
  for (std::size_t i = 0; i < n; ++i) wv[i] = Var::independent(w[i]);
  Matrix<Var> bv(n, 3);
  for (std::size_t k = 0; k < bv.size(); ++k) bv.data()[k] = Var::independent(bd.data()[k]);
  std::size_t statements = t.statements();
  index_t vars = t.size();
  Vector<Var> y = xd * wv;
  CHECK(t.statements() == statements + 1);
  CHECK(t.size() == vars + m);
  statements = t.statements();
  vars = t.size();
  Matrix<Var> c = multiply(xd, bv);
  CHECK(t.statements() == statements + 1);
  CHECK(t.size() == vars + m * 3);
  statements = t.statements();
  vars = t.size();
  Matrix<Var> c2 = multiply(transpose(bv), transpose(xd));
  CHECK(t.statements() == statements + 1);
  CHECK(t.size() == vars + 3 * m);
  for (std::size_t i = 0; i < m; ++i) {
    double yi = 0.0;
    for (std::size_t j = 0; j < n; ++j) yi += xd(i, j) * w[j];
    CHECK(y[i].value() == doctest::Approx(yi).epsilon(1e-14));
    for (std::size_t j = 0; j < 3; ++j) CHECK(c2(j, i).value() == doctest::Approx(c(i, j).value()).epsilon(1e-14));
  }
}

TEST_CASE("matrix-vector products: the regression likelihood's exact gradient and Hessian") {
  std::mt19937_64 rng(104);
  const std::size_t m = 60, n = 8;
  const Matrix<double> xd = random_matrix(rng, m, n);
  const std::vector<double> yd = random_vector(rng, m), w = random_vector(rng, n);
  Vector<double> yv(std::span<const double>(yd.data(), m));
  auto lp = [&](const auto& w) { return -0.5 * squared_norm(yv - xd * w); };
  const ValueGradientHessian h = hessian(lp, w);
  for (std::size_t j = 0; j < n; ++j) {
    double g = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      double r = yd[i];
      for (std::size_t k = 0; k < n; ++k) r -= xd(i, k) * w[k];
      g += xd(i, j) * r;
    }
    CHECK(h.gradient[j] == doctest::Approx(g).epsilon(1e-12));
    for (std::size_t k = 0; k < n; ++k) {
      double xtx = 0.0;
      for (std::size_t i = 0; i < m; ++i) xtx += xd(i, j) * xd(i, k);
      CHECK(h.hessian(j, k) == doctest::Approx(-xtx).epsilon(1e-12));
    }
  }
  check_dual(lp, w, rng);
}

TEST_CASE("multiply: non-contiguous and repeated operands") {
  std::mt19937_64 rng(105);
  const std::vector<double> x = random_vector(rng, 9, 0.5);
  // transpose() rearranges Vars, so the node gathers and scatters; A A uses one operand twice.
  auto f = [](const auto& x) {
    std::size_t off = 0;
    auto a = take(x, off, 3, 3);
    auto at = transpose(a);
    return summary(multiply(at, a)) + summary(multiply(a, a)) + summary(multiply(at, col(a, 1)));
  };
  check_ok(check_derivatives(f, x));
  check_dual(f, x, rng);
  // Scattered vector operands: every other entry of x.
  auto g = [](const auto& x) {
    using T = scalar_of<decltype(x)>;
    Vector<T> v(4);
    for (std::size_t i = 0; i < 4; ++i) v[i] = x[2 * i];
    Matrix<T> a(2, 4);
    for (std::size_t i = 0; i < 8; ++i) a.data()[i] = x[(3 * i + 1) % 9];
    return summary(multiply(a, v)) + summary(outer_product(v, v));
  };
  check_ok(check_derivatives(g, x));
}

TEST_CASE("structural operations cost nothing on the tape and have the right derivatives") {
  std::mt19937_64 rng(106);
  const std::vector<double> x = random_vector(rng, 12);
  auto f = [](const auto& x) {
    std::size_t off = 0;
    auto a = take(x, off, 3, 4);
    auto v = diagonal(a);
    auto d = diag_matrix(v);
    auto b = block(a, 1, 1, 2, 3);
    return summary(transpose(a)) + summary(d) + summary(row(a, 2)) + summary(col(a, 3)) + summary(b) +
           trace(block(a, 0, 0, 3, 3)) * x[0];
  };
  check_ok(check_derivatives(f, x));

  NestedScope scope;
  Tape& t = scope.tape();
  Matrix<Var> a(3, 4);
  for (std::size_t k = 0; k < 12; ++k) a.data()[k] = Var::independent(x[k]);
  const std::size_t statements = t.statements();
  const index_t vars = t.size();
  Matrix<Var> at = transpose(a);
  Vector<Var> dg = diagonal(a);
  Matrix<Var> dm = diag_matrix(dg);
  Vector<Var> r = row(a, 1), c = col(a, 2);
  Matrix<Var> b = block(a, 1, 2, 2, 2);
  CHECK(t.statements() == statements);
  CHECK(t.size() == vars);
  CHECK(at(3, 1).index() == a(1, 3).index());
  CHECK(dg.size() == 3);
  CHECK(dg[2].index() == a(2, 2).index());
  CHECK(dm(0, 1).value() == 0.0);
  CHECK(dm(1, 1).index() == a(1, 1).index());
  CHECK(r[3].index() == a(1, 3).index());
  CHECK(c[0].index() == a(0, 2).index());
  CHECK(b(1, 0).index() == a(2, 2).index());
  CHECK(rows(a) == 3);
  CHECK(cols(a) == 4);
  CHECK(rows(r) == 4);
  CHECK(cols(r) == 1);
  CHECK_THROWS_AS(row(a, 3), std::out_of_range);
  CHECK_THROWS_AS(col(a, 4), std::out_of_range);
  CHECK_THROWS_AS(block(a, 2, 0, 2, 1), std::out_of_range);
  CHECK_NOTHROW(block(a, 3, 4, 0, 0));
}

TEST_CASE("outer_product and the quadratic forms: closed forms") {
  std::mt19937_64 rng(107);
  const std::size_t n = 4;
  const Matrix<double> ad = random_matrix(rng, n, n);
  const std::vector<double> x = random_vector(rng, n);
  // x^T A x with data A: gradient (A + A^T) x, Hessian A + A^T.
  auto qf = [&](const auto& x) { return quad_form(ad, x); };
  const ValueGradientHessian h = hessian(qf, x);
  double want = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) want += x[i] * ad(i, j) * x[j];
  CHECK(h.value == doctest::Approx(want).epsilon(1e-14));
  for (std::size_t i = 0; i < n; ++i) {
    double g = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      g += (ad(i, j) + ad(j, i)) * x[j];
      CHECK(h.hessian(i, j) == doctest::Approx(ad(i, j) + ad(j, i)).epsilon(1e-14));
    }
    CHECK(h.gradient[i] == doctest::Approx(g).epsilon(1e-13));
  }
  // With respect to A (data x): gradient x x^T, zero Hessian.
  const Vector<double> xv(std::span<const double>(x.data(), n));
  std::vector<double> avec(ad.data(), ad.data() + n * n);
  auto qa = [&](const auto& a) {
    std::size_t off = 0;
    return quad_form(take(a, off, n, n), xv);
  };
  const ValueGradientHessian ha = hessian(qa, avec);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      CHECK(ha.gradient[i * n + j] == doctest::Approx(x[i] * x[j]).epsilon(1e-14));
      for (std::size_t k = 0; k < n * n; ++k) CHECK(ha.hessian(i * n + j, k) == 0.0);
    }
  // All forms, nonlinear outer function, against finite differences.
  std::vector<double> both = random_vector(rng, n * n + 2 * n, 0.5);
  auto f = [&](const auto& z) {
    std::size_t off = 0;
    auto a = take(z, off, n, n);
    auto u = take(z, off, n);
    auto v = take(z, off, n);
    auto b = take(z, off = 0, n, 2);
    return sin(quad_form(a, u)) + cos(quad_form(ad, v)) + exp(0.1 * quad_form(a, xv)) + sin(trace_quad_form(a, b)) +
           summary(outer_product(u, v)) + summary(outer_product(xv, v)) + summary(outer_product(u, xv));
  };
  check_ok(check_derivatives(f, both));
  check_dual(f, both, rng);
  // trace_quad_form is the sum of the columns' quadratic forms; quad_form_sym equals quad_form.
  auto g = [&](const auto& z) {
    using T = scalar_of<decltype(z)>;
    std::size_t off = 0;
    auto a = take_symmetric(z, off, n, 0.0);
    auto b = take(z, off, n, 3);
    T s = 0.0;
    for (std::size_t j = 0; j < 3; ++j) s += quad_form(a, col(b, j));
    return trace_quad_form(a, b) - s + quad_form_sym(a, col(b, 0)) - quad_form(a, col(b, 0));
  };
  const std::vector<double> z = random_vector(rng, n * (n + 1) / 2 + 3 * n);
  const ValueAndGradient gz = value_and_gradient(g, z);
  CHECK(gz.value == doctest::Approx(0.0).scale(1.0).epsilon(1e-12));
  for (double gi : gz.gradient) CHECK(gi == doctest::Approx(0.0).scale(1.0).epsilon(1e-12));
  CHECK_THROWS_AS(quad_form_sym(ad, xv), std::domain_error);
}

TEST_CASE("cholesky_decompose: reconstruction, gradients, HVPs and forward mode") {
  std::mt19937_64 rng(108);
  for (std::size_t n : {1, 2, 3, 5}) {
    CAPTURE(n);
    const std::size_t k = n * (n + 1) / 2;
    const std::vector<double> x = random_vector(rng, k, 0.3);
    auto f = [n](const auto& x) {
      std::size_t off = 0;
      auto a = take_symmetric(x, off, n, static_cast<double>(n));
      return summary(cholesky_decompose(a));
    };
    check_ok(check_derivatives(f, x));
    check_dual(f, x, rng);

    NestedScope scope;
    Vector<Var> xv(k);
    for (std::size_t i = 0; i < k; ++i) xv[i] = Var::independent(x[i]);
    std::size_t off = 0;
    Matrix<Var> a = take_symmetric(xv, off, n, static_cast<double>(n));
    const std::size_t statements = scope.tape().statements();
    Matrix<Var> l = cholesky_decompose(a);
    CHECK(scope.tape().statements() == statements + 1);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        double s = 0.0;
        for (std::size_t t = 0; t < n; ++t) s += l(i, t).value() * l(j, t).value();
        CHECK(s == doctest::Approx(a(i, j).value()).epsilon(1e-13));
        if (j > i) CHECK(l(i, j).value() == 0.0);
      }
  }
}

TEST_CASE("cholesky_decompose: d/dA log det A = A^{-1} (folded onto the lower triangle)") {
  std::mt19937_64 rng(109);
  const std::size_t n = 4, k = n * (n + 1) / 2;
  const std::vector<double> x = random_vector(rng, k, 0.3);
  auto via_factor = [](const auto& x) {
    std::size_t off = 0;
    return log_determinant_cholesky(cholesky_decompose(take_symmetric(x, off, 4, 4.0)));
  };
  auto direct = [](const auto& x) {
    std::size_t off = 0;
    return log_determinant_spd(take_symmetric(x, off, 4, 4.0));
  };
  Vector<double> xv(std::span<const double>(x.data(), k));
  std::size_t off = 0;
  const Matrix<double> a = take_symmetric(xv, off, n, 4.0);
  const Matrix<double> ainv = mdivide_left_spd(a, diag_matrix(Vector<double>(n, 1.0)));
  const ValueGradientHessian h1 = hessian(via_factor, x), h2 = hessian(direct, x);
  CHECK(h1.value == doctest::Approx(h2.value).epsilon(1e-14));
  std::size_t p = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j, ++p) {
      const double want = i == j ? ainv(i, i) : 2.0 * ainv(i, j);
      CHECK(h1.gradient[p] == doctest::Approx(want).epsilon(1e-12));
      CHECK(h2.gradient[p] == doctest::Approx(want).epsilon(1e-12));
    }
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) CHECK(h1.hessian(i, j) == doctest::Approx(h2.hessian(i, j)).epsilon(1e-10));
  check_ok(check_derivatives(direct, x));
  check_ok(check_derivatives(via_factor, x));
  check_dual(direct, x, rng);
  // Closed form of the Hessian along a direction: d2 log det = -tr(A^{-1} dA A^{-1} dA).
  const std::vector<double> v = random_vector(rng, k);
  Vector<double> vv(std::span<const double>(v.data(), k));
  off = 0;
  const Matrix<double> da = take_symmetric(vv, off, n, 0.0);
  const Matrix<double> s = multiply(multiply(ainv, da), multiply(ainv, da));
  const HessianVectorProduct hv = hvp(direct, x, v);
  double vhv = 0.0;
  for (std::size_t i = 0; i < k; ++i) vhv += v[i] * hv.hvp[i];
  CHECK(vhv == doctest::Approx(-trace(s)).epsilon(1e-12));
}

TEST_CASE("log_determinant_cholesky: gradient 2 / L_ii on the diagonal only") {
  const std::vector<double> x = {0.5, 1.5, 2.0, -3.0, 0.25, 1.0};
  auto f = [](const auto& x) {
    std::size_t off = 0;
    return log_determinant_cholesky(take_lower(x, off, 3, 0.0));
  };
  const ValueGradientHessian h = hessian(f, x);
  CHECK(h.value == doctest::Approx(2.0 * std::log(0.5 * 2.0 * 1.0)));
  const std::vector<double> g = {4.0, 0.0, 1.0, 0.0, 0.0, 2.0};
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(h.gradient[i] == doctest::Approx(g[i]));
    for (std::size_t j = 0; j < 6; ++j) {
      const bool diag = i == j && (i == 0 || i == 2 || i == 5);
      CHECK(h.hessian(i, j) == doctest::Approx(diag ? -2.0 / (x[i] * x[i]) : 0.0));
    }
  }
}

TEST_CASE("triangular solves: residuals, all operand kinds, matrix right-hand sides") {
  std::mt19937_64 rng(110);
  const std::size_t n = 4, k = n * (n + 1) / 2;
  const Matrix<double> ld = cholesky_decompose(random_spd(rng, n));
  const Vector<double> bd(random_vector(rng, n));
  const Matrix<double> bm = random_matrix(rng, n, 2);
  const std::vector<double> x = random_vector(rng, k + n + 2 * n, 0.4);
  auto f = [&](const auto& x) {
    std::size_t off = 0;
    auto l = take_lower(x, off, n, 2.0);
    auto b = take(x, off, n);
    auto bmat = take(x, off, n, 2);
    return summary(mdivide_left_tri_low(l, b)) + summary(mdivide_left_tri_low_transpose(l, b)) +
           summary(mdivide_left_tri_low(ld, b)) + summary(mdivide_left_tri_low_transpose(ld, b)) +
           summary(mdivide_left_tri_low(l, bd)) + summary(mdivide_left_tri_low_transpose(l, bd)) +
           summary(mdivide_left_tri_low(l, bmat)) + summary(mdivide_left_tri_low_transpose(l, bmat)) +
           summary(mdivide_left_tri_low(ld, bmat)) + summary(mdivide_left_tri_low_transpose(l, bm)) +
           summary(mdivide_right_tri_low(transpose(bmat), l)) + summary(mdivide_right_tri_low(transpose(bm), l));
  };
  check_ok(check_derivatives(f, x));
  check_dual(f, x, rng);

  // Residuals with Var operands; the upper triangle of L is never read.
  NestedScope scope;
  Matrix<Var> l(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) l(i, j) = Var::independent(j <= i ? ld(i, j) : 100.0);
  Vector<Var> b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = Var::independent(bd[i]);
  const std::size_t statements = scope.tape().statements();
  Vector<Var> x1 = mdivide_left_tri_low(l, b), x2 = mdivide_left_tri_low_transpose(l, b);
  Vector<Var> x3 = mdivide_left_tri_low(ld, b);
  Matrix<Var> x4 = mdivide_left_tri_low(l, bm);
  CHECK(scope.tape().statements() == statements + 4);
  for (std::size_t i = 0; i < n; ++i) {
    double r1 = 0.0, r2 = 0.0, r3 = 0.0;
    for (std::size_t j = 0; j <= i; ++j) r1 += ld(i, j) * x1[j].value();
    for (std::size_t j = i; j < n; ++j) r2 += ld(j, i) * x2[j].value();
    for (std::size_t j = 0; j <= i; ++j) r3 += ld(i, j) * x3[j].value();
    CHECK(r1 == doctest::Approx(bd[i]).epsilon(1e-13));
    CHECK(r2 == doctest::Approx(bd[i]).epsilon(1e-13));
    CHECK(r3 == doctest::Approx(bd[i]).epsilon(1e-13));
    for (std::size_t c = 0; c < 2; ++c) {
      double r4 = 0.0;
      for (std::size_t j = 0; j <= i; ++j) r4 += ld(i, j) * x4(j, c).value();
      CHECK(r4 == doctest::Approx(bm(i, c)).epsilon(1e-13));
    }
  }
}

TEST_CASE("triangular solves: data x var equals var x var") {
  std::mt19937_64 rng(111);
  const std::size_t n = 5;
  const Matrix<double> ld = cholesky_decompose(random_spd(rng, n));
  const std::vector<double> b = random_vector(rng, n);
  auto data_l = [&](const auto& b) { return summary(mdivide_left_tri_low(ld, b)) + summary(mdivide_left_tri_low_transpose(ld, b)); };
  auto var_l = [&](const auto& b) {
    using T = scalar_of<decltype(b)>;
    Matrix<T> l(n, n);
    for (std::size_t k = 0; k < n * n; ++k) l.data()[k] = T(ld.data()[k]);
    return summary(mdivide_left_tri_low(l, b)) + summary(mdivide_left_tri_low_transpose(l, b));
  };
  const HessianVectorProduct h1 = hvp(data_l, b, b), h2 = hvp(var_l, b, b);
  CHECK(h1.value == h2.value);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(h1.gradient[i] == doctest::Approx(h2.gradient[i]).epsilon(1e-14));
    CHECK(h1.hvp[i] == doctest::Approx(h2.hvp[i]).epsilon(1e-12));
  }
}

TEST_CASE("cholesky_solve and mdivide_left_spd against compositions and residuals") {
  std::mt19937_64 rng(112);
  const std::size_t n = 4, k = n * (n + 1) / 2;
  const Matrix<double> ad = random_spd(rng, n), ld = cholesky_decompose(ad);
  const Vector<double> bd(random_vector(rng, n));
  const Matrix<double> bm = random_matrix(rng, n, 3);
  const std::vector<double> x = random_vector(rng, k + n + 3 * n, 0.3);
  auto single = [&](const auto& x) {
    std::size_t off = 0;
    auto a = take_symmetric(x, off, n, 4.0);
    auto b = take(x, off, n);
    auto bmat = take(x, off, n, 3);
    auto l = cholesky_decompose(a);
    return summary(cholesky_solve(l, b)) + summary(mdivide_left_spd(a, b)) + summary(cholesky_solve(ld, b)) +
           summary(mdivide_left_spd(ad, b)) + summary(cholesky_solve(l, bd)) + summary(mdivide_left_spd(a, bd)) +
           summary(cholesky_solve(l, bmat)) + summary(mdivide_left_spd(a, bm));
  };
  auto composed = [&](const auto& x) {
    std::size_t off = 0;
    auto a = take_symmetric(x, off, n, 4.0);
    auto b = take(x, off, n);
    auto bmat = take(x, off, n, 3);
    auto l = cholesky_decompose(a);
    auto solve = [](const auto& l, const auto& b) { return mdivide_left_tri_low_transpose(l, mdivide_left_tri_low(l, b)); };
    return summary(solve(l, b)) + summary(solve(l, b)) + summary(solve(ld, b)) + summary(solve(ld, b)) +
           summary(solve(l, bd)) + summary(solve(l, bd)) + summary(solve(l, bmat)) + summary(solve(l, bm));
  };
  check_ok(check_derivatives(single, x));
  check_dual(single, x, rng);
  const std::vector<double> v = random_vector(rng, x.size());
  const HessianVectorProduct h1 = hvp(single, x, v), h2 = hvp(composed, x, v);
  CHECK(h1.value == doctest::Approx(h2.value).epsilon(1e-13));
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(h1.gradient[i] == doctest::Approx(h2.gradient[i]).epsilon(1e-11));
    CHECK(h1.hvp[i] == doctest::Approx(h2.hvp[i]).epsilon(1e-10));
  }
  // Residuals: A x = b.
  const Vector<double> xs = mdivide_left_spd(ad, bd), xc = cholesky_solve(ld, bd);
  for (std::size_t i = 0; i < n; ++i) {
    double r1 = 0.0, r2 = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      r1 += ad(i, j) * xs[j];
      r2 += ad(i, j) * xc[j];
    }
    CHECK(r1 == doctest::Approx(bd[i]).epsilon(1e-13));
    CHECK(r2 == doctest::Approx(bd[i]).epsilon(1e-13));
  }
  // Var forms: one statement each, data never on the tape.
  NestedScope scope;
  Tape& t = scope.tape();
  Vector<Var> bv(n);
  for (std::size_t i = 0; i < n; ++i) bv[i] = Var::independent(bd[i]);
  const std::size_t statements = t.statements();
  const index_t vars = t.size();
  Vector<Var> y1 = mdivide_left_spd(ad, bv), y2 = cholesky_solve(ld, bv);
  CHECK(t.statements() == statements + 2);
  CHECK(t.size() == vars + 2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(y1[i].value() == doctest::Approx(xs[i]).epsilon(1e-14));
    CHECK(y2[i].value() == doctest::Approx(xc[i]).epsilon(1e-14));
  }
}

TEST_CASE("log_determinant_spd and quad forms: mixed forms against all-var forms") {
  std::mt19937_64 rng(113);
  const std::size_t n = 3;
  const Matrix<double> ad = random_spd(rng, n);
  const std::vector<double> x = random_vector(rng, n);
  auto data_a = [&](const auto& x) { return sin(quad_form(ad, x)) + quad_form_sym(ad, x) * log_determinant_spd(ad); };
  auto var_a = [&](const auto& x) {
    using T = scalar_of<decltype(x)>;
    Matrix<T> a(n, n);
    for (std::size_t k = 0; k < n * n; ++k) a.data()[k] = T(ad.data()[k]);
    return sin(quad_form(a, x)) + quad_form_sym(a, x) * log_determinant_spd(a);
  };
  const HessianVectorProduct h1 = hvp(data_a, x, x), h2 = hvp(var_a, x, x);
  CHECK(h1.value == doctest::Approx(h2.value).epsilon(1e-15));
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(h1.gradient[i] == doctest::Approx(h2.gradient[i]).epsilon(1e-14));
    CHECK(h1.hvp[i] == doctest::Approx(h2.hvp[i]).epsilon(1e-13));
  }
  // Data operands: one node, one output variable.
  NestedScope scope;
  Tape& t = scope.tape();
  Vector<Var> xv(n);
  for (std::size_t i = 0; i < n; ++i) xv[i] = Var::independent(x[i]);
  const std::size_t statements = t.statements();
  const index_t vars = t.size();
  Var q = quad_form(ad, xv);
  CHECK(t.statements() == statements + 1);
  CHECK(t.size() == vars + 1);
  CHECK(q.value() == doctest::Approx(quad_form(ad, Vector<double>(std::span<const double>(x.data(), n)))).epsilon(1e-15));
}

TEST_CASE("not positive definite: every scalar type names the failing pivot") {
  const std::vector<double> x = {4.0, 2.0, 3.0, 1.0, 2.0, 1.0};  // lower triangle; 3x3 determinant < 0
  auto expect_pivot = [](const auto& call, const char* fn) {
    try {
      call();
      FAIL("no exception");
    } catch (const not_positive_definite& e) {
      CHECK(e.pivot() == 2);
      const std::string msg = e.what();
      CHECK(msg.find(fn) != std::string::npos);
      CHECK(msg.find("pivot 2") != std::string::npos);
    }
  };
  auto build = [&](auto zero) {
    using T = decltype(zero);
    Vector<T> v(6);
    for (std::size_t i = 0; i < 6; ++i) v[i] = T(x[i]);
    std::size_t off = 0;
    return take_symmetric(v, off, 3, 0.0);
  };
  expect_pivot([&] { cholesky_decompose(build(0.0)); }, "cholesky_decompose");
  expect_pivot([&] { log_determinant_spd(build(0.0)); }, "log_determinant_spd");
  expect_pivot([&] { mdivide_left_spd(build(0.0), Vector<double>(3, 1.0)); }, "mdivide_left_spd");
  expect_pivot([&] { cholesky_decompose(build(Dual<double>(0.0))); }, "cholesky_decompose");
  expect_pivot([&] { log_determinant_spd(build(Dual<double>(0.0))); }, "cholesky_decompose");
  expect_pivot([&] { mdivide_left_spd(build(Dual<double>(0.0)), Vector<double>(3, 1.0)); }, "mdivide_left_spd");
  {
    NestedScope scope;
    const Matrix<Var> a = build(Var(0.0));
    const Vector<Var> b(3, Var(1.0));
    const std::size_t statements = scope.tape().statements();
    const index_t vars = scope.tape().size();
    expect_pivot([&] { cholesky_decompose(a); }, "cholesky_decompose");
    expect_pivot([&] { log_determinant_spd(a); }, "log_determinant_spd");
    expect_pivot([&] { mdivide_left_spd(a, Vector<double>(3, 1.0)); }, "mdivide_left_spd");
    expect_pivot([&] { mdivide_left_spd(a, b); }, "mdivide_left_spd");
    // A failed factorisation records nothing.
    CHECK(scope.tape().statements() == statements);
    CHECK(scope.tape().size() == vars);
  }
  // NaN entries: reported as a NaN pivot, not as asymmetry.
  Matrix<double> nan_matrix(2, 2, 1.0);
  nan_matrix(0, 0) = 4.0;
  nan_matrix(1, 0) = nan_matrix(0, 1) = std::nan("");
  try {
    cholesky_decompose(nan_matrix);
    FAIL("no exception");
  } catch (const not_positive_definite& e) {
    CHECK(e.pivot() == 1);
    CHECK(std::isnan(e.value()));
  }
  // Through the functional API the tape is rewound and the error propagates.
  auto f = [](const auto& x) {
    std::size_t off = 0;
    return log_determinant_spd(take_symmetric(x, off, 3, 0.0));
  };
  CHECK_THROWS_AS(gradient(f, x), not_positive_definite);
  CHECK_THROWS_AS(hvp(f, x, x), std::domain_error);
  CHECK(gradient(f, std::vector<double>{4.0, 1.0, 3.0, 0.5, 0.5, 2.0}).size() == 6);
}

TEST_CASE("shape errors name the function and both shapes") {
  auto expect = [](const auto& call, std::vector<std::string> parts) {
    try {
      call();
      FAIL("no exception");
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      for (const std::string& p : parts) {
        INFO(msg);
        CHECK(msg.find(p) != std::string::npos);
      }
    }
  };
  const Matrix<double> a(3, 4, 1.0), sq(3, 3, 1.0);
  const Matrix<Var> av(3, 4);
  const Vector<double> v5(5, 1.0);
  const Vector<Var> v5v(5);
  expect([&] { multiply(a, a); }, {"multiply", "3x4", "3x4"});
  expect([&] { multiply(av, Matrix<double>(2, 2)); }, {"multiply", "3x4", "2x2"});
  expect([&] { a* v5v; }, {"multiply", "3x4", "5x1"});
  expect([&] { cholesky_decompose(a); }, {"cholesky_decompose", "3x4"});
  expect([&] { cholesky_decompose(av); }, {"cholesky_decompose", "3x4"});
  expect([&] { mdivide_left_tri_low(sq, v5); }, {"mdivide_left_tri_low", "3x3", "5x1"});
  expect([&] { mdivide_left_tri_low_transpose(av, v5v); }, {"mdivide_left_tri_low_transpose", "3x4"});
  expect([&] { cholesky_solve(sq, Matrix<double>(2, 2)); }, {"cholesky_solve", "3x3", "2x2"});
  expect([&] { mdivide_left_spd(sq, v5v); }, {"mdivide_left_spd", "3x3", "5x1"});
  expect([&] { mdivide_right_tri_low(Matrix<double>(2, 2), sq); }, {"mdivide_right_tri_low", "2x2", "3x3"});
  expect([&] { quad_form(sq, v5); }, {"quad_form", "3x3", "5x1"});
  expect([&] { trace_quad_form(a, sq); }, {"trace_quad_form", "3x4"});
  expect([&] { log_determinant_spd(a); }, {"log_determinant_spd", "3x4"});
  expect([&] { log_determinant_cholesky(av); }, {"log_determinant_cholesky", "3x4"});
  // Symmetry.
  Matrix<double> ns(2, 2, 1.0);
  ns(0, 1) = 3.0;
  ns(0, 0) = ns(1, 1) = 5.0;
  CHECK_THROWS_AS(cholesky_decompose(ns), std::domain_error);
  CHECK_THROWS_WITH_AS(mdivide_left_spd(ns, Vector<double>(2, 1.0)),
                       doctest::Contains("mdivide_left_spd: matrix is not symmetric"), std::domain_error);
}

TEST_CASE("double, Var and Dual values agree") {
  std::mt19937_64 rng(114);
  const std::size_t n = 4;
  const std::vector<double> x = random_vector(rng, n * n + n, 0.3);
  auto f = [](const auto& x) {
    std::size_t off = 0;
    auto b = take(x, off, 4, 4);
    auto v = take(x, off, 4);
    auto a = multiply(b, transpose(b)) + diag_matrix(Vector<double>(4, 4.0));
    auto l = cholesky_decompose(a);
    return log_determinant_spd(a) + sum(mdivide_left_spd(a, v)) + quad_form(a, v) + log_determinant_cholesky(l) +
           sum(cholesky_solve(l, v)) + summary(multiply(a, v));
  };
  Vector<double> xd(std::span<const double>(x.data(), x.size()));
  Vector<Dual<double>> xdual(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) xdual[i] = Dual<double>(x[i], 0.0);
  const double fd = f(xd);
  CHECK(f(xdual).val == doctest::Approx(fd).epsilon(1e-13));
  CHECK(value_and_gradient(f, x).value == doctest::Approx(fd).epsilon(1e-15));
  check_ok(check_derivatives(f, x));
  check_dual(f, x, rng);
}

TEST_CASE("empty operands") {
  const Matrix<double> e(0, 0);
  CHECK(cholesky_decompose(e).size() == 0);
  CHECK(log_determinant_spd(e) == 0.0);
  CHECK(multiply(Matrix<double>(2, 0), Matrix<double>(0, 3))(1, 2) == 0.0);
  auto f = [](const auto& x) {
    using T = scalar_of<decltype(x)>;
    const Matrix<T> m(0, 0);
    return x[0] + log_determinant_spd(m) + sum(multiply(Matrix<T>(2, 0), Matrix<T>(0, 1)));
  };
  const std::vector<double> x = {1.5};
  CHECK(gradient(f, x)[0] == 1.0);
  CHECK(hvp(f, x, x).hvp[0] == 0.0);
}
