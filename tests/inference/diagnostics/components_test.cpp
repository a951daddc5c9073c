// The building blocks of the diagnostics: draws containers and splitting, ranks, quantiles, the
// FFT and autocovariances, the beta distribution, degenerate inputs and the summary table.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/special_functions.hpp"
#include "inference/diagnostics/autocovariance.hpp"
#include "inference/diagnostics/beta_quantile.hpp"
#include "inference/diagnostics/draws.hpp"
#include "inference/diagnostics/ebfmi.hpp"
#include "inference/diagnostics/ess.hpp"
#include "inference/diagnostics/fft.hpp"
#include "inference/diagnostics/mcse.hpp"
#include "inference/diagnostics/quantile.hpp"
#include "inference/diagnostics/rank_normalization.hpp"
#include "inference/diagnostics/rhat.hpp"
#include "inference/diagnostics/summary.hpp"

using namespace tapir::inference::diagnostics;

namespace {
const double not_a_number = std::numeric_limits<double>::quiet_NaN();
}

TEST_CASE("Draws from nested vectors, spans and rows; ragged input is a size_error") {
  const std::vector<std::vector<double>> v{{1, 2, 3}, {4, 5, 6}};
  const Draws a = v;
  CHECK(a.num_chains() == 2);
  CHECK(a.num_iterations() == 3);
  CHECK(a(1, 0) == 4);
  const std::vector<std::span<const double>> spans{v[0], v[1]};
  const Draws b = std::span<const std::span<const double>>(spans);
  CHECK(std::vector<double>(b.values().begin(), b.values().end()) == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK_THROWS_AS(Draws(std::vector<std::vector<double>>{{1, 2}, {3}}), tapir::size_error);
  CHECK_THROWS_AS(Draws(2, 2, std::vector<double>{1, 2, 3}), tapir::size_error);

  // rows[c][i][j]
  const std::vector<std::vector<std::vector<double>>> rows{{{1, 10}, {2, 20}}, {{3, 30}, {4, 40}}};
  const Draws col = Draws::column(rows, 1);
  CHECK(col(0, 1) == 20);
  CHECK(col(1, 0) == 30);
  CHECK_THROWS_AS(Draws::column(rows, 2), tapir::size_error);
  // Implicit conversion: the diagnostics accept nested vectors directly.
  CHECK(std::isfinite(rhat(std::vector<std::vector<double>>{{1, 2, 3, 4, 0}, {2, 1, 3, 5, 4}})));
}

TEST_CASE("split_chains halves each chain, dropping the middle draw of an odd chain") {
  const Draws d = std::vector<std::vector<double>>{{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}};
  const Draws s = split_chains(d);
  REQUIRE(s.num_chains() == 4);
  REQUIRE(s.num_iterations() == 2);
  // First halves first (posterior's column order), then second halves.
  CHECK(s(0, 0) == 1);
  CHECK(s(0, 1) == 2);
  CHECK(s(1, 0) == 6);
  CHECK(s(2, 0) == 4);
  CHECK(s(2, 1) == 5);
  CHECK(s(3, 1) == 10);
  const Draws even = split_chains(std::vector<std::vector<double>>{{1, 2, 3, 4}});
  CHECK(even(1, 0) == 3);
  const Draws one = split_chains(std::vector<std::vector<double>>{{7}, {8}});
  CHECK(one.num_chains() == 2);
}

TEST_CASE("average ranks and rank normalization") {
  const std::vector<double> x{3.0, 1.0, 2.0, 2.0, not_a_number, 5.0};
  const std::vector<double> r = average_ranks(x);
  CHECK(r[0] == 4.0);
  CHECK(r[1] == 1.0);
  CHECK(r[2] == 2.5);
  CHECK(r[3] == 2.5);
  CHECK(std::isnan(r[4]));
  CHECK(r[5] == 5.0);

  const Draws d = std::vector<std::vector<double>>{{0.3, -1.0}, {2.0, 0.3}};
  const Draws z = rank_normalize(d);
  // Ranks 2.5, 1, 4, 2.5 among S = 4: z = Phi^{-1}((r - 3/8) / (S + 1/4)).
  CHECK(z(0, 0) == doctest::Approx(tapir::autodiff::inv_Phi((2.5 - 0.375) / 4.25)));
  CHECK(z(0, 1) == doctest::Approx(tapir::autodiff::inv_Phi((1 - 0.375) / 4.25)));
  CHECK(z(1, 0) == doctest::Approx(tapir::autodiff::inv_Phi((4 - 0.375) / 4.25)));
  CHECK(z(0, 0) == z(1, 1));
  CHECK(z(0, 0) == doctest::Approx(0.0));  // the middle rank maps to 0

  const Draws f = fold(std::vector<std::vector<double>>{{1, 2, 3}, {4, 5, 6}});  // median 3.5
  CHECK(f(0, 0) == 2.5);
  CHECK(f(1, 2) == 2.5);
  CHECK(f(1, 0) == 0.5);
}

TEST_CASE("type-7 quantiles and the median") {
  std::vector<double> x;
  for (int i = 10; i >= 1; --i) x.push_back(i);
  CHECK(quantile(x, 0.05) == doctest::Approx(1.45));  // R: quantile(1:10, 0.05)
  CHECK(quantile(x, 0.5) == 5.5);
  CHECK(quantile(x, 0.95) == doctest::Approx(9.55));
  CHECK(quantile(x, 0.0) == 1.0);
  CHECK(quantile(x, 1.0) == 10.0);
  CHECK(median(x) == 5.5);
  CHECK(median(std::vector<double>{3, 1, 2}) == 2.0);
  CHECK(std::isnan(quantile(std::vector<double>{1, not_a_number, 2}, 0.5)));
  CHECK(std::isnan(median(std::vector<double>{})));
  CHECK_THROWS_AS(quantile(x, 1.5), tapir::domain_error);
  const std::vector<double> probs{0.25, 0.75};
  const std::vector<double> qs = quantiles(x, probs);
  CHECK(qs[0] == doctest::Approx(3.25));
  CHECK(qs[1] == doctest::Approx(7.75));
}

TEST_CASE("FFT against the direct DFT; FFT autocovariance against the direct sum") {
  std::vector<std::complex<double>> a(16);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = {std::sin(1.0 + 3.0 * i), std::cos(0.5 * i * i)};
  std::vector<std::complex<double>> f = a;
  fft(f);
  for (std::size_t k = 0; k < a.size(); ++k) {
    std::complex<double> s = 0.0;
    for (std::size_t j = 0; j < a.size(); ++j)
      s += a[j] * std::polar(1.0, -2.0 * std::numbers::pi * double(j * k) / double(a.size()));
    CHECK(std::abs(f[k] - s) < 1e-12);
  }
  fft(f, true);
  for (std::size_t k = 0; k < a.size(); ++k) CHECK(std::abs(f[k] / 16.0 - a[k]) < 1e-14);
  std::vector<std::complex<double>> bad(12);
  CHECK_THROWS_AS(fft(bad), tapir::size_error);
  CHECK(next_power_of_two(37) == 64);
  CHECK(next_power_of_two(64) == 64);

  for (std::size_t n : {3u, 37u, 200u, 513u}) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(0.3 * i) + 0.1 * std::cos(7.1 * i * i);
    const auto fast = autocovariance(x), slow = autocovariance_direct(x);
    REQUIRE(fast.size() == n);
    for (std::size_t t = 0; t < n; ++t) CHECK(std::abs(fast[t] - slow[t]) < 1e-13 * slow[0]);
  }
  CHECK(autocovariance(std::vector<double>{2, 2, 2}) == std::vector<double>{0, 0, 0});
}

TEST_CASE("beta CDF closed forms and quantile round trips") {
  // I_x(2, 3) = sum_{j=2}^{4} C(4, j) x^j (1 - x)^(4 - j); I_x(1, 1) = x; I_x(a, 1) = x^a.
  const double x = 0.3;
  CHECK(beta_cdf(x, 2, 3) == doctest::Approx(6 * 0.09 * 0.49 + 4 * 0.027 * 0.7 + 0.0081).epsilon(1e-13));
  CHECK(beta_cdf(0.7, 1, 1) == doctest::Approx(0.7).epsilon(1e-14));
  CHECK(beta_cdf(0.6, 4.5, 1) == doctest::Approx(std::pow(0.6, 4.5)).epsilon(1e-13));
  for (double p : {1e-6, 0.1586553, 0.5, 0.8413447, 0.999999})
    for (double a : {1.0, 3.7, 120.0})
      for (double b : {1.0, 55.0, 9000.0}) {
        const double q = beta_quantile(p, a, b);
        CHECK(beta_cdf(q, a, b) == doctest::Approx(p).epsilon(1e-10));
      }
  CHECK(std::isnan(beta_cdf(0.5, -1, 2)));
  CHECK(std::isnan(beta_quantile(1.5, 1, 2)));
  CHECK(beta_quantile(0.0, 2, 2) == 0.0);
}

TEST_CASE("degenerate draws: constant, NaN, too short") {
  const Draws constant(4, 100, 1.5);
  CHECK(std::isnan(rhat(constant)));
  CHECK(std::isnan(ess_bulk(constant)));
  CHECK(std::isnan(ess_tail(constant)));
  CHECK(std::isnan(ess_basic(constant)));
  CHECK(std::isnan(mcse_mean(constant)));
  CHECK(std::isnan(mcse_sd(constant)));
  CHECK(std::isnan(mcse_quantile(constant, 0.5)));
  const Summary s = summarize(constant);
  CHECK(s.mean == 1.5);
  CHECK(s.sd == 0.0);
  CHECK(s.q05 == 1.5);
  CHECK(s.q95 == 1.5);
  CHECK(std::isnan(s.rhat));

  Draws with_nan(2, 50);
  for (std::size_t i = 0; i < 50; ++i) {
    with_nan(0, i) = std::sin(double(i));
    with_nan(1, i) = std::cos(double(i));
  }
  with_nan(1, 20) = not_a_number;
  const Summary n = summarize(with_nan);
  for (double v : {n.mean, n.sd, n.q05, n.q50, n.q95, n.mcse_mean, n.mcse_sd, n.ess_bulk, n.ess_tail, n.rhat})
    CHECK(std::isnan(v));

  // Fewer than 3 draws per split chain: no ESS; one chain unsplit: no R-hat.
  const Draws tiny = std::vector<std::vector<double>>{{1, 2, 3, 4, 6}};
  CHECK(std::isnan(ess_basic(tiny)));
  CHECK(std::isfinite(ess_basic(tiny, false)));
  CHECK(std::isnan(rhat_basic(tiny, false)));
  CHECK(std::isnan(rhat(Draws())));
  CHECK(std::isnan(summarize(Draws()).mean));

  CHECK(std::isnan(ebfmi(std::vector<double>{1.0})));
  CHECK(std::isnan(ebfmi(std::vector<double>{1.0, 1.0, 1.0})));
  CHECK(ebfmi(std::vector<double>{0.0, 1.0, 0.0, 1.0}) == doctest::Approx(3.0 / 1.0));
}

TEST_CASE("summary table") {
  const std::vector<std::vector<std::vector<double>>> rows{
      {{0.1, 5.0}, {0.4, 5.0}, {-0.2, 5.0}, {0.9, 5.0}, {0.3, 5.0}, {-0.5, 5.0}},
      {{0.0, 5.0}, {0.2, 5.0}, {-0.7, 5.0}, {0.6, 5.0}, {0.15, 5.0}, {-0.1, 5.0}}};
  const std::vector<Summary> sums = summarize_columns(rows);
  REQUIRE(sums.size() == 2);
  CHECK(sums[0].mean == doctest::Approx((0.1 + 0.4 - 0.2 + 0.9 + 0.3 - 0.5 + 0.0 + 0.2 - 0.7 + 0.6 + 0.15 - 0.1) / 12));
  CHECK(sums[1].mean == 5.0);
  const std::vector<std::string> names{"theta", "sigma"};
  std::ostringstream out;
  write_summary_table(out, names, sums);
  const std::string text = out.str();
  CHECK(text.find("variable") == 0);
  CHECK(text.find("ess_bulk") != std::string::npos);
  CHECK(text.find("\ntheta ") != std::string::npos);
  CHECK(text.find("NA") != std::string::npos);  // sigma is constant
  CHECK_THROWS_AS(write_summary_table(out, std::span<const std::string>(names).first(1), sums), tapir::size_error);
}
