// The tape: rewinding, bounded memory, nested scopes, node lifetimes, threads.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "autodiff/custom_op.hpp"
#include "autodiff/functional.hpp"

using namespace tapir::autodiff;

namespace {

auto model = [](const auto& x) {
  using T = typename std::decay_t<decltype(x)>::Scalar;
  T s = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) s += square(x[i + 1] - x[i] * x[i]) + log1p_exp(x[i]);
  return s;
};

std::vector<double> closed_form_gradient(const std::vector<double>& x) {
  std::vector<double> g(x.size(), 0.0);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double r = x[i + 1] - x[i] * x[i];
    g[i + 1] += 2 * r;
    g[i] += -4 * x[i] * r + inv_logit(x[i]);
  }
  return g;
}

}  // namespace

TEST_CASE("a gradient call leaves the tape as it found it") {
  Tape& t = tape();
  const index_t vars = t.size();
  const std::size_t statements = t.statements();
  std::vector<double> x = {0.3, -1.2, 0.8, 2.0};
  auto g = gradient(model, x);
  CHECK(t.size() == vars);
  CHECK(t.statements() == statements);
  auto expected = closed_form_gradient(x);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(g[i] == doctest::Approx(expected[i]).epsilon(1e-14));
}

TEST_CASE("memory stays flat over 10^5 gradient calls") {
  std::vector<double> x(50), g(50);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37 * static_cast<double>(i));
  for (int i = 0; i < 100; ++i) value_and_gradient(model, x, g);
  const std::size_t reserved = tape().bytes_reserved();
  double checksum = 0.0;
  for (int i = 0; i < 100000; ++i) {
    x[0] = 0.001 * (i % 100);
    checksum += value_and_gradient(model, x, g);
  }
  CHECK(tape().bytes_reserved() == reserved);
  CHECK(std::isfinite(checksum));
  auto expected = closed_form_gradient(x);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(g[i] == doctest::Approx(expected[i]).epsilon(1e-13));
}

TEST_CASE("a gradient taken inside another recording") {
  // Outer: F(a, b) = a * G(b) where G(b) = d/du [u^3 b] at u = 2 = 12 b, computed by an inner
  // gradient call in the middle of the outer recording. The inner result is data to the outer
  // tape, so dF/da = G(b) and dF/db = 0 (b enters only through a constant).
  Tape& t = tape();
  const Tape::Mark start = t.mark();
  Var a = Var::independent(1.5), b = Var::independent(-0.5);
  Var pre = a * b;  // recorded before the nested call
  const double bb = b.value();
  const double inner = gradient([bb](const auto& u) { return u[0] * u[0] * u[0] * bb; }, std::vector<double>{2.0})[0];
  CHECK(inner == doctest::Approx(12.0 * bb));
  Var y = a * inner + pre;  // continues the outer recording after the scope was rewound
  t.reverse_sweep(start, y.index());
  CHECK(a.adjoint() == doctest::Approx(inner + b.value()));
  CHECK(b.adjoint() == doctest::Approx(a.value()));
  t.rewind(start);
}

TEST_CASE("nested Hessian-vector products and gradients give the unnested results") {
  std::vector<double> x = {0.4, -0.3, 1.1}, v = {1.0, 2.0, -1.0};
  const HessianVectorProduct plain = hvp(model, x, v);
  // The same product requested from inside the recording of another gradient.
  std::vector<double> nested_hv;
  auto outer = [&](const auto& z) {
    if constexpr (std::is_same_v<typename std::decay_t<decltype(z)>::Scalar, Var>) {
      Var partial = z[0] * z[1];
      nested_hv = hvp(model, x, v).hvp;
      return partial * 2.0 + z[1];
    } else {
      return z[0] * z[1] * 2.0 + z[1];
    }
  };
  auto g = gradient(outer, std::vector<double>{3.0, 5.0});
  CHECK(g[0] == doctest::Approx(10.0));
  CHECK(g[1] == doctest::Approx(7.0));
  REQUIRE(nested_hv.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(nested_hv[i] == plain.hvp[i]);
}

TEST_CASE("backward gives the adjoints of a whole recording") {
  tape().clear();
  Var x = Var::independent(2.0), y = Var::independent(3.0);
  Var z = x * y + sin(x);
  backward(z);
  CHECK(x.adjoint() == doctest::Approx(3.0 + std::cos(2.0)));
  CHECK(y.adjoint() == doctest::Approx(2.0));
  tape().clear();
  CHECK(tape().size() == 1);
}

namespace {
std::atomic<int> live_rules{0};
struct CountedRules {
  std::vector<double> scratch = std::vector<double>(4);  // non-trivial: needs its destructor
  CountedRules() { ++live_rules; }
  CountedRules(const CountedRules& o) : scratch(o.scratch) { ++live_rules; }
  ~CountedRules() { --live_rules; }
  double value(std::span<const double, 1> x) const { return 2.0 * x[0]; }
  void gradient(std::span<const double, 1>, double, std::span<double, 1> g) const { g[0] = 2.0; }
  void hessian(std::span<const double, 1>, double, std::span<double, 1> h) const { h[0] = 0.0; }
};
}  // namespace

TEST_CASE("nodes are destroyed when their scope is rewound") {
  const int before = live_rules.load();
  {
    auto g = gradient([](const auto& x) { return custom_op(CountedRules{}, std::array{x[0]}) * x[0]; },
                      std::vector<double>{1.5});
    CHECK(g[0] == doctest::Approx(6.0));
  }
  CHECK(live_rules.load() == before);
}

TEST_CASE("concurrent gradients in several threads equal the serial results exactly") {
  const int n_points = 64;
  std::vector<std::vector<double>> points(n_points);
  for (int p = 0; p < n_points; ++p)
    for (int i = 0; i < 20; ++i) points[p].push_back(std::sin(0.1 * p + 0.7 * i));
  std::vector<std::vector<double>> serial(n_points), serial_hv(n_points);
  const std::vector<double> v(20, 1.0);
  for (int p = 0; p < n_points; ++p) {
    serial[p] = gradient(model, points[p]);
    serial_hv[p] = hvp(model, points[p], v).hvp;
  }
  const int n_threads = 4;
  std::vector<std::vector<std::vector<double>>> got(n_threads, std::vector<std::vector<double>>(n_points));
  std::vector<std::vector<std::vector<double>>> got_hv(n_threads, std::vector<std::vector<double>>(n_points));
  std::vector<std::thread> threads;
  for (int k = 0; k < n_threads; ++k)
    threads.emplace_back([&, k] {
      for (int rep = 0; rep < 50; ++rep)
        for (int q = 0; q < n_points; ++q) {
          const int p = (q + 7 * k) % n_points;  // each thread in its own order
          got[k][p] = gradient(model, points[p]);
          got_hv[k][p] = hvp(model, points[p], v).hvp;
        }
    });
  for (auto& th : threads) th.join();
  for (int k = 0; k < n_threads; ++k)
    for (int p = 0; p < n_points; ++p) {
      CHECK(got[k][p] == serial[p]);
      CHECK(got_hv[k][p] == serial_hv[p]);
    }
}

// The reverse sweep carries the adjoint it last wrote in a register; these recordings break the
// simple chain the carry is built for: a chain variable used again later, an operand used twice
// by one statement, and chains interleaved with vector nodes.
TEST_CASE("the reverse sweep's carried adjoint: reused chain values and repeated operands") {
  // s_k = s_{k-1} + x_k; y = s_n * s_3 + (s_5 + s_5) - x_0 * x_0 / x_0, so with S3 = x_0+..+x_3:
  // dy/dx_i = S3 + (i <= 3 ? s_n : 0) + (i <= 5 ? 2 : 0) - 1 (i == 0).
  auto f = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    T s = x[0], s3 = 0.0, s5 = 0.0;
    for (std::size_t k = 1; k < x.size(); ++k) {
      s += x[k];
      if (k == 3) s3 = s;
      if (k == 5) s5 = s;
    }
    return s * s3 + (s5 + s5) - x[0] * x[0] / x[0];
  };
  std::vector<double> x(12);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.3 + 0.1 * static_cast<double>(i);
  double sn = 0.0, s3 = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) sn += x[i];
  for (std::size_t i = 0; i <= 3; ++i) s3 += x[i];
  const auto r = value_and_gradient(f, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double want = s3 + (i <= 3 ? sn : 0.0) + (i <= 5 ? 2.0 : 0.0) - (i == 0 ? 1.0 : 0.0);
    CHECK(r.gradient[i] == doctest::Approx(want).epsilon(1e-14));
  }
}

TEST_CASE("every binary operation with the same variable as both operands") {
  const double x0 = 0.7;
  auto check = [x0](const char* name, auto op) {
    const auto g = gradient([&op](const auto& x) { return op(x[0], x[0]); }, std::vector<double>{x0});
    const double h = 1e-6;
    const double fd = (op(x0 + h, x0 + h) - op(x0 - h, x0 - h)) / (2 * h);
    INFO(name);
    CHECK(g[0] == doctest::Approx(fd).epsilon(1e-8));
  };
  check("add", [](const auto& a, const auto& b) { return a + b; });
  check("sub", [](const auto& a, const auto& b) { return a - b + 0.5 * a; });
  check("mul", [](const auto& a, const auto& b) { return a * b; });
  check("div", [](const auto& a, const auto& b) { return (a + 1.0) / b + a / b; });
  check("pow", [](const auto& a, const auto& b) { return pow(a, b); });
  check("atan2", [](const auto& a, const auto& b) { return atan2(a, b) + a; });
  check("hypot", [](const auto& a, const auto& b) { return hypot(a, b); });
  check("log_sum_exp", [](const auto& a, const auto& b) { return log_sum_exp(a, b); });
  check("fmax", [](const auto& a, const auto& b) { return fmax(a, b) + fmin(a, b); });
  check("chain of squares", [](const auto& a, const auto& b) {
    auto s = a * b;
    for (int k = 0; k < 3; ++k) s = s * s + s;
    return s;
  });
}
