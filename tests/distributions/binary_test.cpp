// bernoulli_lpmf, bernoulli_logit_lpmf, binomial_lpmf, binomial_logit_lpmf, categorical_logit_lpmf:
// SciPy reference values, the pmf sums to 1, propto, derivatives of every Var/data combination,
// support and argument errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/bernoulli.hpp"
#include "distributions/binomial.hpp"
#include "distributions/categorical.hpp"
#include "helpers.hpp"

using namespace dist_test;
using namespace tapir::distributions;
namespace tv = tapir_test_vectors;

namespace {
const auto bernoulli = [](auto p, const auto&... a) { return bernoulli_lpmf<decltype(p)::value>(a...); };
const auto bernoulli_logit = [](auto p, const auto&... a) { return bernoulli_logit_lpmf<decltype(p)::value>(a...); };
const auto binomial = [](auto p, const auto&... a) { return binomial_lpmf<decltype(p)::value>(a...); };
const auto binomial_logit = [](auto p, const auto&... a) { return binomial_logit_lpmf<decltype(p)::value>(a...); };
int I(double x) { return static_cast<int>(x); }
}  // namespace

TEST_CASE("bernoulli, binomial, categorical: SciPy reference values") {
  check_reference("bernoulli_lpmf", tv::bernoulli_lpmf, [](const double* x) { return bernoulli_lpmf(I(x[0]), x[1]); }, 1e-14);
  check_reference("bernoulli_logit_lpmf", tv::bernoulli_logit_lpmf,
                  [](const double* x) { return bernoulli_logit_lpmf(I(x[0]), x[1]); }, 1e-14);
  check_reference("binomial_lpmf", tv::binomial_lpmf,
                  [](const double* x) { return binomial_lpmf(I(x[0]), I(x[1]), x[2]); }, 1e-14);
  check_reference("binomial_logit_lpmf", tv::binomial_logit_lpmf,
                  [](const double* x) { return binomial_logit_lpmf(I(x[0]), I(x[1]), x[2]); }, 1e-14);
  check_reference("categorical_logit_lpmf", tv::categorical_logit_lpmf, [](const double* x) {
    return categorical_logit_lpmf(I(x[0]), std::vector<double>{x[1], x[2], x[3], x[4], x[5]});
  }, 1e-14);
}

TEST_CASE("bernoulli, binomial, categorical: the pmf sums to 1") {
  for (double p : {0.3, 0.999}) {
    CHECK(std::exp(bernoulli_lpmf(0, p)) + std::exp(bernoulli_lpmf(1, p)) == doctest::Approx(1.0).epsilon(1e-15));
    const double a = std::log(p / (1 - p));
    CHECK(std::exp(bernoulli_logit_lpmf(0, a)) + std::exp(bernoulli_logit_lpmf(1, a)) ==
          doctest::Approx(1.0).epsilon(1e-15));
    double s = 0.0, t = 0.0;
    for (int n = 0; n <= 30; ++n) {
      s += std::exp(binomial_lpmf(n, 30, p));
      t += std::exp(binomial_logit_lpmf(n, 30, a));
    }
    CHECK(s == doctest::Approx(1.0).epsilon(1e-14));
    CHECK(t == doctest::Approx(1.0).epsilon(1e-14));
  }
  const std::vector<double> beta{0.3, -1.2, 2.5, 0.0};
  double s = 0.0;
  for (int k = 0; k < 4; ++k) s += std::exp(categorical_logit_lpmf(k, beta));
  CHECK(s == doctest::Approx(1.0).epsilon(1e-15));
}

TEST_CASE("bernoulli, binomial, categorical: propto drops exactly the constant terms") {
  NestedScope scope;
  const Vector<Var> th = vars({0.3, 0.6, 0.45}), al = vars({0.3, -1.2, 2.0});
  const Vector<int> n{0, 3, 5}, N{4, 5, 5}, b{0, 1, 1};
  CHECK(bernoulli_lpmf(b, th).value() == bernoulli_lpmf<true>(b, th).value());
  CHECK(bernoulli_logit_lpmf(b, al).value() == bernoulli_logit_lpmf<true>(b, al).value());
  const double lc = std::log(10.0);  // log C(4,0) + log C(5,3) + log C(5,5)
  CHECK(binomial_lpmf(n, N, th).value() - binomial_lpmf<true>(n, N, th).value() == doctest::Approx(lc).epsilon(1e-14));
  CHECK(binomial_logit_lpmf(n, N, al).value() - binomial_logit_lpmf<true>(n, N, al).value() ==
        doctest::Approx(lc).epsilon(1e-14));
  CHECK(categorical_logit_lpmf(2, al).value() == categorical_logit_lpmf<true>(2, al).value());
  CHECK(binomial_lpmf<true>(n, N, 0.3) == 0.0);
}

TEST_CASE("bernoulli, binomial: derivatives in every Var/data combination") {
  const std::vector<double> b{0, 1, 1, 0}, n{0, 3, 5, 2}, N{7, 5, 5, 7}, theta{0.3, 0.6, 0.45, 0.2},
      alpha{0.3, -1.2, 2.0, 0.5};
  check_all_combos<1u>("bernoulli_lpmf", bernoulli, std::array{b, theta});
  check_all_combos<1u>("bernoulli_logit_lpmf", bernoulli_logit, std::array{b, alpha});
  check_all_combos<3u>("binomial_lpmf", binomial, std::array{n, N, theta});
  check_all_combos<3u>("binomial_logit_lpmf", binomial_logit, std::array{n, N, alpha});
}

TEST_CASE("categorical_logit_lpmf: value, derivatives, one node, scalar twins") {
  const std::vector<double> beta{0.3, -1.2, 2.0, 0.5};
  const std::vector<int> ks{2, 0, 2, 3};
  const auto vectorized = [&](const auto& x) { return categorical_logit_lpmf(ks, x); };
  const auto loop = [&](const auto& x) {
    typename std::decay_t<decltype(x)>::Scalar s = 0.0;
    for (int k : ks) s += categorical_logit_lpmf(k, x);
    return s;
  };
  const DerivativeCheck c = check_derivatives(vectorized, beta);
  CHECK_MESSAGE(c.ok, c.report());
  const std::vector<double> v{0.4, -1.0, 0.3, 2.0};
  const HessianVectorProduct a = hvp(vectorized, beta, v), b = hvp(loop, beta, v);
  double lse = 0.0;
  for (double e : beta) lse += std::exp(e);
  lse = std::log(lse);
  CHECK(a.value == doctest::Approx(2.0 + 0.3 + 2.0 + 0.5 - 4 * lse).epsilon(1e-15));
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(a.gradient[i] == doctest::Approx(b.gradient[i]).epsilon(1e-14));
    CHECK(a.hvp[i] == doctest::Approx(b.hvp[i]).epsilon(1e-14));
  }
  const ValueAndDerivative d = directional_derivative(vectorized, beta, v);
  double gv = 0.0;
  for (std::size_t i = 0; i < 4; ++i) gv += a.gradient[i] * v[i];
  CHECK(d.derivative == doctest::Approx(gv).epsilon(1e-14));
  NestedScope scope;
  const Vector<Var> x = vars(beta);
  const std::size_t before = tape().statements();
  (void)categorical_logit_lpmf(Vector<int>{1, 2}, x);
  CHECK(tape().statements() - before == 1);
}

TEST_CASE("bernoulli, binomial, categorical: support and argument errors") {
  CHECK(bernoulli_lpmf(2, 0.5) == -INFINITY);
  CHECK(bernoulli_logit_lpmf(std::vector<int>{0, -1}, 0.5) == -INFINITY);
  CHECK(binomial_lpmf(6, 5, 0.5) == -INFINITY);
  CHECK(binomial_logit_lpmf(std::vector<int>{1, -1}, 5, 0.5) == -INFINITY);
  CHECK(binomial_lpmf(0, 5, 0.0) == 0.0);
  CHECK(binomial_lpmf(5, 5, 1.0) == 0.0);
  CHECK(categorical_logit_lpmf(4, std::vector<double>{0.0, 1.0, 2.0, 3.0}) == -INFINITY);
  CHECK(categorical_logit_lpmf(std::vector<int>{0, -1}, std::vector<double>{0.0, 1.0}) == -INFINITY);
  check_domain_error([] { bernoulli_lpmf(1, 1.5); }, "bernoulli_lpmf", "probability theta");
  check_domain_error([] { bernoulli_logit_lpmf(1, NAN); }, "bernoulli_logit_lpmf", "log odds alpha");
  check_domain_error([] { binomial_lpmf(1, std::vector<int>{3, -1}, 0.5); }, "binomial_lpmf", "number of trials N[1]");
  check_domain_error([] { binomial_logit_lpmf(1, 3, INFINITY); }, "binomial_logit_lpmf", "log odds alpha");
  check_domain_error([] { categorical_logit_lpmf(0, std::vector<double>{0.0, INFINITY}); }, "categorical_logit_lpmf",
                     "logits beta[1]");
  check_domain_error([] { categorical_logit_lpmf(0, std::vector<double>{}); }, "categorical_logit_lpmf", "logits beta");
  check_size_error([] { bernoulli_lpmf(std::vector<int>{0, 1}, std::vector<double>{0.5}); }, "bernoulli_lpmf");
  check_size_error([] { binomial_lpmf(std::vector<int>{0, 1}, std::vector<int>{2, 2, 2}, 0.5); }, "binomial_lpmf");
}
