// Diagnostics on long simulated chains against their large-sample closed forms, with seeded
// tapir random streams (so every run sees the same draws) and tolerances a few standard errors of
// the estimators wide.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "distributions/random.hpp"
#include "inference/diagnostics/ebfmi.hpp"
#include "inference/diagnostics/ess.hpp"
#include "inference/diagnostics/mcse.hpp"
#include "inference/diagnostics/rhat.hpp"
#include "inference/diagnostics/summary.hpp"

using namespace tapir::inference::diagnostics;
namespace dist = tapir::distributions;

namespace {

// M chains of stationary AR(1): x_0 ~ N(0, 1 / (1 - phi^2)), x_t = phi x_{t-1} + e_t. Its
// integrated autocorrelation time is (1 + phi) / (1 - phi), so ESS / (M N) -> (1 - phi) / (1 + phi).
Draws ar1(std::size_t m, std::size_t n, double phi, std::uint64_t seed, double shift_last_chain = 0.0) {
  Draws d(m, n);
  const auto keys = dist::split(dist::make_key(seed), m);
  for (std::size_t c = 0; c < m; ++c) {
    dist::Generator g(keys[c]);
    double x = dist::standard_normal(g) / std::sqrt(1.0 - phi * phi);
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) x = phi * x + dist::standard_normal(g);
      d(c, i) = x + (c + 1 == m ? shift_last_chain : 0.0);
    }
  }
  return d;
}

}  // namespace

TEST_CASE("ESS of independent normal draws is about the number of draws") {
  const Draws d = ar1(4, 5000, 0.0, 11);
  const double s = 20000.0;
  CHECK(ess_basic(d) / s == doctest::Approx(1.0).epsilon(0.08));
  CHECK(ess_bulk(d) / s == doctest::Approx(1.0).epsilon(0.08));
  CHECK(ess_tail(d) / s == doctest::Approx(1.0).epsilon(0.12));
  // MCSE of the mean -> 1 / sqrt(S); of the sd -> 1 / sqrt(2 S) for a unit normal; of the median
  // -> sqrt(1/4 / S) / phi(0) = sqrt(pi / 2) / sqrt(S).
  CHECK(mcse_mean(d) * std::sqrt(s) == doctest::Approx(1.0).epsilon(0.06));
  CHECK(mcse_sd(d) * std::sqrt(2.0 * s) == doctest::Approx(1.0).epsilon(0.08));
  CHECK(mcse_quantile(d, 0.5) * std::sqrt(s) == doctest::Approx(std::sqrt(M_PI / 2.0)).epsilon(0.15));
}

TEST_CASE("ESS of AR(1) chains approaches (1 - phi) / (1 + phi) of the draws") {
  struct Setting {
    double phi;
    std::size_t n;
    double tolerance;
  };
  for (const Setting& st : {Setting{0.5, 50000, 0.06}, Setting{0.9, 100000, 0.1}, Setting{-0.5, 50000, 0.06}}) {
    CAPTURE(st.phi);
    const Draws d = ar1(4, st.n, st.phi, 23);
    const double ratio = (1.0 - st.phi) / (1.0 + st.phi);
    const double s = 4.0 * static_cast<double>(st.n);
    CHECK(ess_basic(d) / s == doctest::Approx(ratio).epsilon(st.tolerance));
    // Rank normalization of a Gaussian process keeps its autocorrelation nearly unchanged.
    CHECK(ess_bulk(d) / s == doctest::Approx(ratio).epsilon(st.tolerance + 0.04));
    CHECK(rhat(d) < 1.01);
  }
}

TEST_CASE("R-hat is about 1 for chains of one distribution and large for shifted chains") {
  const Draws same = ar1(4, 1000, 0.3, 5);
  CHECK(rhat(same) == doctest::Approx(1.0).epsilon(0.01));
  CHECK(rhat_basic(same) == doctest::Approx(1.0).epsilon(0.01));
  const Draws shifted = ar1(4, 1000, 0.3, 5, 2.0);  // the last chain two marginal sds away (sd 1.05)
  CHECK(rhat(shifted) > 1.1);
  CHECK(rhat_bulk(shifted) > 1.1);
  // A chain with a 3x scale is invisible to the bulk R-hat but not to the tail (folded) R-hat.
  Draws scaled = ar1(4, 1000, 0.0, 6);
  for (double& v : scaled.chain(3)) v *= 3.0;
  CHECK(rhat_bulk(scaled) < 1.01);
  CHECK(rhat_tail(scaled) > 1.1);
  CHECK(rhat(scaled) == rhat_tail(scaled));
}

TEST_CASE("E-BFMI of independent energies is about 2, of AR(1) energies 2 (1 - phi)") {
  const Draws iid = ar1(2, 20000, 0.0, 9);
  for (double e : ebfmi(iid)) CHECK(e == doctest::Approx(2.0).epsilon(0.03));
  const Draws sticky = ar1(2, 20000, 0.8, 9);
  for (double e : ebfmi(sticky)) CHECK(e == doctest::Approx(0.4).epsilon(0.06));
}

TEST_CASE("summary of a long normal sample") {
  const Draws d = ar1(4, 5000, 0.0, 17);
  const Summary s = summarize(d);
  CHECK(std::abs(s.mean) < 4.0 * s.mcse_mean);
  CHECK(s.sd == doctest::Approx(1.0).epsilon(0.03));
  CHECK(s.q05 == doctest::Approx(-1.6449).epsilon(0.04));
  CHECK(std::abs(s.q50) < 0.05);
  CHECK(s.q95 == doctest::Approx(1.6449).epsilon(0.04));
  CHECK(s.rhat < 1.01);
  CHECK(s.ess_bulk > 15000);
  CHECK(s.ess_tail > 15000);
}
