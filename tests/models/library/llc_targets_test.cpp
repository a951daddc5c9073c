// Learning-coefficient targets (models/library/llc_target.hpp, teacher_student.hpp,
// deep_linear_network.hpp): Aoyagi's formula against the reference table, the losses against
// forward passes written out here, derivatives, the optimum, data generation, and the localized
// tempered posterior.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "inference/mcmc/sgld.hpp"
#include "model_checks.hpp"
#include "models/library/deep_linear_network.hpp"
#include "models/library/llc_target.hpp"
#include "models/library/teacher_student.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;

namespace {

struct TableRow {
  std::vector<std::size_t> widths;
  std::size_t rank;
  std::size_t d;
  double lambda;
};

// ../shared/references/llc-ground-truth.md, "Deep linear networks", every entry.
const std::vector<TableRow> aoyagi_table = {
    {{1, 1, 1}, 0, 2, 0.5},        {{1, 1, 1}, 1, 2, 0.5},       {{2, 2, 2}, 0, 8, 1.5},
    {{2, 2, 2}, 1, 8, 2},          {{2, 2, 2}, 2, 8, 2},         {{3, 3, 3}, 1, 18, 4},
    {{4, 4, 4}, 0, 32, 6},         {{5, 3, 5}, 0, 30, 6.5},      {{5, 3, 5}, 1, 30, 8},
    {{5, 3, 5}, 3, 30, 10.5},      {{5, 4, 5}, 0, 40, 8},        {{5, 4, 5}, 2, 40, 10.5},
    {{4, 3, 8}, 0, 36, 6},         {{4, 3, 8}, 2, 36, 11},       {{8, 3, 4}, 0, 36, 6},
    {{8, 3, 4}, 2, 36, 11},        {{3, 8, 4}, 0, 56, 6},        {{3, 8, 4}, 2, 56, 6},
    {{2, 1, 4}, 1, 6, 2.5},        {{5, 10, 5}, 2, 100, 12.5},   {{3, 3, 3, 3}, 1, 27, 4},
    {{4, 4, 4, 4}, 0, 48, 5.5},    {{4, 4, 4, 4}, 2, 48, 7.5},   {{10, 5, 5, 10}, 3, 125, 27.5},
    {{10, 20, 20, 10}, 5, 800, 50}, {{2, 2, 2, 2, 2}, 1, 16, 2},
};

// x M for the product M of the layers, written out.
std::vector<double> matmul(const std::vector<double>& a, const std::vector<double>& b, std::size_t p, std::size_t q,
                           std::size_t r) {
  std::vector<double> c(p * r, 0.0);
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t k = 0; k < q; ++k)
      for (std::size_t j = 0; j < r; ++j) c[i * r + j] += a[i * q + k] * b[k * r + j];
  return c;
}

// Rank by Gaussian elimination with partial pivoting.
std::size_t numerical_rank(std::vector<double> a, std::size_t rows, std::size_t cols) {
  std::size_t rank = 0;
  for (std::size_t c = 0; c < cols && rank < rows; ++c) {
    std::size_t piv = rank;
    for (std::size_t i = rank; i < rows; ++i)
      if (std::abs(a[i * cols + c]) > std::abs(a[piv * cols + c])) piv = i;
    if (std::abs(a[piv * cols + c]) < 1e-10) continue;
    for (std::size_t j = 0; j < cols; ++j) std::swap(a[rank * cols + j], a[piv * cols + j]);
    for (std::size_t i = rank + 1; i < rows; ++i) {
      const double f = a[i * cols + c] / a[rank * cols + c];
      for (std::size_t j = 0; j < cols; ++j) a[i * cols + j] -= f * a[rank * cols + j];
    }
    ++rank;
  }
  return rank;
}

// The tanh MLP written out over the nn::MLP layout (per layer W in x out row-major, then b).
std::vector<double> mlp_by_hand(const std::vector<std::size_t>& widths, const std::vector<double>& w,
                                const std::vector<double>& x) {
  std::vector<double> h = x;
  std::size_t off = 0;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const std::size_t in = widths[l], out = widths[l + 1];
    std::vector<double> next(out);
    for (std::size_t j = 0; j < out; ++j) {
      double s = w[off + in * out + j];
      for (std::size_t i = 0; i < in; ++i) s += h[i] * w[off + i * out + j];
      next[j] = l + 2 < widths.size() ? std::tanh(s) : s;
    }
    off += in * out + out;
    h = next;
  }
  return h;
}

template <class Target, class F>
double loss_by_hand(const Target& t, const F& f) {
  const auto& d = t.data();
  double total = 0.0;
  for (std::size_t i = 0; i < d.x.rows(); ++i) {
    const std::vector<double> xi(d.x.row(i), d.x.row(i) + d.x.cols());
    const auto yi = f(xi);
    for (std::size_t k = 0; k < d.y.cols(); ++k) total += std::pow(d.y(i, k) - yi[k], 2);
  }
  return total / static_cast<double>(d.x.rows());
}

}  // namespace

TEST_CASE("Aoyagi's learning coefficient reproduces the reference table exactly") {
  for (const TableRow& row : aoyagi_table) {
    CAPTURE(row.rank);
    CAPTURE(row.widths.size());
    CHECK(aoyagi_learning_coefficient(row.widths, row.rank) == row.lambda);
    CHECK(LinearChain(row.widths).num_parameters() == row.d);
    CHECK(row.lambda <= 0.5 * static_cast<double>(row.d));
  }
  // One layer is a regular model: lambda = d / 2 whatever the rank.
  for (std::size_t r = 0; r <= 3; ++r) CHECK(aoyagi_learning_coefficient({3, 5}, r) == 7.5);
  CHECK_THROWS_WITH_AS(aoyagi_learning_coefficient({4, 2, 4}, 3), doctest::Contains("rank 3 exceeds width 2 (2)"),
                       tapir::domain_error);
  CHECK_THROWS_AS(aoyagi_learning_coefficient({4}, 0), tapir::size_error);
  CHECK(DeepLinearNetwork(distributions::make_key(1), {.widths = {5, 3, 5}, .rank = 1, .rows = 8}).learning_coefficient() == 8);
}

TEST_CASE("deep linear network: teacher of rank r, data, the loss written out, its optimum") {
  const DeepLinearConfig cfg{.widths = {4, 3, 5}, .rank = 2, .rows = 500, .noise_sd = 0.2};
  const DeepLinearNetwork dln(distributions::make_key(3), cfg);
  CHECK(dln.dimension() == 12 + 15);
  CHECK(dln.num_data() == 500);
  const auto& w_star = dln.optimum();
  // Every layer and the product have rank 2.
  const std::vector<double> w1(w_star.begin(), w_star.begin() + 12), w2(w_star.begin() + 12, w_star.end());
  CHECK(numerical_rank(w1, 4, 3) == 2);
  CHECK(numerical_rank(w2, 3, 5) == 2);
  const auto m = matmul(w1, w2, 4, 3, 5);
  CHECK(numerical_rank(m, 4, 5) == 2);
  const Matrix<double> tm = dln.teacher_map();
  for (std::size_t q = 0; q < 20; ++q) CHECK(tm.data()[q] == doctest::Approx(m[q]).epsilon(1e-13));

  auto f_at = [&](const std::vector<double>& w) {
    return [w](const std::vector<double>& x) {
      const std::vector<double> a(w.begin(), w.begin() + 12), b(w.begin() + 12, w.end());
      return matmul(matmul(x, a, 1, 4, 3), b, 1, 3, 5);
    };
  };
  // The loss at w* is the mean squared noise; near out * noise_sd^2.
  const double l_star = dln.loss(w_star);
  CHECK(l_star == doctest::Approx(loss_by_hand(dln, f_at(w_star))).epsilon(1e-12));
  CHECK(std::abs(l_star - 5 * 0.04) < 4 * 0.04 * std::sqrt(2.0 * 5 / 500));
  const std::vector<double> w = model_checks::test_point(27, 0.5);
  CHECK(dln.loss(w) == doctest::Approx(loss_by_hand(dln, f_at(w))).epsilon(1e-12));
  // Reproducible from the key; another key gives another teacher.
  const DeepLinearNetwork again(distributions::make_key(3), cfg);
  CHECK(again.optimum() == w_star);
  CHECK(again.data().y(7, 2) == dln.data().y(7, 2));
  CHECK(DeepLinearNetwork(distributions::make_key(4), cfg).optimum() != w_star);
  // Inputs standard normal.
  double s = 0, ss = 0;
  for (std::size_t q = 0; q < dln.data().x.size(); ++q) {
    s += dln.data().x.data()[q];
    ss += dln.data().x.data()[q] * dln.data().x.data()[q];
  }
  CHECK(std::abs(s / 2000) < 4 / std::sqrt(2000.0));
  CHECK(std::abs(ss / 2000 - 1) < 4 * std::sqrt(2 / 2000.0));
  // Rank 0: the zero map.
  const DeepLinearNetwork zero(distributions::make_key(3), {.widths = {3, 3, 3}, .rank = 0, .rows = 10});
  for (double v : zero.optimum()) CHECK(v == 0.0);
  CHECK_THROWS_WITH_AS(DeepLinearNetwork(distributions::make_key(3), {.widths = {3, 1, 3}, .rank = 2}),
                       doctest::Contains("rank 2 exceeds width 2 (1)"), tapir::domain_error);
}

TEST_CASE("deep linear network: noiseless optimum, per-row and minibatch losses, derivatives") {
  const DeepLinearNetwork dln(distributions::make_key(8), {.widths = {3, 4, 2}, .rank = 1, .rows = 64, .noise_sd = 0.0});
  const auto& w_star = dln.optimum();
  CHECK(dln.loss(w_star) == doctest::Approx(0.0).scale(1.0).epsilon(1e-25));
  const auto g = autodiff::gradient([&](const auto& w) { return dln.loss(w); }, std::span<const double>(w_star));
  for (double gi : g) CHECK(std::abs(gi) < 1e-14);

  const std::vector<double> w = model_checks::test_point(dln.dimension(), 0.7);
  const Vector<double> rl = dln.row_losses(w);
  REQUIRE(rl.size() == 64);
  CHECK(std::accumulate(rl.begin(), rl.end(), 0.0) / 64 == doctest::Approx(dln.loss(w)).epsilon(1e-13));
  const std::vector<std::size_t> rows = {3, 17, 17, 40};
  CHECK(dln.batch_loss(w, rows) == doctest::Approx((rl[3] + 2 * rl[17] + rl[40]) / 4).epsilon(1e-13));
  CHECK(dln.row_loss(w, 5) == doctest::Approx(rl[5]).epsilon(1e-13));
  CHECK_THROWS_AS(dln.batch_loss(w, std::vector<std::size_t>{64}), tapir::size_error);
  CHECK_THROWS_WITH_AS(dln.loss(std::vector<double>(5)), doctest::Contains("w has 5 values, the network has 20 weights"),
                       tapir::size_error);

  autodiff::DerivativeCheckOptions opt;
  const auto c1 = autodiff::check_derivatives([&](const auto& v) { return dln.loss(v); }, w, opt);
  CHECK_MESSAGE(c1.ok, c1.report());
  const auto c2 = autodiff::check_derivatives([&](const auto& v) { return dln.batch_loss(v, rows); }, w, opt);
  CHECK_MESSAGE(c2.ok, c2.report());
  const auto c3 = autodiff::check_derivatives(
      [&](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::Scalar;
        const Vector<T> r = dln.row_losses(v);
        return T(r[0] + 2.0 * r[9]);
      },
      w, opt);
  CHECK_MESSAGE(c3.ok, c3.report());

  // The SGLD interface: -sum over the batch of l_i, scaled.
  const inference::mcmc::MinibatchModel<DeepLinearNetwork> mb(dln);
  CHECK(mb.dimension() == 20);
  CHECK(mb.num_data() == 64);
  std::vector<double> grad(20);
  const double v = mb.value_and_gradient(w, rows, 16.0, grad);
  CHECK(v == doctest::Approx(-16.0 * 4 * dln.batch_loss(w, rows)).epsilon(1e-12));
  const auto g_batch = autodiff::gradient([&](const auto& u) { return dln.batch_loss(u, rows); }, std::span<const double>(w));
  for (std::size_t i = 0; i < 20; ++i) CHECK(grad[i] == doctest::Approx(-64.0 * g_batch[i]).epsilon(1e-12));
}

TEST_CASE("teacher-student: the optimum embeds the teacher; the loss written out; derivatives") {
  const TeacherStudentConfig cfg{.teacher_widths = {2, 3, 1}, .student_widths = {2, 5, 1}, .rows = 200, .noise_sd = 0.1};
  const TeacherStudent ts(distributions::make_key(12), cfg);
  CHECK(ts.teacher().num_parameters() == 6 + 3 + 3 + 1);
  CHECK(ts.dimension() == 10 + 5 + 5 + 1);
  CHECK(ts.num_data() == 200);
  const auto& tp = ts.teacher_parameters();
  const auto& w_star = ts.optimum();
  // The student at w* computes the teacher.
  const Matrix<double> ys = ts.predict(w_star, ts.data().x);
  for (std::size_t i = 0; i < 200; ++i) {
    const std::vector<double> xi(ts.data().x.row(i), ts.data().x.row(i) + 2);
    CHECK(ys(i, 0) == doctest::Approx(mlp_by_hand({2, 3, 1}, tp, xi)[0]).epsilon(1e-13));
  }
  // Loss at w*: the mean squared noise.
  const double l_star = ts.loss(w_star);
  CHECK(l_star == doctest::Approx(loss_by_hand(ts, [&](const std::vector<double>& x) { return mlp_by_hand({2, 3, 1}, tp, x); }))
                      .epsilon(1e-12));
  CHECK(std::abs(l_star - 0.01) < 4 * 0.01 * std::sqrt(2.0 / 200));
  // At another point, against the student written out.
  const std::vector<double> w = model_checks::test_point(ts.dimension(), 0.6);
  CHECK(ts.loss(w) ==
        doctest::Approx(loss_by_hand(ts, [&](const std::vector<double>& x) { return mlp_by_hand({2, 5, 1}, w, x); }))
            .epsilon(1e-12));
  autodiff::DerivativeCheckOptions opt;
  const auto c = autodiff::check_derivatives([&](const auto& v) { return ts.loss(v); }, w, opt);
  CHECK_MESSAGE(c.ok, c.report());
  // Same widths: w* is the teacher's parameter vector itself; the data are reproducible.
  const TeacherStudent same(distributions::make_key(12), {.teacher_widths = {2, 3, 1}, .rows = 200, .noise_sd = 0.1});
  CHECK(same.optimum() == tp);
  CHECK(same.data().y(5, 0) == ts.data().y(5, 0));
  // Noiseless: L_n(w*) = 0 and w* is stationary.
  const TeacherStudent exact(distributions::make_key(2), {.teacher_widths = {3, 4, 2}, .student_widths = {3, 6, 2}, .rows = 50, .noise_sd = 0.0});
  CHECK(exact.loss(exact.optimum()) < 1e-28);
  const auto g = autodiff::gradient([&](const auto& v) { return exact.loss(v); }, std::span<const double>(exact.optimum()));
  for (double gi : g) CHECK(std::abs(gi) < 1e-14);
  // Bad widths.
  CHECK_THROWS_WITH_AS(TeacherStudent(distributions::make_key(1), {.teacher_widths = {2, 4, 1}, .student_widths = {2, 3, 1}}),
                       doctest::Contains("student width 1 is 3, the teacher's is 4"), tapir::size_error);
  CHECK_THROWS_WITH_AS(TeacherStudent(distributions::make_key(1), {.teacher_widths = {2, 4, 1}, .student_widths = {3, 4, 1}}),
                       doctest::Contains("inputs and outputs must match"), tapir::size_error);
  CHECK_THROWS_AS(TeacherStudent(distributions::make_key(1), {.teacher_widths = {2, 4, 1}, .student_widths = {2, 4, 4, 1}}),
                  tapir::size_error);
}

TEST_CASE("the localized tempered posterior through the Model handle") {
  const DeepLinearNetwork dln(distributions::make_key(21), {.widths = {2, 3, 2}, .rank = 1, .rows = 100});
  const LocalizedPosterior<DeepLinearNetwork> post{.target = dln, .gamma = 2.0};
  const Model m(post, "dln_local");
  CHECK(m.dimension() == 12);
  CHECK(m.parameters()[0].name == "w");
  const double beta = 1 / std::log(100.0);
  CHECK(post.temperature() == doctest::Approx(beta).epsilon(1e-15));
  CHECK(inverse_temperature(100, 2.0) == doctest::Approx(2 * beta).epsilon(1e-15));
  const std::vector<double> w = model_checks::test_point(12, 0.4);
  double dist2 = 0.0;
  for (std::size_t i = 0; i < 12; ++i) dist2 += std::pow(w[i] - dln.optimum()[i], 2);
  CHECK(m.log_density(w) == doctest::Approx(-100 * beta * dln.loss(w) - 1.0 * dist2).epsilon(1e-13));
  CHECK(m.log_density(dln.optimum()) == doctest::Approx(-100 * beta * dln.loss(dln.optimum())).epsilon(1e-13));
  model_checks::check_handle_derivatives(m, w, 1e-6, 4);
  model_checks::check_round_trip(m, w);
  // A given center and temperature.
  const LocalizedPosterior<DeepLinearNetwork> other{.target = dln, .beta = 0.5, .gamma = 1.0, .center = std::vector<double>(12, 0.1)};
  double d2 = 0.0;
  for (double v : w) d2 += (v - 0.1) * (v - 0.1);
  CHECK(Model(other, "o").log_density(w) == doctest::Approx(-50 * dln.loss(w) - 0.5 * d2).epsilon(1e-13));
  CHECK(llc_estimate(100, beta, 0.3, 0.2) == doctest::Approx(100 * beta * 0.1));
  CHECK_THROWS_AS(inverse_temperature(1), tapir::domain_error);
}
