// multi_normal_cholesky_lpdf, multi_normal_lpdf, multi_normal_prec_lpdf: SciPy/mpmath reference
// values, agreement of the three forms, several observations (Matrix rows, std::vector, a shared
// or per-observation mu), propto, exact gradients and Hessian-vector products in every Var/data
// combination, closed-form derivatives, and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "autodiff/matrix_ops.hpp"
#include "distributions/multi_normal.hpp"
#include "multivariate_harness.hpp"
#include "multivariate_vectors.hpp"

namespace {

using namespace tapir::autodiff;
using tapir::distributions::multi_normal_cholesky_lpdf;
using tapir::distributions::multi_normal_lpdf;
using tapir::distributions::multi_normal_prec_lpdf;


// ---- matrices of a combination ----------------------------------------------------------------

// The free values of a k x k matrix: its lower triangle, row-major.
std::vector<double> lower_entries(const std::vector<double>& flat, std::size_t k) {
  std::vector<double> out;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j) out.push_back(flat[i * k + j]);
  return out;
}

// A lower-triangular (Symmetric = false) or symmetric matrix from its lower entries, taken from x
// (Vars) or from data.
template <bool IsVar, bool Symmetric, class T>
auto matrix_arg(const Vector<T>& x, std::size_t& off, const std::vector<double>& flat, std::size_t k) {
  using S = std::conditional_t<IsVar, T, double>;
  const Vector<S> e = arg<IsVar>(x, off, lower_entries(flat, k));
  Matrix<S> m(k, k, S(0.0));
  std::size_t p = 0;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j <= i; ++j, ++p) {
      m(i, j) = e[p];
      if (Symmetric) m(j, i) = e[p];
    }
  return m;
}

template <class T>
Matrix<T> to_matrix(const std::vector<double>& flat, std::size_t r, std::size_t c) {
  Matrix<T> m(r, c);
  for (std::size_t i = 0; i < r * c; ++i) m.data()[i] = flat[i];
  return m;
}

std::vector<Vector<double>> to_rows(const std::vector<double>& flat, std::size_t n, std::size_t k) {
  std::vector<Vector<double>> rows;
  for (std::size_t i = 0; i < n; ++i)
    rows.emplace_back(std::vector<double>(flat.begin() + static_cast<std::ptrdiff_t>(i * k),
                                          flat.begin() + static_cast<std::ptrdiff_t>((i + 1) * k)));
  return rows;
}

constexpr double half_log_two_pi = 0.91893853320467274178032973640561764;

// ---- reference values --------------------------------------------------------------------------

TEST_CASE("the three forms match SciPy / mpmath, for every shape of y") {
  double worst[3] = {0.0, 0.0, 0.0}, worst_rel[3] = {0.0, 0.0, 0.0};
  for (std::size_t c = 0; c < mv_vectors::multi_normal.size(); ++c) {
    const auto& cs = mv_vectors::multi_normal[c];
    const std::size_t k = cs.k, n = cs.n;
    const Matrix<double> ym = to_matrix<double>(cs.y, n, k);
    const std::vector<Vector<double>> yv = to_rows(cs.y, n, k);
    const Vector<double> mu(cs.mu);
    const Matrix<double> L = to_matrix<double>(cs.L, k, k), S = to_matrix<double>(cs.Sigma, k, k),
                         O = to_matrix<double>(cs.Omega, k, k);
    const double expected[3] = {cs.lp_cholesky, cs.lp_covariance, cs.lp_precision};
    const double scale[3] = {cs.scale_cholesky, cs.scale_covariance, cs.scale_precision};
    auto eval = [&](int form, const auto& y) {
      if (form == 0) return multi_normal_cholesky_lpdf(y, mu, L);
      if (form == 1) return multi_normal_lpdf(y, mu, S);
      return multi_normal_prec_lpdf(y, mu, O);
    };
    for (int form = 0; form < 3; ++form) {
      const double got = eval(form, ym);
      const double err = std::abs(got - expected[form]) / std::max(std::abs(expected[form]), scale[form]);
      worst[form] = std::max(worst[form], err);
      worst_rel[form] = std::max(worst_rel[form], std::abs(got - expected[form]) / std::abs(expected[form]));
      CHECK_MESSAGE(err <= 1e-14, "form " << form << " case " << c << ": got " << got << ", expected "
                                          << expected[form]);
      // std::vector rows and the sum of single-vector calls give the same value.
      close(eval(form, yv), got, 1e-15, "std::vector rows");
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) sum += eval(form, yv[i]);
      close(sum, got, 4e-15 * static_cast<double>(n), "sum of single observations");
    }
  }
  const char* names[3] = {"multi_normal_cholesky_lpdf", "multi_normal_lpdf", "multi_normal_prec_lpdf"};
  for (int form = 0; form < 3; ++form) {
    MESSAGE(std::string(names[form]) << ": " << mv_vectors::multi_normal.size() << " cases, worst error " << worst[form]
                        << " relative to the terms' size, " << worst_rel[form] << " relative to the value");
    CHECK(worst_rel[form] <= 1e-12);
  }
}

TEST_CASE("the Cholesky, covariance and precision forms agree") {
  for (const auto& cs : mv_vectors::multi_normal) {
    const std::size_t k = cs.k, n = cs.n;
    const Matrix<double> ym = to_matrix<double>(cs.y, n, k), S = to_matrix<double>(cs.Sigma, k, k);
    const Vector<double> mu(cs.mu);
    const Matrix<double> L = cholesky_decompose(S);
    Matrix<double> eye(k, k, 0.0);
    for (std::size_t i = 0; i < k; ++i) eye(i, i) = 1.0;
    Matrix<double> O = cholesky_solve(L, eye);
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < i; ++j) O(j, i) = O(i, j);  // exactly symmetric
    const double a = multi_normal_lpdf(ym, mu, S), b = multi_normal_cholesky_lpdf(ym, mu, L),
                 c = multi_normal_prec_lpdf(ym, mu, O);
    CHECK(a == b);  // the same factorization
    close(c, a, 1e-12, "precision vs covariance");
  }
}

TEST_CASE("one y shared by several mu, and per-observation mu") {
  const auto& cs = mv_vectors::multi_normal[5];  // k = 3, n = 5
  const std::size_t k = cs.k, n = cs.n;
  const Matrix<double> L = to_matrix<double>(cs.L, k, k), mus = to_matrix<double>(cs.y, n, k);
  const std::vector<Vector<double>> mu_rows = to_rows(cs.y, n, k);
  const Vector<double> y(cs.mu);
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += multi_normal_cholesky_lpdf(y, mu_rows[i], L);
  close(multi_normal_cholesky_lpdf(y, mus, L), sum, 1e-15, "shared y, Matrix mu");
  close(multi_normal_cholesky_lpdf(y, mu_rows, L), sum, 1e-15, "shared y, std::vector mu");
  // Symmetry of the density in y and mu.
  close(multi_normal_cholesky_lpdf(mus, y, L), sum, 1e-15, "Matrix y, shared mu");
  // Per-observation mu paired with per-observation y.
  const Matrix<double> ys = to_matrix<double>(cs.y, n, k);
  Matrix<double> shifted(n, k);
  double sum2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    Vector<double> m(k);
    for (std::size_t j = 0; j < k; ++j) m[j] = shifted(i, j) = 0.1 * static_cast<double>(i + j) - 0.3;
    sum2 += multi_normal_cholesky_lpdf(mu_rows[i], m, L);
  }
  close(multi_normal_cholesky_lpdf(ys, shifted, L), sum2, 1e-15, "Matrix y, Matrix mu");
  CHECK(multi_normal_cholesky_lpdf(Matrix<double>(0, k), y, L) == 0.0);
}

// ---- propto --------------------------------------------------------------------------------------

TEST_CASE("propto drops exactly the constant and the log-determinant of a data matrix") {
  const auto& cs = mv_vectors::multi_normal[7];  // k = 5, n = 3
  const std::size_t k = cs.k, n = cs.n;
  const Matrix<double> ym = to_matrix<double>(cs.y, n, k), L = to_matrix<double>(cs.L, k, k),
                       S = to_matrix<double>(cs.Sigma, k, k), O = to_matrix<double>(cs.Omega, k, k);
  const Vector<double> mu(cs.mu);
  const double nk = static_cast<double>(n * k), nd = static_cast<double>(n);
  CHECK(multi_normal_cholesky_lpdf<true>(ym, mu, L) == 0.0);
  CHECK(multi_normal_lpdf<true>(ym, mu, S) == 0.0);
  CHECK(multi_normal_prec_lpdf<true>(ym, mu, O) == 0.0);
  double log_det_l = 0.0;
  for (std::size_t i = 0; i < k; ++i) log_det_l += std::log(L(i, i));
  const double log_det_s = log_determinant_spd(S), log_det_o = log_determinant_spd(O);

  // mu Var, matrix data: the constant and the log-determinant are dropped.
  Vector<Var> mv(k);
  for (std::size_t j = 0; j < k; ++j) mv[j] = Var(mu[j]);
  close(multi_normal_cholesky_lpdf(ym, mv, L).value() - multi_normal_cholesky_lpdf<true>(ym, mv, L).value(),
        -nk * half_log_two_pi - nd * log_det_l, 1e-14, "Cholesky, mu Var");
  close(multi_normal_lpdf(ym, mv, S).value() - multi_normal_lpdf<true>(ym, mv, S).value(),
        -nk * half_log_two_pi - 0.5 * nd * log_det_s, 1e-14, "covariance, mu Var");
  close(multi_normal_prec_lpdf(ym, mv, O).value() - multi_normal_prec_lpdf<true>(ym, mv, O).value(),
        -nk * half_log_two_pi + 0.5 * nd * log_det_o, 1e-14, "precision, mu Var");

  // Matrix Var: only the constant.
  Matrix<Var> lv(k, k), sv(k, k), ov(k, k);
  for (std::size_t i = 0; i < k * k; ++i) {
    lv.data()[i] = Var(L.data()[i]);
    sv.data()[i] = Var(S.data()[i]);
    ov.data()[i] = Var(O.data()[i]);
  }
  close(multi_normal_cholesky_lpdf(ym, mu, lv).value() - multi_normal_cholesky_lpdf<true>(ym, mu, lv).value(),
        -nk * half_log_two_pi, 1e-14, "Cholesky, L Var");
  close(multi_normal_lpdf(ym, mu, sv).value() - multi_normal_lpdf<true>(ym, mu, sv).value(), -nk * half_log_two_pi,
        1e-14, "covariance, Sigma Var");
  close(multi_normal_prec_lpdf(ym, mu, ov).value() - multi_normal_prec_lpdf<true>(ym, mu, ov).value(),
        -nk * half_log_two_pi, 1e-14, "precision, Omega Var");

  // Dual: the same rule, the same derivative.
  Vector<Dual<double>> md(k);
  for (std::size_t j = 0; j < k; ++j) md[j] = Dual<double>(mu[j], 1.0);
  const Dual<double> full = multi_normal_cholesky_lpdf(ym, md, L), pro = multi_normal_cholesky_lpdf<true>(ym, md, L);
  close(full.val - pro.val, -nk * half_log_two_pi - nd * log_det_l, 1e-14, "Cholesky, mu Dual");
  CHECK(full.tan == pro.tan);
}

// ---- derivatives -------------------------------------------------------------------------------

// Form 0: Cholesky factor, 1: covariance, 2: precision. Shape 0: one observation, 1: Matrix rows
// with a shared mu, 2: std::vector rows with per-observation mu (a Matrix).
template <int Form, bool YVar, bool MuVar, bool MVar, int Shape>
void mvn_combo(const mv_vectors::MultiNormalCase& cs) {
  const std::size_t k = cs.k, n = Shape == 0 ? 1 : cs.n;
  const std::string tag = "form " + std::to_string(Form) + ", y " + (YVar ? "var" : "data") + ", mu " +
                          (MuVar ? "var" : "data") + ", matrix " + (MVar ? "var" : "data") + ", shape " +
                          std::to_string(Shape);
  const std::vector<double> y(cs.y.begin(), cs.y.begin() + static_cast<std::ptrdiff_t>(n * k));
  std::vector<double> mu;
  if (Shape == 2)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < k; ++j) mu.push_back(cs.mu[j] + 0.1 * static_cast<double>(i));
  else
    mu = cs.mu;
  const std::vector<double>& mflat = Form == 0 ? cs.L : (Form == 1 ? cs.Sigma : cs.Omega);
  std::vector<double> x;
  if (YVar) x.insert(x.end(), y.begin(), y.end());
  if (MuVar) x.insert(x.end(), mu.begin(), mu.end());
  if (MVar) {
    const std::vector<double> e = lower_entries(mflat, k);
    x.insert(x.end(), e.begin(), e.end());
  }
  auto f = [&, k, n](const auto& xv) {
    std::size_t off = 0;
    const auto yv = arg<YVar>(xv, off, y);
    const auto mv = arg<MuVar>(xv, off, mu);
    const auto m = matrix_arg<MVar, Form != 0>(xv, off, mflat, k);
    using TY = typename std::decay_t<decltype(yv)>::Scalar;
    using TM = typename std::decay_t<decltype(mv)>::Scalar;
    auto call = [&](const auto& yy, const auto& mm) {
      if constexpr (Form == 0)
        return multi_normal_cholesky_lpdf(yy, mm, m);
      else if constexpr (Form == 1)
        return multi_normal_lpdf(yy, mm, m);
      else
        return multi_normal_prec_lpdf(yy, mm, m);
    };
    if constexpr (Shape == 0) {
      return call(yv, mv);
    } else if constexpr (Shape == 1) {
      Matrix<TY> ym(n, k);
      for (std::size_t i = 0; i < n * k; ++i) ym.data()[i] = yv[i];
      return call(ym, mv);
    } else {
      std::vector<Vector<TY>> yr(n, Vector<TY>(k));
      Matrix<TM> mm(n, k);
      for (std::size_t i = 0; i < n * k; ++i) {
        yr[i / k][i % k] = yv[i];
        mm.data()[i] = mv[i];
      }
      return call(yr, mm);
    }
  };
  check_function(tag, erase(f), x);
}

template <int Form>
void mvn_all_combos(const mv_vectors::MultiNormalCase& cs) {
  mvn_combo<Form, true, false, false, 0>(cs);
  mvn_combo<Form, false, true, false, 0>(cs);
  mvn_combo<Form, false, false, true, 0>(cs);
  mvn_combo<Form, true, true, false, 1>(cs);
  mvn_combo<Form, false, true, true, 1>(cs);
  mvn_combo<Form, true, false, true, 1>(cs);
  mvn_combo<Form, true, true, true, 1>(cs);
  mvn_combo<Form, false, true, true, 2>(cs);
}

TEST_CASE("multi_normal_cholesky_lpdf: derivatives in every combination") {
  mvn_all_combos<0>(mv_vectors::multi_normal[5]);  // k = 3, n = 5
}
TEST_CASE("multi_normal_lpdf: derivatives in every combination") {
  mvn_all_combos<1>(mv_vectors::multi_normal[4]);  // k = 3, n = 1
  mvn_combo<1, true, true, true, 1>(mv_vectors::multi_normal[6]);  // k = 4, n = 2
}
TEST_CASE("multi_normal_prec_lpdf: derivatives in every combination") {
  mvn_all_combos<2>(mv_vectors::multi_normal[3]);  // k = 2, n = 4
  mvn_combo<2, true, true, true, 1>(mv_vectors::multi_normal[6]);
}

TEST_CASE("gradient and Hessian in mu equal the closed forms") {
  // d/dmu = Sigma^{-1} sum_n (y_n - mu), d2/dmu2 = -n Sigma^{-1}; d/dy_n = -Sigma^{-1} (y_n - mu).
  const auto& cs = mv_vectors::multi_normal[6];  // k = 4, n = 2
  const std::size_t k = cs.k, n = cs.n;
  const Matrix<double> S = to_matrix<double>(cs.Sigma, k, k), ym = to_matrix<double>(cs.y, n, k);
  Matrix<double> eye(k, k, 0.0);
  for (std::size_t i = 0; i < k; ++i) eye(i, i) = 1.0;
  const Matrix<double> Si = mdivide_left_spd(S, eye);
  auto f = [&](const auto& x) { return multi_normal_lpdf(ym, x, S); };
  const ValueGradientHessian r = hessian(f, cs.mu);
  for (std::size_t i = 0; i < k; ++i) {
    double g = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      double rs = 0.0;
      for (std::size_t m = 0; m < n; ++m) rs += ym(m, j) - cs.mu[j];
      g += Si(i, j) * rs;
      close(r.hessian(i, j), -static_cast<double>(n) * Si(i, j), 1e-13, "d2/dmu2");
    }
    close(r.gradient[i], g, 1e-13, "d/dmu");
  }
  auto fy = [&](const auto& x) { return multi_normal_lpdf(x, Vector<double>(cs.mu), S); };
  const std::vector<double> y0(cs.y.begin(), cs.y.begin() + static_cast<std::ptrdiff_t>(k));
  const std::vector<double> gy = gradient(fy, y0);
  for (std::size_t i = 0; i < k; ++i) {
    double g = 0.0;
    for (std::size_t j = 0; j < k; ++j) g -= Si(i, j) * (y0[j] - cs.mu[j]);
    close(gy[i], g, 1e-13, "d/dy");
  }
}

// ---- errors --------------------------------------------------------------------------------------

TEST_CASE("errors name the function and the argument") {
  using tapir::domain_error;
  using tapir::size_error;
  const Vector<double> y{0.5, -0.2, 1.0}, mu{0.0, 0.1, 0.2};
  Matrix<double> L(3, 3, 0.0), S(3, 3, 0.0);
  for (std::size_t i = 0; i < 3; ++i) {
    L(i, i) = 1.0 + 0.1 * static_cast<double>(i);
    S(i, i) = 2.0;
  }
  L(2, 0) = 0.3;
  S(1, 0) = S(0, 1) = 0.5;

  Matrix<double> bad = L;
  bad(1, 1) = 0.0;
  check_throws<domain_error>([&] { multi_normal_cholesky_lpdf(y, mu, bad); },
                             {"multi_normal_cholesky_lpdf", "Cholesky factor L[1,1]", "positive"});
  bad(1, 1) = -2.0;
  check_throws<domain_error>([&] { multi_normal_cholesky_lpdf(y, mu, bad); },
                             {"multi_normal_cholesky_lpdf", "Cholesky factor L[1,1]", "-2"});
  bad = L;
  bad(2, 1) = std::numeric_limits<double>::infinity();
  check_throws<domain_error>([&] { multi_normal_cholesky_lpdf(y, mu, bad); },
                             {"multi_normal_cholesky_lpdf", "Cholesky factor L[2,1]", "finite"});
  check_throws<domain_error>([&] { multi_normal_cholesky_lpdf(Vector<double>{0.5, std::nan(""), 1.0}, mu, L); },
                             {"multi_normal_cholesky_lpdf", "random variable y[1]", "NaN"});
  check_throws<domain_error>(
      [&] { multi_normal_cholesky_lpdf(y, Vector<double>{0.0, std::numeric_limits<double>::infinity(), 0.0}, L); },
      {"multi_normal_cholesky_lpdf", "location mu[1]", "finite"});
  Matrix<double> ym(2, 3, 0.0);
  ym(1, 2) = std::nan("");
  check_throws<domain_error>([&] { multi_normal_cholesky_lpdf(ym, mu, L); },
                             {"multi_normal_cholesky_lpdf", "random variable y[1,2]"});

  Matrix<double> asym = S;
  asym(0, 1) = 0.6;
  check_throws<domain_error>([&] { multi_normal_lpdf(y, mu, asym); },
                             {"multi_normal_lpdf", "covariance Sigma[0,1]", "symmetric"});
  Matrix<double> indef = S;
  indef(1, 0) = indef(0, 1) = 3.0;
  check_throws<domain_error>([&] { multi_normal_lpdf(y, mu, indef); },
                             {"multi_normal_lpdf", "covariance Sigma", "not positive definite"});
  check_throws<domain_error>([&] { multi_normal_prec_lpdf(y, mu, indef); },
                             {"multi_normal_prec_lpdf", "precision Omega", "not positive definite"});
  check_throws<domain_error>([&] { multi_normal_prec_lpdf(y, mu, asym); },
                             {"multi_normal_prec_lpdf", "precision Omega[0,1]", "symmetric"});
  // Var and Dual matrices report the same errors as tapir::domain_error.
  Matrix<Var> indef_v(3, 3);
  for (std::size_t i = 0; i < 9; ++i) indef_v.data()[i] = Var(indef.data()[i]);
  check_throws<domain_error>([&] { multi_normal_lpdf(y, mu, indef_v); }, {"multi_normal_lpdf", "covariance Sigma"});
  Matrix<Dual<double>> indef_d(3, 3);
  for (std::size_t i = 0; i < 9; ++i) indef_d.data()[i] = Dual<double>(indef.data()[i], 1.0);
  check_throws<domain_error>([&] { multi_normal_prec_lpdf(y, mu, indef_d); },
                             {"multi_normal_prec_lpdf", "precision Omega"});

  check_throws<size_error>([&] { multi_normal_cholesky_lpdf(Vector<double>{1.0, 2.0}, mu, L); },
                           {"multi_normal_cholesky_lpdf", "size of random variable y", "2", "3"});
  check_throws<size_error>([&] { multi_normal_cholesky_lpdf(y, Vector<double>{1.0}, L); },
                           {"multi_normal_cholesky_lpdf", "size of location mu", "1", "3"});
  check_throws<size_error>([&] { multi_normal_cholesky_lpdf(y, mu, Matrix<double>(3, 2, 1.0)); },
                           {"multi_normal_cholesky_lpdf", "Cholesky factor L", "3x2", "square"});
  check_throws<size_error>([&] { multi_normal_lpdf(y, mu, Matrix<double>(2, 3, 1.0)); },
                           {"multi_normal_lpdf", "covariance Sigma", "2x3"});
  check_throws<size_error>([&] { multi_normal_prec_lpdf(y, mu, Matrix<double>(0, 0)); },
                           {"multi_normal_prec_lpdf", "precision Omega", "0x0"});
  check_throws<size_error>([&] { multi_normal_cholesky_lpdf(Matrix<double>(2, 3, 0.0), Matrix<double>(3, 3, 0.0), L); },
                           {"multi_normal_cholesky_lpdf", "number of observations y", "number of locations mu"});
  check_throws<size_error>([&] { multi_normal_cholesky_lpdf(Matrix<double>(2, 4, 0.0), mu, L); },
                           {"multi_normal_cholesky_lpdf", "columns of random variable y", "4"});
  check_throws<size_error>(
      [&] {
        multi_normal_cholesky_lpdf(std::vector<Vector<double>>{y, Vector<double>{1.0}}, mu, L);
      },
      {"multi_normal_cholesky_lpdf", "random variable y[1]"});
}

}  // namespace
