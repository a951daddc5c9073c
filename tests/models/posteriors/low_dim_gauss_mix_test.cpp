// low_dim_gauss_mix-low_dim_gauss_mix against Stan; the mixture call against the program's loop.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "distributions/mixture.hpp"
#include "models/posteriors/low_dim_gauss_mix.hpp"
#include "posterior_test_support.hpp"

using namespace tapir_test::posteriors;
using tapir::models::posteriors::LowDimGaussMix;

namespace {
const std::string folder = "low_dim_gauss_mix-low_dim_gauss_mix";
auto make = [](const Data& d) { return LowDimGaussMix::from_data(d); };

double lnorm(double y, double m, double s) {
  return -0.5 * std::pow((y - m) / s, 2) - std::log(s) - 0.5 * std::log(2 * std::numbers::pi);
}

// The same model with the library's mixture density (several vector nodes) for the likelihood.
struct WithMixtureDensity {
  LowDimGaussMix m;
  template <class S>
  S log_density(tapir::models::ParameterReader<S>& p) const {
    using namespace tapir::distributions;
    const tapir::autodiff::Vector<S> mu = p.ordered("mu", 2);
    const tapir::autodiff::Vector<S> sigma = p.lower("sigma", 2, 0.0);
    const S theta = p.interval("theta", 0.0, 1.0);
    return normal_lpdf(sigma, 0.0, 2.0) + normal_lpdf(mu, 0.0, 2.0) + beta_lpdf(theta, 5.0, 5.0) +
           normal_mixture_lpdf(m.y, tapir::autodiff::Vector<S>{theta, 1.0 - theta}, mu, sigma);
  }
};
}  // namespace

TEST_CASE("low_dim_gauss_mix: Stan's density, gradient, constrained values; derivatives; round trips; names") {
  const Model model(make(reference_data(folder)), folder);
  CHECK(model.dimension() == 5);
  check_model(model, tapir_test::stan_reference::low_dim_gauss_mix, folder);
}

TEST_CASE("low_dim_gauss_mix: mu is ordered; the density is the program's loop of log_mix") {
  const LowDimGaussMix m = make(reference_data(folder));
  const Model model(m);
  const std::vector<double> x = {-2.5, 1.7, 0.1, -0.2, 0.4};
  const auto c = model.constrain(x);
  CHECK(c[0] == doctest::Approx(-2.5));
  CHECK(c[1] == doctest::Approx(-2.5 + std::exp(1.7)));
  const double mu1 = c[0], mu2 = c[1], s1 = c[2], s2 = c[3], theta = c[4];
  double lp = lnorm(s1, 0, 2) + lnorm(s2, 0, 2) + lnorm(mu1, 0, 2) + lnorm(mu2, 0, 2) +
              4 * std::log(theta) + 4 * std::log1p(-theta) - (2 * std::lgamma(5.0) - std::lgamma(10.0));
  for (std::size_t n = 0; n < m.N; ++n) {
    const double a = std::log(theta) + lnorm(m.y[n], mu1, s1), b = std::log1p(-theta) + lnorm(m.y[n], mu2, s2);
    lp += std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
  }
  // log-Jacobian: ordered (u_2), lower bounds (u_3 + u_4), interval (log theta (1 - theta)).
  lp += x[1] + x[2] + x[3] + std::log(theta) + std::log1p(-theta);
  CHECK(model.log_density(x) == doctest::Approx(lp).epsilon(1e-12));
}

TEST_CASE("low_dim_gauss_mix: the one-node likelihood equals normal_mixture_lpdf, with its derivatives") {
  const LowDimGaussMix m = make(reference_data(folder));
  const Model model(m), library(WithMixtureDensity{m});
  for (int k = 0; k < 6; ++k) {
    const std::vector<double> x = {-3.0 + 0.4 * k, 1.0 + 0.3 * std::sin(k), 0.5 * std::cos(k), -0.4 + 0.2 * k,
                                   2.0 * std::sin(0.9 * k)};
    INFO("point " << k);
    CHECK(model.log_density(x) == doctest::Approx(library.log_density(x)).epsilon(1e-12));
    std::vector<double> g1(5), g2(5), v = {0.3, -1.1, 0.6, 0.9, -0.5}, h1(5), h2(5);
    model.hvp(x, v, g1, h1);
    library.hvp(x, v, g2, h2);
    for (std::size_t i = 0; i < 5; ++i) {
      CHECK(g1[i] == doctest::Approx(g2[i]).epsilon(1e-10));
      CHECK(h1[i] == doctest::Approx(h2[i]).epsilon(1e-9));
    }
  }
}

TEST_CASE("low_dim_gauss_mix: data errors name the key") {
  const Data d = reference_data(folder);
  check_data_error(make, without(d, "N"), {"\"N\"", "missing"});
  check_data_error(make, shortened(d, "y"), {"\"y\"", "999", "1000"});
  check_data_error(make, with_element(d, "y", 99, "NaN-ish"), {"\"y\"", "element 100"});
}
