// SGLD against closed-form Gaussian posteriors: full batch, minibatches, tempering, localization,
// preconditioning.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "inference/mcmc/sgld.hpp"

using namespace tapir;
using namespace tapir::inference::mcmc;
using autodiff::Vector;

namespace {
// y_i ~ N(w, 1), i < n, with prior w ~ N(0, 10^2): posterior N(m, s^2) with precision n + 0.01.
struct GaussianMean {
  std::vector<double> y;
  std::size_t dimension() const { return 1; }
  std::size_t num_data() const { return y.size(); }
  template <class T>
  T log_prior(const Vector<T>& w) const {
    return -0.5 * w[0] * w[0] / 100.0;
  }
  template <class T>
  T log_likelihood(const Vector<T>& w, std::size_t i) const {
    return -0.5 * (y[i] - w[0]) * (y[i] - w[0]);
  }
};

GaussianMean data(std::size_t n) {
  distributions::Generator g(distributions::make_key(4));
  GaussianMean m;
  for (std::size_t i = 0; i < n; ++i) m.y.push_back(1.5 + distributions::standard_normal(g));
  return m;
}

// Long-run mean and variance of the chain after burn-in.
std::pair<double, double> moments(const MinibatchTarget& t, const SgldConfig& c, std::size_t steps, unsigned seed) {
  distributions::Generator rng(distributions::make_key(seed));
  SgldState s = sgld_init({0.0});
  double sum = 0, sum2 = 0, count = 0;
  for (std::size_t k = 0; k < steps; ++k) {
    s = sgld_step(t, s, c, rng).first;
    if (k > steps / 10) {
      sum += s.position[0];
      sum2 += s.position[0] * s.position[0];
      count += 1;
    }
  }
  const double m = sum / count;
  return {m, sum2 / count - m * m};
}
}  // namespace

TEST_CASE("full-batch SGLD with a small step samples the Gaussian posterior") {
  const GaussianMean m = data(100);
  const MinibatchModel<GaussianMean> target(m);
  double ybar = 0;
  for (double v : m.y) ybar += v;
  const double precision = 100.0 + 0.01, mean = ybar / precision;
  SgldConfig c;
  c.batch_size = 100;
  c.step_size = 1e-3;
  auto [mu, var] = moments(target, c, 200000, 1);
  CHECK(mu == doctest::Approx(mean).epsilon(0.01));
  CHECK(var == doctest::Approx(1.0 / precision).epsilon(0.1));
}

TEST_CASE("tempering and localization give the closed-form Gaussian") {
  // log pi = prior + beta * lik - gamma/2 (w - w*)^2: precision 0.01 + beta n + gamma,
  // mean (beta sum y + gamma w*) / precision.
  const GaussianMean m = data(50);
  const MinibatchModel<GaussianMean> target(m);
  double sy = 0;
  for (double v : m.y) sy += v;
  SgldConfig c;
  c.batch_size = 50;
  c.step_size = 2e-3;
  c.temperature = 0.2;
  c.localization = 40.0;
  c.center = {-1.0};
  const double precision = 0.01 + 0.2 * 50 + 40.0, mean = (0.2 * sy - 40.0) / precision;
  auto [mu, var] = moments(target, c, 200000, 2);
  CHECK(mu == doctest::Approx(mean).epsilon(0.02));
  CHECK(var == doctest::Approx(1.0 / precision).epsilon(0.12));
}

TEST_CASE("minibatch SGLD is centred on the posterior mean; preconditioned variants too") {
  const GaussianMean m = data(1000);
  const MinibatchModel<GaussianMean> target(m);
  double sy = 0;
  for (double v : m.y) sy += v;
  const double mean = sy / (1000.0 + 0.01);
  for (Preconditioner p : {Preconditioner::none, Preconditioner::rmsprop, Preconditioner::adam}) {
    SgldConfig c;
    c.batch_size = 100;
    c.step_size = p == Preconditioner::none ? 1e-4 : 1e-4 * 30.0;
    c.preconditioner = p;
    auto [mu, var] = moments(target, c, 60000, 3);
    INFO("preconditioner ", static_cast<int>(p));
    CHECK(std::abs(mu - mean) < 0.02);
    CHECK(var > 0.0);
    CHECK(var < 0.01);  // the posterior sd is 0.03; minibatch noise inflates it moderately
  }
}

TEST_CASE("decaying step sizes follow a (b + t)^-decay") {
  const MinibatchModel<GaussianMean> target(data(10));
  SgldConfig c;
  c.step_size = 0.1;
  c.step_offset = 10.0;
  c.step_decay = 0.55;
  distributions::Generator rng(distributions::make_key(9));
  SgldState s = sgld_init({0.0});
  for (int k = 0; k < 5; ++k) {
    auto [next, info] = sgld_step(target, s, c, rng);
    CHECK(info.step_size == doctest::Approx(0.1 * std::pow(10.0 + k, -0.55)));
    s = next;
  }
  CHECK_THROWS_AS(sgld_step(target, sgld_init({0.0, 1.0}), c, rng), tapir::size_error);
}
