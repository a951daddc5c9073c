// The AD benchmark suite of ../shared/bench/SPEC.md: one JSON line per entry,
//   {"lib":"tapir","name":...,"n":...,"f_ns":...,"grad_ns":...,"hvp_ns":...}
// f on double, value-and-gradient and Hessian-vector product (v = 1) with recording inside the
// timing, each the best of 3 repetitions of a loop that runs at least 0.1 s.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "autodiff/functional.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/reductions.hpp"
#include "distributions/bernoulli.hpp"
#include "distributions/normal.hpp"  // scalar and vectorized normal_lpdf

namespace {

using tapir::autodiff::Matrix;
using tapir::autodiff::Vector;

// Copies n entries of x from offset k into a Vector (copies of Vars cost no tape).
template <class V>
auto take_vector(const V& x, std::size_t& k, std::size_t n) {
  Vector<typename V::Scalar> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = x[k + i];
  k += n;
  return v;
}
template <class V>
auto take_matrix(const V& x, std::size_t& k, std::size_t rows, std::size_t cols) {
  Matrix<typename V::Scalar> m(rows, cols);
  for (std::size_t i = 0; i < rows * cols; ++i) m.data()[i] = x[k + i];
  k += rows * cols;
  return m;
}
using Clock = std::chrono::steady_clock;

template <class F>
double time_ns(F&& f, double min_seconds = 0.1) {
  f();
  long iters = 1;
  for (;;) {
    auto t0 = Clock::now();
    for (long i = 0; i < iters; ++i) f();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s >= min_seconds) break;
    iters = s < min_seconds / 8 ? iters * 8 : static_cast<long>(iters * 1.2 * min_seconds / s) + 1;
  }
  double best = 1e300;
  for (int r = 0; r < 3; ++r) {
    auto t0 = Clock::now();
    for (long i = 0; i < iters; ++i) f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count() / iters);
  }
  return best * 1e9;
}

volatile double sink = 0;

template <class F>
void run(const char* name, long n, const F& f, const std::vector<double>& x, bool with_hvp) {
  Vector<double> xd(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) xd[i] = x[i];
  double f_ns = time_ns([&] { sink = sink + static_cast<double>(f(xd)); });
  std::vector<double> g(x.size()), hv(x.size()), v(x.size(), 1.0);
  double g_ns = time_ns([&] { sink = sink + tapir::autodiff::value_and_gradient(f, x, g) + g[0]; });
  double h_ns = -1;
  if (with_hvp)
    h_ns = time_ns([&] { sink = sink + tapir::autodiff::hvp(f, x, v, g, hv) + hv[0]; });
  std::printf("{\"lib\":\"tapir\",\"name\":\"%s\",\"n\":%ld,\"f_ns\":%.1f,\"grad_ns\":%.1f,\"hvp_ns\":%.1f}\n",
              name, n, f_ns, g_ns, h_ns);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else {
      std::fprintf(stderr, "usage: bench_ad --json\n");
      return 2;
    }
  }
  if (!json) std::fprintf(stderr, "bench_ad: printing JSON lines (pass --json to silence this note)\n");
  using namespace tapir::autodiff;
  using tapir::distributions::normal_lpdf;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  auto randn = [&](long n) {
    std::vector<double> v(n);
    for (auto& e : v) e = normal(rng);
    return v;
  };

  for (long n : {64L, 1024L, 16384L}) {
    run("sum_iter", n, [](const auto& x) {
      typename std::decay_t<decltype(x)>::Scalar s = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i) s += x[i];
      return s;
    }, randn(n), false);
    std::vector<double> near_one = randn(n);
    for (auto& e : near_one) e = 1.0 + 1e-3 * e;
    run("prod_iter", n, [](const auto& x) {
      typename std::decay_t<decltype(x)>::Scalar s = 1.0;
      for (std::size_t i = 0; i < x.size(); ++i) s *= x[i];
      return s;
    }, near_one, false);
    run("log_sum_exp", n, [](const auto& x) { return log_sum_exp(x); }, randn(n), true);
    std::vector<double> y = randn(n);
    const Vector<double> yv(std::span<const double>(y.data(), y.size()));
    run("normal_lpdf", n, [&yv](const auto& p) { return normal_lpdf(yv, p[0], exp(p[1])); },
        std::vector<double>{0.3, 0.1}, true);
    run("normal_lpdf_iter", n, [&y](const auto& p) {
      using T = typename std::decay_t<decltype(p)>::Scalar;
      T lp = 0.0;
      T sigma = exp(p[1]);
      for (double yi : y) lp += normal_lpdf(yi, p[0], sigma);
      return lp;
    }, std::vector<double>{0.3, 0.1}, true);
  }
  for (long T : {100L, 1000L}) {
    std::vector<double> y = randn(T);
    for (auto& e : y) e *= 0.5;
    std::vector<double> theta = randn(T + 3);
    for (auto& e : theta) e *= 0.1;
    run("stoch_vol", T + 3, [&y, T](const auto& x) {
      using S = typename std::decay_t<decltype(x)>::Scalar;
      S mu = x[0], phi = tanh(x[1]), sigma = exp(x[2]);
      S lp = normal_lpdf(mu, 0.0, 10.0) + normal_lpdf(x[1], 0.0, 1.0) + normal_lpdf(x[2], 0.0, 1.0);
      S h = mu + sigma * x[3] / sqrt(1.0 - phi * phi);
      lp += normal_lpdf(x[3], 0.0, 1.0) + normal_lpdf(y[0], 0.0, exp(h / 2.0));
      for (long t = 1; t < T; ++t) {
        h = mu + phi * (h - mu) + sigma * x[3 + t];
        lp += normal_lpdf(x[3 + t], 0.0, 1.0) + normal_lpdf(y[t], 0.0, exp(h / 2.0));
      }
      return lp;
    }, theta, true);
  }
  for (long m : {8L, 32L, 128L}) {
    run("matmul", m, [m](const auto& x) {
      std::size_t k = 0;
      auto a = take_matrix(x, k, m, m);
      auto b = take_matrix(x, k, m, m);
      return sum(multiply(a, b));
    }, randn(2 * m * m), false);
  }
  {
    // regression: y ~ N(X w + b, exp(s)), w ~ N(0, 1), b ~ N(0, 1), s ~ N(0, 1); X is 1000 x 150.
    const std::size_t rows = 1000, p = 150;
    Matrix<double> X(rows, p);
    for (std::size_t i = 0; i < rows * p; ++i) X.data()[i] = normal(rng);
    const std::vector<double> yv = randn(rows);
    const Vector<double> y(std::span<const double>(yv.data(), yv.size()));
    std::vector<double> theta = randn(p + 2);
    for (auto& e : theta) e *= 0.1;
    const double c = tapir::autodiff::ops::half_log_two_pi;
    run("regression", static_cast<long>(p + 2), [&X, &y, p, c](const auto& x) {
      std::size_t k = 0;
      auto w = take_vector(x, k, p);
      const auto& b = x[p];
      const auto& s = x[p + 1];
      auto lp = -0.5 * (squared_norm(w) + b * b + s * s) - static_cast<double>(p + 2) * c;
      return lp + normal_lpdf(y, multiply(X, w) + b, exp(s));
    }, theta, true);
    // logistic regression: y ~ bernoulli_logit(X w), w ~ N(0, 1).
    std::vector<int> yb(rows);
    for (std::size_t i = 0; i < rows; ++i) yb[i] = normal(rng) > 0 ? 1 : 0;
    std::vector<double> w0 = randn(p);
    for (auto& e : w0) e *= 0.1;
    run("logistic", static_cast<long>(p), [&X, &yb, p, c](const auto& w) {
      return -0.5 * squared_norm(w) - static_cast<double>(p) * c +
             tapir::distributions::bernoulli_logit_lpmf(yb, multiply(X, w));
    }, w0, true);
  }
  {
    // MLP regression loss: tanh layers 8-32-32-1 on a batch of 256 rows, mean squared error.
    const std::size_t din = 8, h = 32, batch = 256;
    Matrix<double> Xb(batch, din);
    for (std::size_t i = 0; i < batch * din; ++i) Xb.data()[i] = normal(rng);
    const std::vector<double> yv = randn(batch);
    const Vector<double> y(std::span<const double>(yv.data(), yv.size()));
    const std::size_t np = din * h + h + h * h + h + h + 1;
    std::vector<double> w = randn(np);
    for (auto& e : w) e *= 0.2;
    run("mlp", static_cast<long>(np), [&Xb, &y, din, h, batch](const auto& x) {
      std::size_t k = 0;
      auto W1 = take_matrix(x, k, din, h);
      auto b1 = take_vector(x, k, h);
      auto W2 = take_matrix(x, k, h, h);
      auto b2 = take_vector(x, k, h);
      auto w3 = take_vector(x, k, h);
      const auto& b3 = x[k];
      auto H1 = tanh(add_rowwise(multiply(Xb, W1), b1));
      auto H2 = tanh(add_rowwise(multiply(H1, W2), b2));
      return squared_norm(multiply(H2, w3) + b3 - y) / static_cast<double>(batch);
    }, w, true);
  }
  return sink == 12345.678 ? 1 : 0;
}
