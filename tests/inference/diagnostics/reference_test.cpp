// Every diagnostic against posterior 1.4.0 (R) on seeded synthetic draw sets:
// tests/inference/diagnostics/gen_diagnostics.R wrote diagnostics_vectors.hpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "inference/diagnostics/beta_quantile.hpp"
#include "inference/diagnostics/ebfmi.hpp"
#include "inference/diagnostics/ess.hpp"
#include "inference/diagnostics/mcse.hpp"
#include "inference/diagnostics/quantile.hpp"
#include "inference/diagnostics/rhat.hpp"
#include "inference/diagnostics/summary.hpp"
#include "diagnostics_vectors.hpp"

using namespace tapir::inference::diagnostics;
namespace ref = tapir_test::diagnostics_vectors;

namespace {

// Both NaN, both the same infinity, or |got - want| <= tol max(|want|, 1e-300).
bool close(double got, double want, double tol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::abs(got - want) <= tol * std::max(std::abs(want), 1e-300);
}

#define CHECK_CLOSE(got, want, tol)                                                        \
  do {                                                                                     \
    const double g_ = (got), w_ = (want);                                                  \
    INFO(#got << " = " << g_ << ", posterior: " << w_);                                    \
    CHECK(close(g_, w_, tol));                                                             \
  } while (0)

Draws draws_of(const ref::Case& c) {
  return Draws(c.chains, c.iterations, std::span<const double>(c.draws, c.chains * c.iterations));
}

// R-hat and ESS: the brief's 1e-8; the arithmetic is the same up to summation order and the FFT,
// so the observed agreement is ~1e-13.
constexpr double tol_diag = 1e-8;
// Means, sds, quantiles and the MCSEs of order statistics.
constexpr double tol_moment = 1e-12;

}  // namespace

TEST_CASE("R-hat matches posterior") {
  for (const auto& c : ref::cases) {
    CAPTURE(std::string(c.name));
    const Draws d = draws_of(c);
    CHECK_CLOSE(rhat(d), c.rhat, tol_diag);
    CHECK_CLOSE(rhat_bulk(d), c.rhat_bulk, tol_diag);
    CHECK_CLOSE(rhat_tail(d), c.rhat_tail, tol_diag);
    CHECK_CLOSE(rhat_basic(d), c.rhat_basic, tol_diag);
    CHECK_CLOSE(rhat_basic(d, false), c.rhat_basic_unsplit, tol_diag);
  }
}

TEST_CASE("ESS matches posterior") {
  for (const auto& c : ref::cases) {
    CAPTURE(std::string(c.name));
    const Draws d = draws_of(c);
    CHECK_CLOSE(ess_bulk(d), c.ess_bulk, tol_diag);
    CHECK_CLOSE(ess_tail(d), c.ess_tail, tol_diag);
    CHECK_CLOSE(ess_basic(d), c.ess_basic, tol_diag);
    CHECK_CLOSE(ess_basic(d, false), c.ess_basic_unsplit, tol_diag);
    CHECK_CLOSE(ess_quantile(d, 0.05), c.ess_q05, tol_diag);
    CHECK_CLOSE(ess_quantile(d, 0.95), c.ess_q95, tol_diag);
    CHECK_CLOSE(ess_sd(d), c.ess_sd, tol_diag);
  }
}

TEST_CASE("MCSEs match posterior") {
  for (const auto& c : ref::cases) {
    CAPTURE(std::string(c.name));
    const Draws d = draws_of(c);
    CHECK_CLOSE(mcse_mean(d), c.mcse_mean, tol_diag);
    CHECK_CLOSE(mcse_sd(d), c.mcse_sd, tol_diag);
    CHECK_CLOSE(mcse_quantile(d, 0.05), c.mcse_q05, tol_moment);
    CHECK_CLOSE(mcse_quantile(d, 0.5), c.mcse_q50, tol_moment);
    CHECK_CLOSE(mcse_quantile(d, 0.95), c.mcse_q95, tol_moment);
  }
}

TEST_CASE("quantiles and median match R") {
  for (const auto& c : ref::cases) {
    CAPTURE(std::string(c.name));
    const Draws d = draws_of(c);
    CHECK_CLOSE(quantile(d.values(), 0.05), c.q05, tol_moment);
    CHECK_CLOSE(quantile(d.values(), 0.5), c.q50, tol_moment);
    CHECK_CLOSE(quantile(d.values(), 0.95), c.q95, tol_moment);
    CHECK_CLOSE(median(d.values()), c.median, tol_moment);
  }
}

TEST_CASE("summary matches posterior's summarise_draws columns") {
  for (const auto& c : ref::cases) {
    CAPTURE(std::string(c.name));
    const Summary s = summarize(draws_of(c));
    CHECK_CLOSE(s.mean, c.mean, tol_moment);
    CHECK_CLOSE(s.sd, c.sd, tol_moment);
    CHECK_CLOSE(s.q05, c.q05, tol_moment);
    CHECK_CLOSE(s.q50, c.q50, tol_moment);
    CHECK_CLOSE(s.q95, c.q95, tol_moment);
    CHECK_CLOSE(s.mcse_mean, c.mcse_mean, tol_diag);
    CHECK_CLOSE(s.mcse_sd, c.mcse_sd, tol_diag);
    CHECK_CLOSE(s.ess_bulk, c.ess_bulk, tol_diag);
    CHECK_CLOSE(s.ess_tail, c.ess_tail, tol_diag);
    CHECK_CLOSE(s.rhat, c.rhat, tol_diag);
  }
}

TEST_CASE("E-BFMI per chain matches the R formula") {
  for (const auto& c : ref::cases) {
    CAPTURE(std::string(c.name));
    const std::vector<double> e = ebfmi(draws_of(c));
    REQUIRE(e.size() == c.chains);
    for (std::size_t k = 0; k < c.chains; ++k) CHECK_CLOSE(e[k], c.ebfmi[k], tol_moment);
  }
}

TEST_CASE("beta CDF and quantile match R's pbeta and qbeta") {
  for (const auto& b : ref::beta_cases) {
    CAPTURE(b.p);
    CAPTURE(b.a);
    CAPTURE(b.b);
    CHECK_CLOSE(beta_quantile(b.p, b.a, b.b), b.quantile, 1e-10);
    CHECK_CLOSE(beta_cdf(0.3 * b.p + 0.01, b.a, b.b), b.cdf_at_0_3p_plus_0_01, 1e-10);
  }
}

TEST_CASE("the reference set covers the edge cases it is meant to") {
  // Guards against a regenerated header silently losing a case.
  std::vector<std::string> names;
  for (const auto& c : ref::cases) names.emplace_back(c.name);
  for (const char* want : {"all_constant", "one_constant_chain", "with_nan", "with_inf", "odd_length", "single_chain",
                           "alternating", "ties_poisson", "heavy_tail_t1.5", "shifted_means"})
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
}
