// The derivative checker finds wrong rules, names the index, and passes correct ones.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autodiff/custom_op.hpp"
#include "autodiff/derivative_check.hpp"

using namespace tapir::autodiff;

namespace {
// f(x, y) = x^2 y with rules that can be broken on purpose.
struct ProductRules {
  double gradient_error_y = 0.0;
  double hessian_error_xy = 0.0;
  double value(std::span<const double, 2> x) const { return x[0] * x[0] * x[1]; }
  void gradient(std::span<const double, 2> x, double, std::span<double, 2> g) const {
    g[0] = 2 * x[0] * x[1];
    g[1] = x[0] * x[0] + gradient_error_y;
  }
  void hessian(std::span<const double, 2> x, double, std::span<double, 4> h) const {
    h[0] = 2 * x[1];
    h[1] = h[2] = 2 * x[0] + hessian_error_xy;
    h[3] = 0.0;
  }
};
auto with_rules(const ProductRules& r) {
  return [r](const auto& x) { return custom_op(r, std::array{x[0], x[1]}) + 0.0 * x[2]; };
}
}  // namespace

TEST_CASE("correct rules pass") {
  const std::vector<double> x = {1.3, -0.7, 2.0};
  const DerivativeCheck c = check_derivatives(with_rules(ProductRules{}), x);
  CHECK(c.ok);
  CHECK(c.gradient_error < 1e-9);
  CHECK(c.hvp_error < 1e-9);
}

TEST_CASE("a wrong gradient rule is reported with its index") {
  const std::vector<double> x = {1.3, -0.7, 2.0};
  const DerivativeCheck c = check_derivatives(with_rules(ProductRules{0.01, 0.0}), x);
  CHECK_FALSE(c.ok);
  CHECK(c.gradient_index == 1);
  CHECK(c.gradient_error == doctest::Approx(0.01 / std::max(1.0, 1.3 * 1.3)).epsilon(1e-4));
  CHECK(c.report().find("MISMATCH") != std::string::npos);
}

TEST_CASE("a wrong Hessian rule is reported with its direction and index") {
  const std::vector<double> x = {1.3, -0.7, 2.0};
  const DerivativeCheck c = check_derivatives(with_rules(ProductRules{0.0, 0.5}), x);
  CHECK_FALSE(c.ok);
  CHECK(c.gradient_error < 1e-9);
  CHECK(c.hvp_error > 0.1);
  CHECK(c.hvp_index + c.hvp_direction == 1);  // the (0, 1) entry, seen from either side
}

TEST_CASE("a composite function of library operations passes at awkward points") {
  auto f = [](const auto& x) { return log1m_exp(-square(x[0])) + inv_Phi(inv_logit(x[1])) * digamma(x[2]); };
  for (const std::vector<double>& x : {std::vector<double>{0.3, 2.0, 0.7}, std::vector<double>{1.5, -6.0, 12.0}}) {
    const DerivativeCheck c = check_derivatives(f, x);
    INFO(c.report());
    CHECK(c.ok);
  }
}
