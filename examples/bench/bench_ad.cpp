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
#include "autodiff/reductions.hpp"
#include "distributions/normal.hpp"

namespace {

using tapir::autodiff::Vector;
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
  return sink == 12345.678 ? 1 : 0;
}
