// Neal's funnel, centered and non-centered (models/library/funnel.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "model_checks.hpp"
#include "models/library/funnel.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;

namespace {

const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);

double log_normal_density(double x, double mu, double sd) {
  return -0.5 * std::pow((x - mu) / sd, 2) - std::log(sd) - half_log_2pi;
}

// By hand: v ~ N(0, 3), x_i ~ N(0, exp(v/2)).
double funnel_centered(double v, const std::vector<double>& x) {
  double lp = log_normal_density(v, 0.0, 3.0);
  for (double xi : x) lp += log_normal_density(xi, 0.0, std::exp(v / 2));
  return lp;
}

}  // namespace

TEST_CASE("funnel: dimensions, names and the density against the closed form") {
  const Model c(Funnel{}, "funnel");
  CHECK(c.dimension() == 10);
  CHECK(c.parameters()[0].name == "v");
  CHECK(c.parameters()[1].name == "x");
  CHECK(c.outputs().empty());
  const Model nc(Funnel{.num_x = 9, .parameterization = FunnelParameterization::non_centered});
  CHECK(nc.dimension() == 10);
  CHECK(nc.parameters()[1].name == "z");
  REQUIRE(nc.outputs().size() == 1);
  CHECK(nc.outputs()[0].name == "x");
  CHECK(nc.constrained_names().back() == "x.9");

  const std::vector<double> p = model_checks::test_point(10, 1.4);
  const std::vector<double> xs(p.begin() + 1, p.end());
  CHECK(c.log_density(p) == doctest::Approx(funnel_centered(p[0], xs)).epsilon(1e-13));
  double nc_by_hand = log_normal_density(p[0], 0, 3);
  for (double z : xs) nc_by_hand += log_normal_density(z, 0, 1);
  CHECK(nc.log_density(p) == doctest::Approx(nc_by_hand).epsilon(1e-13));

  // Change of variables: x = exp(v/2) z has Jacobian exp(n v / 2), so
  // lp_nc(v, z) = lp_c(v, exp(v/2) z) + n v / 2.
  std::vector<double> xc = p;
  for (std::size_t i = 1; i < xc.size(); ++i) xc[i] = std::exp(p[0] / 2) * p[i];
  CHECK(nc.log_density(p) == doctest::Approx(c.log_density(xc) + 9 * p[0] / 2).epsilon(1e-12));
  // The output x is exp(v/2) z.
  const auto drawn = nc.constrain(p);
  REQUIRE(drawn.size() == 19);
  for (std::size_t i = 0; i < 9; ++i) CHECK(drawn[10 + i] == doctest::Approx(xc[i + 1]).epsilon(1e-14));

  // Other sizes.
  const Model small(Funnel{.num_x = 2});
  CHECK(small.dimension() == 3);
  CHECK(small.log_density(std::vector<double>{0.5, 1.0, -2.0}) ==
        doctest::Approx(funnel_centered(0.5, {1.0, -2.0})).epsilon(1e-13));
  const Model none(Funnel{.num_x = 0});
  CHECK(none.log_density(std::vector<double>{1.5}) == doctest::Approx(log_normal_density(1.5, 0, 3)).epsilon(1e-14));
}

TEST_CASE("funnel: gradients and Hessian-vector products through the handle; round trips") {
  for (auto param : {FunnelParameterization::centered, FunnelParameterization::non_centered}) {
    const Funnel f{.num_x = 9, .parameterization = param};
    const Model m(f);
    const std::vector<double> x = model_checks::test_point(10, 0.9);
    model_checks::check_handle_derivatives(m, x, 1e-6, 4);
    model_checks::check_definition_derivatives(f, x);
    model_checks::check_round_trip(m, x);
    // The centered funnel's Hessian at v: d^2/dx_i^2 = -exp(-v).
    if (param == FunnelParameterization::centered) {
      std::vector<double> v(10, 0.0), g(10), hv(10);
      v[3] = 1.0;
      m.hvp(x, v, g, hv);
      CHECK(hv[3] == doctest::Approx(-std::exp(-x[0])).epsilon(1e-12));
    }
  }
}

TEST_CASE("funnel: exact draws are reproducible and have the right moments") {
  const Funnel f{.num_x = 3};
  const distributions::Key key = distributions::make_key(42);
  distributions::Generator g1(key), g2(key);
  CHECK(f.draw(g1) == f.draw(g2));
  CHECK(f.draw(g1).size() == 4);
  distributions::Generator g(key);
  const int n = 40000;
  double sv = 0, svv = 0, sx = 0, sxx_small = 0;
  int count_small = 0;
  for (int i = 0; i < n; ++i) {
    const auto d = f.draw(g);
    sv += d[0];
    svv += d[0] * d[0];
    sx += d[1];
    if (d[0] < 0) {  // x | v < 0 has a bounded variance: E[exp(v) | v < 0] = 2 exp(9/2) Phi(-3)
      sxx_small += d[1] * d[1];
      ++count_small;
    }
  }
  const double mean_v = sv / n, var_v = svv / n - mean_v * mean_v;
  CHECK(std::abs(mean_v) < 4 * 3.0 / std::sqrt(n));
  CHECK(std::abs(var_v - 9.0) < 4 * 9.0 * std::sqrt(2.0 / n));
  CHECK(std::abs(sx / n) < 4 * std::exp(9.0 / 4) / std::sqrt(n));
  const double phi_m3 = 0.5 * std::erfc(3.0 / std::sqrt(2.0));
  const double expected = 2 * std::exp(4.5) * phi_m3;  // E[exp(v) | v < 0]
  CHECK(sxx_small / count_small == doctest::Approx(expected).epsilon(0.06));
}
