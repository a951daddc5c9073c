// The plain-double kernels of linalg.hpp: products against naive loops, Cholesky against
// reconstruction, solves against residuals, error messages, and every derivative rule against
// finite differences of the value kernels (tangents), the dot-product identity <Xbar, Xdot> =
// <Abar, Adot> (adjoints) and finite differences of the adjoint rules (second order).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/linalg.hpp"

using namespace tapir::autodiff;
using Buf = std::vector<double>;

namespace {

Buf random_matrix(std::mt19937_64& rng, std::size_t rows, std::size_t cols) {
  std::normal_distribution<double> nd(0.0, 1.0);
  Buf m(rows * cols);
  for (double& v : m) v = nd(rng);
  return m;
}

// B B^T + n I: well conditioned, symmetric positive definite.
Buf random_spd(std::mt19937_64& rng, std::size_t n) {
  const Buf b = random_matrix(rng, n, n);
  Buf a(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t k = 0; k < n; ++k) a[i * n + j] += b[i * n + k] * b[j * n + k];
      if (i == j) a[i * n + j] += static_cast<double>(n);
    }
  return a;
}

Buf random_lower(std::mt19937_64& rng, std::size_t n) {
  Buf l = random_matrix(rng, n, n);
  for (std::size_t i = 0; i < n; ++i) {
    l[i * n + i] = 1.5 + std::abs(l[i * n + i]);
    for (std::size_t j = i + 1; j < n; ++j) l[i * n + j] = 0.0;
  }
  return l;
}

Buf lower_part(const Buf& m, std::size_t n) {
  Buf l(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) l[i * n + j] = m[i * n + j];
  return l;
}

Buf symmetric_from_lower(const Buf& m, std::size_t n) {
  Buf s(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) s[i * n + j] = s[j * n + i] = m[i * n + j];
  return s;
}

// C = op(A) op(B) by the definition.
Buf naive_product(const Buf& a, bool ta, const Buf& b, bool tb, std::size_t p, std::size_t r, std::size_t q) {
  Buf c(p * q, 0.0);
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < q; ++j)
      for (std::size_t k = 0; k < r; ++k) c[i * q + j] += (ta ? a[k * p + i] : a[i * r + k]) * (tb ? b[j * r + k] : b[k * q + j]);
  return c;
}

double inner(const Buf& a, const Buf& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double max_rel_diff(const Buf& a, const Buf& b) {
  REQUIRE(a.size() == b.size());
  double e = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) e = std::max(e, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
  return e;
}

// Fourth-order central difference of a vector function of a step along a line.
Buf fd(const std::function<Buf(double)>& f, double h = 1e-4) {
  const Buf p2 = f(2 * h), p1 = f(h), m1 = f(-h), m2 = f(-2 * h);
  Buf d(p1.size());
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = (-p2[i] + 8 * p1[i] - 8 * m1[i] + m2[i]) / (12 * h);
  return d;
}

Buf axpy(const Buf& x, double t, const Buf& d) {
  Buf y(x);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += t * d[i];
  return y;
}

Buf chol(const Buf& a, std::size_t n) {
  Buf l(n * n);
  linalg::cholesky("test", n, a.data(), l.data());
  return l;
}

}  // namespace

TEST_CASE("dot and products agree with the definitions for every shape") {
  std::mt19937_64 rng(11);
  for (std::size_t n = 0; n < 20; ++n) {
    const Buf a = random_matrix(rng, n, 1), b = random_matrix(rng, n, 1);
    CHECK(linalg::dot(a.data(), b.data(), n) == doctest::Approx(inner(a, b)).epsilon(1e-14));
  }
  const std::size_t dims[] = {0, 1, 2, 3, 7, 9, 17};
  for (std::size_t p : dims)
    for (std::size_t r : dims)
      for (std::size_t q : dims) {
        CAPTURE(p);
        CAPTURE(r);
        CAPTURE(q);
        const Buf a = random_matrix(rng, p, r), b = random_matrix(rng, r, q), c0 = random_matrix(rng, p, q);
        const Buf want = naive_product(a, false, b, false, p, r, q);
        Buf c(p * q, -7.0);
        linalg::multiply(p, r, q, a.data(), b.data(), c.data());
        CHECK(max_rel_diff(c, want) < 1e-13);
        Buf copy(p * r, 0.0);
        std::fill(c.begin(), c.end(), -7.0);
        linalg::multiply_copy(p, r, q, a.data(), copy.data(), b.data(), c.data());
        CHECK(max_rel_diff(c, want) < 1e-13);
        CHECK(copy == a);
        c = c0;
        linalg::multiply_add(p, r, q, a.data(), b.data(), c.data());
        CHECK(max_rel_diff(c, axpy(c0, 1.0, want)) < 1e-13);

        const Buf at = random_matrix(rng, r, p), bt = random_matrix(rng, q, r), b2 = random_matrix(rng, r, q);
        const Buf tn = naive_product(at, true, b, false, p, r, q), tn2 = naive_product(at, true, b2, false, p, r, q);
        Buf c1 = c0, c2 = c0;
        linalg::multiply_tn_add(p, r, q, at.data(), b.data(), c1.data());
        CHECK(max_rel_diff(c1, axpy(c0, 1.0, tn)) < 1e-13);
        c1 = c0;
        linalg::multiply_tn_add2(p, r, q, at.data(), b.data(), c1.data(), b2.data(), c2.data());
        CHECK(max_rel_diff(c1, axpy(c0, 1.0, tn)) < 1e-13);
        CHECK(max_rel_diff(c2, axpy(c0, 1.0, tn2)) < 1e-13);

        const Buf a2 = random_matrix(rng, p, r);
        const Buf nt = naive_product(a, false, bt, true, p, r, q), nt2 = naive_product(a2, false, bt, true, p, r, q);
        c1 = c0;
        linalg::multiply_nt_add(p, r, q, a.data(), bt.data(), c1.data());
        CHECK(max_rel_diff(c1, axpy(c0, 1.0, nt)) < 1e-13);
        c1 = c0;
        c2 = c0;
        linalg::multiply_nt_add2(p, r, q, a.data(), c1.data(), a2.data(), c2.data(), bt.data());
        CHECK(max_rel_diff(c1, axpy(c0, 1.0, nt)) < 1e-13);
        CHECK(max_rel_diff(c2, axpy(c0, 1.0, nt2)) < 1e-13);
      }
}

// The products switch to packed, register-tiled kernels above a size that depends on the
// instruction set; these shapes cover both paths, partial edge tiles in every dimension, and
// depths, row blocks and column blocks that span more than one cache block.
TEST_CASE("products agree with the definition on edge sizes of the blocked kernels") {
  std::mt19937_64 rng(29);
  const std::size_t sizes[] = {1, 2, 3, 5, 7, 8, 17, 64, 128, 129};
  std::vector<std::array<std::size_t, 3>> shapes;
  for (std::size_t p : sizes)
    for (std::size_t r : sizes)
      for (std::size_t q : sizes) shapes.push_back({p, r, q});
  shapes.push_back({260, 300, 70});
  shapes.push_back({7, 513, 9});
  shapes.push_back({16, 16, 4100});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr std::size_t guard = 8;  // entries past the end of C that must stay untouched
  auto transpose = [](const Buf& m, std::size_t rows, std::size_t cols) {
    Buf t(rows * cols);
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) t[j * rows + i] = m[i * cols + j];
    return t;
  };
  // C + s W, compared on the first p q entries; the guard entries keep their sentinel.
  auto check = [&](const Buf& c, const Buf& c0, double s, const Buf& want, std::size_t n) {
    std::size_t bad = 0;  // written so that NaN counts as a mismatch
    for (std::size_t k = 0; k < n; ++k) {
      const double e = c0[k] + s * want[k];
      if (!(std::abs(c[k] - e) <= 1e-12 * std::max(1.0, std::abs(e)))) ++bad;
    }
    CHECK(bad == 0);
    for (std::size_t k = n; k < n + guard; ++k) CHECK(c[k] == -3.0);
  };
  for (const auto& [p, r, q] : shapes) {
    CAPTURE(p);
    CAPTURE(r);
    CAPTURE(q);
    const std::size_t n = p * q;
    const Buf a = random_matrix(rng, p, r), b = random_matrix(rng, r, q);
    const Buf at = transpose(a, p, r), bt = transpose(b, r, q);
    Buf a2 = a, b2 = b;  // 2A and 2B: their products are exactly twice A B
    for (double& v : a2) v *= 2.0;
    for (double& v : b2) v *= 2.0;
    const Buf want = naive_product(a, false, b, false, p, r, q);
    Buf c0 = random_matrix(rng, p, q), c0b = random_matrix(rng, p, q);
    c0.resize(n + guard, -3.0);
    c0b.resize(n + guard, -3.0);
    const Buf zero(n + guard, 0.0);

    Buf c(n + guard, nan);  // C is written, never read
    std::fill(c.begin() + static_cast<std::ptrdiff_t>(n), c.end(), -3.0);
    linalg::multiply(p, r, q, a.data(), b.data(), c.data());
    check(c, zero, 1.0, want, n);
    Buf copy(p * r, nan);
    std::fill(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n), nan);
    linalg::multiply_copy(p, r, q, a.data(), copy.data(), b.data(), c.data());
    check(c, zero, 1.0, want, n);
    CHECK(copy == a);

    c = c0;
    linalg::multiply_add(p, r, q, a.data(), b.data(), c.data());
    check(c, c0, 1.0, want, n);
    c = c0;
    linalg::multiply_tn_add(p, r, q, at.data(), b.data(), c.data());
    check(c, c0, 1.0, want, n);
    c = c0;
    Buf c2 = c0b;
    linalg::multiply_tn_add2(p, r, q, at.data(), b.data(), c.data(), b2.data(), c2.data());
    check(c, c0, 1.0, want, n);
    check(c2, c0b, 2.0, want, n);
    c = c0;
    linalg::multiply_nt_add(p, r, q, a.data(), bt.data(), c.data());
    check(c, c0, 1.0, want, n);
    c = c0;
    c2 = c0b;
    linalg::multiply_nt_add2(p, r, q, a.data(), c.data(), a2.data(), c2.data(), bt.data());
    check(c, c0, 1.0, want, n);
    check(c2, c0b, 2.0, want, n);
  }
}

TEST_CASE("Cholesky reconstructs A and has a zero upper triangle") {
  std::mt19937_64 rng(12);
  for (std::size_t n : {0, 1, 2, 5, 12, 40}) {
    CAPTURE(n);
    const Buf a = random_spd(rng, n);
    Buf l(n * n, 99.0);
    linalg::cholesky("test", n, a.data(), l.data());
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(l[i * n + i] > 0.0);
      for (std::size_t j = i + 1; j < n; ++j) CHECK(l[i * n + j] == 0.0);
    }
    CHECK(max_rel_diff(naive_product(l, false, l, true, n, n, n), a) < 1e-12);
    // Only the lower triangle is read.
    Buf a2 = a;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) a2[i * n + j] = 1e6;
    Buf l2(n * n);
    linalg::cholesky("test", n, a2.data(), l2.data());
    CHECK(l2 == l);
  }
}

TEST_CASE("Cholesky of a matrix that is not positive definite names the pivot") {
  // Leading 2x2 minor positive, the 3x3 determinant negative: pivot 2 fails.
  const Buf a = {4, 2, 1, 2, 3, 2, 1, 2, 1};
  Buf l(9);
  try {
    linalg::cholesky("my_function", 3, a.data(), l.data());
    FAIL("no exception");
  } catch (const not_positive_definite& e) {
    CHECK(e.pivot() == 2);
    // 1 - L20^2 - L21^2 with L20 = 0.5, L21 = (2 - 0.5) / sqrt(2)
    CHECK(e.value() == doctest::Approx(1.0 - 0.25 - 1.125));
    const std::string msg = e.what();
    CHECK(msg.find("my_function") != std::string::npos);
    CHECK(msg.find("pivot 2") != std::string::npos);
    CHECK(msg.find("is -0.37") != std::string::npos);
  }
  // A not-PD error is a std::domain_error.
  const Buf neg = {-1.0};
  CHECK_THROWS_AS(linalg::cholesky("f", 1, neg.data(), l.data()), std::domain_error);
  const Buf nan = {1.0, 0.0, 0.0, std::nan("")};
  try {
    linalg::cholesky("f", 2, nan.data(), l.data());
    FAIL("no exception");
  } catch (const not_positive_definite& e) {
    CHECK(e.pivot() == 1);
    CHECK(std::isnan(e.value()));
  }
}

TEST_CASE("shape and symmetry checks name the function and the shapes") {
  try {
    linalg::check_multiply("multiply", 3, 4, 5, 2);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    CHECK(msg.find("multiply") != std::string::npos);
    CHECK(msg.find("3x4") != std::string::npos);
    CHECK(msg.find("5x2") != std::string::npos);
  }
  CHECK_NOTHROW(linalg::check_multiply("multiply", 3, 4, 4, 2));
  try {
    linalg::check_square("cholesky_decompose", "matrix", 3, 4);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("cholesky_decompose: matrix is 3x4") != std::string::npos);
  }
  CHECK_THROWS_AS(linalg::check_solve("f", 3, 3, 4, 1), std::invalid_argument);
  CHECK_NOTHROW(linalg::check_solve("f", 3, 3, 3, 2));
  const Buf s = {1.0, 2.0, 2.0 + 1e-12, 1.0};
  CHECK_NOTHROW(linalg::check_symmetric("f", 2, s.data()));
  const Buf ns = {1.0, 2.0, 2.5, 1.0};
  try {
    linalg::check_symmetric("g", 2, ns.data());
    FAIL("no exception");
  } catch (const std::domain_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("g: matrix is not symmetric") != std::string::npos);
    CHECK(msg.find("(1, 0)") != std::string::npos);
  }
}

TEST_CASE("triangular solves leave small residuals") {
  std::mt19937_64 rng(13);
  for (std::size_t n : {1, 2, 6, 25})
    for (std::size_t m : {1, 3}) {
      CAPTURE(n);
      CAPTURE(m);
      Buf l = random_lower(rng, n);
      Buf lg = l;  // garbage above the diagonal must be ignored
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) lg[i * n + j] = 1e3;
      const Buf b = random_matrix(rng, n, m);
      Buf x = b;
      linalg::solve_lower(n, m, lg.data(), x.data());
      CHECK(max_rel_diff(naive_product(l, false, x, false, n, n, m), b) < 1e-12);
      x = b;
      linalg::solve_lower_transpose(n, m, lg.data(), x.data());
      CHECK(max_rel_diff(naive_product(l, true, x, false, n, n, m), b) < 1e-12);
      const Buf br = random_matrix(rng, m, n);
      x = br;
      linalg::solve_right_lower(m, n, lg.data(), x.data());
      CHECK(max_rel_diff(naive_product(x, false, l, false, m, n, n), br) < 1e-12);
      x = br;
      linalg::solve_right_lower_transpose(m, n, lg.data(), x.data());
      CHECK(max_rel_diff(naive_product(x, false, l, true, m, n, n), br) < 1e-12);
    }
}

TEST_CASE("cholesky_inverse is the inverse and symmetric") {
  std::mt19937_64 rng(14);
  const std::size_t n = 9;
  const Buf a = random_spd(rng, n), l = chol(a, n);
  Buf ainv(n * n);
  linalg::cholesky_inverse(n, l.data(), ainv.data());
  const Buf id = naive_product(a, false, ainv, false, n, n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      CHECK(id[i * n + j] == doctest::Approx(i == j ? 1.0 : 0.0).epsilon(1e-12).scale(1.0));
      CHECK(ainv[i * n + j] == ainv[j * n + i]);
    }
}

TEST_CASE("Cholesky rules: tangent, adjoint and second order") {
  std::mt19937_64 rng(15);
  for (std::size_t n : {1, 2, 4, 7}) {
    CAPTURE(n);
    const Buf a = random_spd(rng, n), l = chol(a, n);
    const Buf adot = lower_part(random_matrix(rng, n, n), n);
    const Buf lbar = random_matrix(rng, n, n), lbar2 = random_matrix(rng, n, n);
    // Tangent against finite differences of the factorisation along a symmetric direction.
    Buf ldot(n * n);
    linalg::cholesky_tangent(n, l.data(), adot.data(), ldot.data());
    const Buf sym = symmetric_from_lower(adot, n);
    CHECK(max_rel_diff(ldot, fd([&](double t) { return chol(axpy(a, t, sym), n); })) < 1e-8);
    // The tangent reads Adot's lower triangle only.
    Buf adot_garbage = adot;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) adot_garbage[i * n + j] = 5.0;
    Buf ldot2(n * n);
    linalg::cholesky_tangent(n, l.data(), adot_garbage.data(), ldot2.data());
    CHECK(ldot2 == ldot);
    // Adjoint: <tril(Lbar), Ldot> = <Abar, Adot> (Abar on the lower triangle).
    Buf abar(n * n), abar2(n * n);
    linalg::cholesky_adjoint(n, l.data(), lbar.data(), abar.data());
    CHECK(inner(lower_part(lbar, n), ldot) == doctest::Approx(inner(abar, adot)).epsilon(1e-12));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) CHECK(abar[i * n + j] == 0.0);
    // Second order: the tangent of the adjoint rule along (Adot, Lbar2).
    Buf abar_again(n * n);
    linalg::cholesky_adjoint2(n, l.data(), ldot.data(), lbar.data(), lbar2.data(), abar_again.data(), abar2.data());
    CHECK(max_rel_diff(abar_again, abar) < 1e-14);
    const Buf want = fd([&](double t) {
      Buf out(n * n);
      const Buf lt = chol(axpy(a, t, sym), n), lb = axpy(lbar, t, lbar2);
      linalg::cholesky_adjoint(n, lt.data(), lb.data(), out.data());
      return out;
    });
    CHECK(max_rel_diff(abar2, want) < 1e-8);
  }
}

TEST_CASE("triangular solve rules: tangent, adjoint and second order") {
  std::mt19937_64 rng(16);
  for (bool transpose : {false, true})
    for (std::size_t n : {1, 3, 6})
      for (std::size_t m : {1, 2}) {
        CAPTURE(transpose);
        CAPTURE(n);
        CAPTURE(m);
        const Buf l = random_lower(rng, n), b = random_matrix(rng, n, m);
        const Buf ldot = lower_part(random_matrix(rng, n, n), n), bdot = random_matrix(rng, n, m);
        const Buf xbar = random_matrix(rng, n, m), xbar2 = random_matrix(rng, n, m);
        auto solve = [&](const Buf& lv, const Buf& bv) {
          Buf x = bv;
          if (transpose)
            linalg::solve_lower_transpose(n, m, lv.data(), x.data());
          else
            linalg::solve_lower(n, m, lv.data(), x.data());
          return x;
        };
        const Buf x = solve(l, b);
        Buf xdot(n * m);
        linalg::tri_solve_tangent(transpose, n, m, l.data(), x.data(), ldot.data(), bdot.data(), xdot.data());
        CHECK(max_rel_diff(xdot, fd([&](double t) { return solve(axpy(l, t, ldot), axpy(b, t, bdot)); })) < 1e-8);
        // Data operands: null tangents.
        Buf xdot_b(n * m), xdot_l(n * m);
        linalg::tri_solve_tangent(transpose, n, m, l.data(), x.data(), nullptr, bdot.data(), xdot_b.data());
        linalg::tri_solve_tangent(transpose, n, m, l.data(), x.data(), ldot.data(), nullptr, xdot_l.data());
        CHECK(max_rel_diff(axpy(xdot_b, 1.0, xdot_l), xdot) < 1e-12);

        Buf lbar(n * n, 0.0), bbar(n * m, 0.0);
        linalg::tri_solve_adjoint(transpose, n, m, l.data(), x.data(), xbar.data(), lbar.data(), bbar.data());
        CHECK(inner(xbar, xdot) == doctest::Approx(inner(lbar, ldot) + inner(bbar, bdot)).epsilon(1e-12));
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = i + 1; j < n; ++j) CHECK(lbar[i * n + j] == 0.0);

        Buf lbar_a(n * n, 0.0), lbar2(n * n, 0.0), bbar_a(n * m, 0.0), bbar2(n * m, 0.0);
        linalg::tri_solve_adjoint2(transpose, n, m, l.data(), x.data(), ldot.data(), xdot.data(), xbar.data(),
                                   xbar2.data(), lbar_a.data(), lbar2.data(), bbar_a.data(), bbar2.data());
        CHECK(max_rel_diff(lbar_a, lbar) < 1e-14);
        CHECK(max_rel_diff(bbar_a, bbar) < 1e-14);
        auto adjoint_at = [&](double t) {
          Buf lb(n * n, 0.0), bb(n * m, 0.0);
          const Buf lt = axpy(l, t, ldot), xt = solve(lt, axpy(b, t, bdot)), xbt = axpy(xbar, t, xbar2);
          linalg::tri_solve_adjoint(transpose, n, m, lt.data(), xt.data(), xbt.data(), lb.data(), bb.data());
          lb.insert(lb.end(), bb.begin(), bb.end());
          return lb;
        };
        Buf got = lbar2;
        got.insert(got.end(), bbar2.begin(), bbar2.end());
        CHECK(max_rel_diff(got, fd(adjoint_at)) < 1e-8);
      }
}

TEST_CASE("SPD solve rules, through A or through its factor") {
  std::mt19937_64 rng(17);
  for (bool factor : {false, true})
    for (std::size_t n : {1, 3, 5})
      for (std::size_t m : {1, 2}) {
        CAPTURE(factor);
        CAPTURE(n);
        CAPTURE(m);
        const Buf a = random_spd(rng, n), b = random_matrix(rng, n, m);
        const Buf mat = factor ? chol(a, n) : a;
        const Buf mdot = lower_part(random_matrix(rng, n, n), n), bdot = random_matrix(rng, n, m);
        const Buf xbar = random_matrix(rng, n, m), xbar2 = random_matrix(rng, n, m);
        auto solve = [&](const Buf& mv, const Buf& bv) {
          const Buf l = factor ? lower_part(mv, n) : chol(mv, n);
          Buf x = bv;
          linalg::solve_lower(n, m, l.data(), x.data());
          linalg::solve_lower_transpose(n, m, l.data(), x.data());
          return x;
        };
        // A is read from its lower triangle: perturb it symmetrically.
        const Buf mdir = factor ? mdot : symmetric_from_lower(mdot, n);
        const Buf l = factor ? mat : chol(a, n), x = solve(mat, b);
        Buf xdot(n * m);
        linalg::spd_solve_tangent(factor, n, m, l.data(), x.data(), mdot.data(), bdot.data(), xdot.data());
        CHECK(max_rel_diff(xdot, fd([&](double t) { return solve(axpy(mat, t, mdir), axpy(b, t, bdot)); })) < 1e-8);

        Buf mbar(n * n, 0.0), bbar(n * m, 0.0);
        linalg::spd_solve_adjoint(factor, n, m, l.data(), x.data(), xbar.data(), mbar.data(), bbar.data());
        CHECK(inner(xbar, xdot) == doctest::Approx(inner(mbar, mdot) + inner(bbar, bdot)).epsilon(1e-12));

        Buf mbar_a(n * n, 0.0), mbar2(n * n, 0.0), bbar_a(n * m, 0.0), bbar2(n * m, 0.0);
        linalg::spd_solve_adjoint2(factor, n, m, l.data(), x.data(), mdot.data(), xdot.data(), xbar.data(),
                                   xbar2.data(), mbar_a.data(), mbar2.data(), bbar_a.data(), bbar2.data());
        CHECK(max_rel_diff(mbar_a, mbar) < 1e-13);
        CHECK(max_rel_diff(bbar_a, bbar) < 1e-13);
        auto adjoint_at = [&](double t) {
          Buf mb(n * n, 0.0), bb(n * m, 0.0);
          const Buf mt = axpy(mat, t, mdir);
          const Buf lt = factor ? lower_part(mt, n) : chol(mt, n);
          const Buf xt = solve(mt, axpy(b, t, bdot)), xbt = axpy(xbar, t, xbar2);
          linalg::spd_solve_adjoint(factor, n, m, lt.data(), xt.data(), xbt.data(), mb.data(), bb.data());
          mb.insert(mb.end(), bb.begin(), bb.end());
          return mb;
        };
        Buf got = mbar2;
        got.insert(got.end(), bbar2.begin(), bbar2.end());
        CHECK(max_rel_diff(got, fd(adjoint_at)) < 1e-8);
      }
}

TEST_CASE("log determinant rules") {
  std::mt19937_64 rng(18);
  const std::size_t n = 5;
  const Buf a = random_spd(rng, n), adot = lower_part(random_matrix(rng, n, n), n);
  const Buf sym = symmetric_from_lower(adot, n);
  auto logdet = [&](const Buf& m) {
    const Buf l = chol(m, n);
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += 2.0 * std::log(l[i * n + i]);
    return s;
  };
  auto inverse = [&](const Buf& m) {
    Buf inv(n * n);
    linalg::cholesky_inverse(n, chol(m, n).data(), inv.data());
    return inv;
  };
  const Buf ainv = inverse(a);
  const double ydot = linalg::log_det_spd_tangent(n, ainv.data(), adot.data());
  CHECK(ydot == doctest::Approx(fd([&](double t) { return Buf{logdet(axpy(a, t, sym))}; })[0]).epsilon(1e-9));
  const double g = 0.7, g2 = -1.3;
  Buf abar(n * n, 0.0), abar2(n * n, 0.0);
  linalg::log_det_spd_adjoint2(n, ainv.data(), adot.data(), g, g2, abar.data(), abar2.data());
  CHECK(g * ydot == doctest::Approx(inner(abar, adot)).epsilon(1e-12));
  const Buf want = fd([&](double t) {
    Buf out(n * n, 0.0);
    linalg::fold_lower_add(n, inverse(axpy(a, t, sym)).data(), g + t * g2, out.data());
    return out;
  });
  CHECK(max_rel_diff(abar2, want) < 1e-8);
}

TEST_CASE("quadratic form rules") {
  std::mt19937_64 rng(19);
  for (std::size_t q : {1, 3}) {
    const std::size_t n = 4;
    const Buf a = random_matrix(rng, n, n), b = random_matrix(rng, n, q);
    const Buf adot = random_matrix(rng, n, n), bdot = random_matrix(rng, n, q);
    auto value = [&](const Buf& av, const Buf& bv) {
      return inner(bv, naive_product(av, false, bv, false, n, n, q));
    };
    Buf z(n * q);
    linalg::quad_form_gradient_b(n, q, a.data(), b.data(), z.data());
    const double ydot = linalg::quad_form_tangent(n, q, b.data(), z.data(), adot.data(), bdot.data());
    CHECK(ydot ==
          doctest::Approx(fd([&](double t) { return Buf{value(axpy(a, t, adot), axpy(b, t, bdot))}; })[0]).epsilon(1e-9));
    const double g = 1.1, g2 = 0.4;
    Buf abar(n * n, 0.0), bbar(n * q, 0.0), abar2(n * n, 0.0), bbar2(n * q, 0.0);
    linalg::quad_form_adjoint(n, q, b.data(), z.data(), g, abar.data(), bbar.data());
    CHECK(g * ydot == doctest::Approx(inner(abar, adot) + inner(bbar, bdot)).epsilon(1e-12));
    Buf abar_a(n * n, 0.0), bbar_a(n * q, 0.0);
    linalg::quad_form_adjoint2(n, q, a.data(), b.data(), z.data(), adot.data(), bdot.data(), g, g2, abar_a.data(),
                               abar2.data(), bbar_a.data(), bbar2.data());
    CHECK(max_rel_diff(abar_a, abar) < 1e-14);
    CHECK(max_rel_diff(bbar_a, bbar) < 1e-14);
    const Buf want = fd([&](double t) {
      const Buf at = axpy(a, t, adot), bt = axpy(b, t, bdot);
      Buf zt(n * q), ab(n * n, 0.0), bb(n * q, 0.0);
      linalg::quad_form_gradient_b(n, q, at.data(), bt.data(), zt.data());
      linalg::quad_form_adjoint(n, q, bt.data(), zt.data(), g + t * g2, ab.data(), bb.data());
      ab.insert(ab.end(), bb.begin(), bb.end());
      return ab;
    });
    Buf got = abar2;
    got.insert(got.end(), bbar2.begin(), bbar2.end());
    CHECK(max_rel_diff(got, want) < 1e-8);
  }
}
