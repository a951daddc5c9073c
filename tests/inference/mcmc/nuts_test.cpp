// NUTS, HMC and Stan's adaptation on targets with known answers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "inference/mcmc/adaptation.hpp"
#include "inference/mcmc/divergence_report.hpp"
#include "inference/mcmc/sampler.hpp"

using namespace tapir;
using namespace tapir::inference::mcmc;
using models::Model;
using models::ParameterReader;
using namespace tapir::autodiff;

namespace {

// Independent normals with the given scales.
struct Gaussian {
  std::vector<double> scale;
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    auto x = p.vector("x", scale.size());
    T lp = 0.0;
    for (std::size_t i = 0; i < scale.size(); ++i) lp -= 0.5 * square(x[i] / scale[i]);
    return lp;
  }
};

// A correlated 2-D Gaussian (rho = 0.9, unit variances).
struct Correlated {
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    auto x = p.vector("x", 2);
    const double rho = 0.9;
    return -0.5 * (square(x[0]) - 2 * rho * x[0] * x[1] + square(x[1])) / (1 - rho * rho);
  }
};

// Neal's funnel, centred: v ~ N(0, 3), x_i ~ N(0, exp(v / 2)).
struct Funnel {
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    T v = p.real("v");
    auto x = p.vector("x", 9);
    T lp = -square(v / 3.0) / 2.0;
    for (std::size_t i = 0; i < 9; ++i) lp += -0.5 * square(x[i]) * exp(-v) - 0.5 * v;
    return lp;
  }
};

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Kolmogorov-Smirnov statistic of draws against the standard normal.
double ks_normal(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = normal_cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}
// KS critical value at alpha = 1e-3: sqrt(-log(alpha / 2) / 2) / sqrt(n).
double ks_critical(std::size_t n) { return std::sqrt(-std::log(0.5e-3) / 2.0) / std::sqrt(static_cast<double>(n)); }

}  // namespace

TEST_CASE("Stan's window schedule: 1000 warmup iterations end windows at 99, 149, 249, 449, 949") {
  WindowSchedule s(1000);
  std::vector<unsigned> ends;
  unsigned first_in = 0;
  bool seen = false;
  for (unsigned it = 0; it < 1000; ++it) {
    if (s.in_window() && !seen) {
      first_in = it;
      seen = true;
    }
    if (s.window_ends()) {
      ends.push_back(it);
      s.next_window();
    }
    s.advance();
  }
  CHECK(first_in == 75);
  CHECK(ends == std::vector<unsigned>{99, 149, 249, 449, 949});
  // Short warmups: 15% / 75% / 10% buffers; under 20 iterations no metric adaptation.
  WindowSchedule short_warmup(100);
  CHECK(short_warmup.init_buffer() == 15);
  CHECK(short_warmup.term_buffer() == 10);
  CHECK(short_warmup.base_window() == 75);
  CHECK_FALSE(WindowSchedule(19).adapts());
}

TEST_CASE("dual averaging converges to the step size that gives the target acceptance") {
  // Acceptance a(eps) = exp(-eps^2): the target 0.8 is reached at eps = sqrt(-log 0.8).
  StepSizeAdaptation a;
  a.mu = std::log(10.0);
  double eps = 1.0;
  for (int t = 0; t < 2000; ++t) eps = a.learn(std::exp(-eps * eps));
  CHECK(a.final_step_size() == doctest::Approx(std::sqrt(-std::log(0.8))).epsilon(0.02));
}

TEST_CASE("one NUTS transition from exact draws leaves the target invariant") {
  // Stationarity: if x0 ~ pi then x1 ~ pi after one transition, whatever the (fixed) step size.
  const Model model(Correlated{});
  distributions::Generator rng(distributions::make_key(7));
  NutsParameters params;
  params.metric = Metric::unit_diagonal(2);
  for (double step : {0.3, 0.9}) {
    params.step_size = step;
    std::vector<double> a, b;
    const std::size_t n = 4000;
    for (std::size_t k = 0; k < n; ++k) {
      const double z0 = distributions::standard_normal(rng), z1 = distributions::standard_normal(rng);
      const std::vector<double> x0 = {z0, 0.9 * z0 + std::sqrt(1 - 0.81) * z1};
      auto [next, info] = nuts_step(model, hmc_init(model, x0), params, rng);
      a.push_back(next.position[0]);
      b.push_back((next.position[1] - 0.9 * next.position[0]) / std::sqrt(1 - 0.81));
    }
    INFO("step size ", step);
    CHECK(ks_normal(a) < ks_critical(n));
    CHECK(ks_normal(b) < ks_critical(n));
  }
}

TEST_CASE("static HMC from exact draws leaves the target invariant") {
  const Model model(Gaussian{{1.0, 2.0}});
  distributions::Generator rng(distributions::make_key(8));
  const Metric metric = Metric::unit_diagonal(2);
  std::vector<double> a, b;
  const std::size_t n = 4000;
  for (std::size_t k = 0; k < n; ++k) {
    const std::vector<double> x0 = {distributions::standard_normal(rng), 2.0 * distributions::standard_normal(rng)};
    auto [next, info] = hmc_step(model, hmc_init(model, x0), 0.7, 5, metric, rng);
    a.push_back(next.position[0]);
    b.push_back(next.position[1] / 2.0);
  }
  CHECK(ks_normal(a) < ks_critical(n));
  CHECK(ks_normal(b) < ks_critical(n));
}

TEST_CASE("HMC and NUTS transitions leave a 100-dimensional standard normal invariant") {
  // Stationarity in 100 dimensions: from exact draws x0 ~ N(0, I), one transition (at a fixed step
  // size that accepts about 80%) must give draws from N(0, I) again. Every coordinate's mean and
  // variance is checked, and KS on each coordinate's draws and on the pooled coordinates (the
  // coordinates are independent under the target, so pooling is exact).
  const std::size_t d = 100, n = 2000;
  const Model model(Gaussian{std::vector<double>(d, 1.0)});
  const Metric metric = Metric::unit_diagonal(d);
  for (const bool nuts : {false, true}) {
    CAPTURE(nuts);
    distributions::Generator rng(distributions::make_key(nuts ? 21 : 20));
    NutsParameters params;
    params.metric = metric;
    params.step_size = 0.35;
    std::vector<std::vector<double>> by_coordinate(d);
    std::vector<double> pooled;
    double accept = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      std::vector<double> x0(d);
      for (double& e : x0) e = distributions::standard_normal(rng);
      HmcState next;
      if (nuts) {
        auto [state, info] = nuts_step(model, hmc_init(model, x0), params, rng);
        next = std::move(state);
        accept += info.accept_stat;
      } else {
        auto [state, info] = hmc_step(model, hmc_init(model, x0), params.step_size, 7, metric, rng);
        next = std::move(state);
        accept += info.accept_stat;
      }
      for (std::size_t i = 0; i < d; ++i) {
        by_coordinate[i].push_back(next.position[i]);
        pooled.push_back(next.position[i]);
      }
    }
    CHECK(accept / static_cast<double>(n) > 0.6);
    // Per-coordinate bounds at about 4.5 standard errors, so that 100 coordinates pass together.
    const double se_mean = 1.0 / std::sqrt(static_cast<double>(n)), se_var = std::sqrt(2.0 / static_cast<double>(n));
    int ks_failures = 0;
    for (std::size_t i = 0; i < d; ++i) {
      const auto& c = by_coordinate[i];
      const double m = std::accumulate(c.begin(), c.end(), 0.0) / static_cast<double>(n);
      double v = 0.0;
      for (double e : c) v += (e - m) * (e - m);
      v /= static_cast<double>(n - 1);
      CHECK(std::abs(m) < 4.5 * se_mean);
      CHECK(std::abs(v - 1.0) < 4.5 * se_var);
      if (ks_normal(c) > ks_critical(n)) ++ks_failures;
    }
    CHECK(ks_failures <= 2);  // alpha = 1e-3 each: 2 of 100 has probability below 0.5%
    CHECK(ks_normal(pooled) < ks_critical(pooled.size()));
  }
}

TEST_CASE("NUTS with adaptation samples a 100-dimensional standard normal") {
  const Model model(Gaussian{std::vector<double>(100, 1.0)});
  NutsConfig config;
  config.num_warmup = 500;
  config.num_samples = 1000;
  const auto chains = run_nuts(model, config, distributions::make_key(2026), 2, 2);
  std::vector<double> first, all_means;
  double mean_accept = 0.0, total = 0.0;
  for (const auto& c : chains) {
    for (const auto& r : c.rows) {
      mean_accept += r.accept_stat;
      total += 1.0;
    }
    for (const auto& d : c.draws) first.push_back(d[0]);
    for (const auto& d : c.divergences) CHECK(d.warmup);  // none after warmup
  }
  mean_accept /= total;
  CHECK(mean_accept == doctest::Approx(0.8).epsilon(0.1));
  // Moments of every coordinate: mean within 5 / sqrt(ESS ~ N) and variance near 1.
  for (std::size_t i = 0; i < 100; ++i) {
    double m = 0.0, v = 0.0, cnt = 0.0;
    for (const auto& c : chains)
      for (const auto& d : c.draws) {
        m += d[i];
        cnt += 1.0;
      }
    m /= cnt;
    for (const auto& c : chains)
      for (const auto& d : c.draws) v += (d[i] - m) * (d[i] - m);
    v /= cnt - 1.0;
    CHECK(std::abs(m) < 5.0 / std::sqrt(cnt) * 1.5);
    CHECK(v == doctest::Approx(1.0).epsilon(0.15));
  }
  // NUTS draws of a Gaussian are nearly independent: thin by 2 to be safe and test the marginal.
  std::vector<double> thinned;
  for (std::size_t k = 0; k < first.size(); k += 2) thinned.push_back(first[k]);
  CHECK(ks_normal(thinned) < ks_critical(thinned.size()));
}

TEST_CASE("the adapted diagonal metric recovers the posterior variances") {
  const Model model(Gaussian{{1.0, 10.0, 0.1}});
  NutsConfig config;
  const auto chains = run_nuts(model, config, distributions::make_key(11), 1, 1);
  const auto& inv = chains[0].metric.inverse_diagonal();
  CHECK(inv[0] == doctest::Approx(1.0).epsilon(0.3));
  CHECK(inv[1] == doctest::Approx(100.0).epsilon(0.3));
  CHECK(inv[2] == doctest::Approx(0.01).epsilon(0.3));
  // With the scales learned, trajectories are short.
  double depth = 0.0;
  for (const auto& r : chains[0].rows) depth += r.tree_depth;
  CHECK(depth / static_cast<double>(chains[0].rows.size()) < 3.5);
}

TEST_CASE("dense metric adaptation on a correlated target") {
  const Model model(Correlated{});
  NutsConfig config;
  config.dense_metric = true;
  const auto chains = run_nuts(model, config, distributions::make_key(12), 1, 1);
  const auto& m = chains[0].metric.inverse_dense();
  CHECK(m(0, 1) == doctest::Approx(0.9).epsilon(0.15));
  CHECK(m(0, 0) == doctest::Approx(1.0).epsilon(0.2));
}

TEST_CASE("the same key gives bit-identical chains whatever the number of threads") {
  const Model model(Correlated{});
  NutsConfig config;
  config.num_warmup = 200;
  config.num_samples = 200;
  const auto serial = run_nuts(model, config, distributions::make_key(99), 3, 1);
  const auto parallel = run_nuts(model, config, distributions::make_key(99), 3, 3);
  for (int c = 0; c < 3; ++c) {
    REQUIRE(serial[c].draws.size() == parallel[c].draws.size());
    CHECK(serial[c].draws == parallel[c].draws);
    CHECK(serial[c].step_size == parallel[c].step_size);
  }
  CHECK(serial[0].draws != serial[1].draws);
}

TEST_CASE("the centred funnel diverges, in its neck") {
  const Model model(Funnel{});
  const auto chains = run_nuts(model, NutsConfig{}, distributions::make_key(5), 4, 2);
  std::vector<double> v_div, v_draws;
  for (const auto& c : chains) {
    for (const auto& d : c.divergences)
      if (!d.warmup) v_div.push_back(d.unconstrained[0]);
    for (const auto& d : c.draws) v_draws.push_back(d[0]);
  }
  REQUIRE(v_div.size() >= 3);
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  // After warmup the divergences start where v is small: the narrow neck.
  CHECK(median(v_div) < median(v_draws) - 1.5);
  CHECK(median(v_div) < -1.0);
  // The report names v as the parameter the divergences are shifted along.
  const DivergenceReport report = divergence_report(model, chains);
  CHECK(report.divergences == v_div.size());
  REQUIRE_FALSE(report.locations.empty());
  CHECK(report.locations[0].parameter == "v");
  CHECK(report.locations[0].shift < -1.0);
  CHECK(report.text().find("after warmup ended with a divergence") != std::string::npos);
}

namespace {
struct HalfLine {
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    T x = p.real("x");
    return x > 1.5 ? T(-x) : T(-INFINITY);
  }
};
struct Nowhere {
  template <class T>
  T log_density(ParameterReader<T>& p) const {
    return p.real("x") * 0.0 + T(NAN);
  }
};
}  // namespace

TEST_CASE("initialization retries until the density is finite, and reports when it never is") {
  const Model model(HalfLine{});
  distributions::Generator rng(distributions::make_key(3));
  const auto x = random_initialization(model, rng, 2.0);
  CHECK(x[0] > 1.5);
  CHECK_THROWS_WITH_AS(random_initialization(Model(Nowhere{}, "nowhere"), rng, 2.0),
                       doctest::Contains("nowhere: no finite initial point"), tapir::domain_error);
}
