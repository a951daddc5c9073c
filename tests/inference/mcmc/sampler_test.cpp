// run_nuts as users run it: the validation over every reference posterior (4 chains, CmdStan's
// defaults) and the CSV files written while the chains run.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "inference/diagnostics/summary.hpp"
#include "inference/mcmc/csv_output.hpp"
#include "inference/mcmc/csv_reader.hpp"
#include "inference/mcmc/sampler.hpp"
#include "models/data.hpp"
#include "models/json.hpp"
#include "models/posteriors/posterior_test_support.hpp"
#include "models/posteriors/registry.hpp"

using namespace tapir;
using namespace tapir::inference::mcmc;
namespace fs = std::filesystem;

namespace {

using tapir_test::posteriors::posterior_folder;
const auto folder_data = tapir_test::posteriors::reference_data;

struct Run {
  std::vector<ChainResult> chains;
  std::vector<inference::diagnostics::Summary> summaries;
  std::size_t divergences = 0;  // after warmup
};

Run run(const models::Model& model, std::uint64_t seed) {
  Run r;
  r.chains = run_nuts(model, NutsConfig{}, distributions::make_key(seed), 4, 2);
  std::vector<std::vector<std::vector<double>>> draws;
  for (const auto& c : r.chains) {
    draws.push_back(c.draws);
    for (const auto& d : c.divergences) r.divergences += d.warmup ? 0 : 1;
  }
  r.summaries = inference::diagnostics::summarize_columns(draws);
  return r;
}

// Divergences after warmup in rstan 2.21 (4 chains, CmdStan's defaults, seed 1; the anchor
// ../shared/anchors/rstan/nuts.R): 3 on eight_schools_noncentered, none on the others.
const std::map<std::string, std::size_t> stan_divergences = {{"eight_schools-eight_schools_noncentered", 3}};

}  // namespace

TEST_CASE("NUTS with CmdStan's defaults recovers every reference posterior") {
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(tapir_test::posteriors::shared_folder() / "reference-posteriors"))
    if (fs::exists(entry.path() / "reference.json")) folders.push_back(entry.path().filename().string());
  std::sort(folders.begin(), folders.end());
  REQUIRE(folders.size() >= 8);

  for (const std::string& folder : folders) {
    CAPTURE(folder);
    const models::Model model = models::posteriors::make_reference_model(folder, folder_data(folder));
    // The R-hat bound is a tail statistic of the run: over seeds 1-12 the max R-hat on kilpisjarvi
    // (the hardest here, bulk ESS about 1000 of 4000 draws) ranged over 1.002-1.009, and seed 2026
    // gives 1.0107 (rstan at seed 1: 1.0060). Seed 1 is the seed of the bench_nuts comparison.
    const Run r = run(model, 1);

    // Every reference mean within 0.1 reference sd, or 4 MCSE when that is larger (posteriordb's
    // reference draws: 10 chains x 1000).
    const auto names = model.constrained_names(models::NameStyle::stan);
    std::map<std::string, std::size_t> column;
    for (std::size_t j = 0; j < names.size(); ++j) column[names[j]] = j;
    const auto reference = models::json::parse_file((posterior_folder(folder) / "reference.json").string());
    std::size_t compared = 0;
    for (const auto& [name, stats] : reference.as_object().at("parameters").as_object()) {
      CAPTURE(name);
      const auto it = column.find(name);
      REQUIRE(it != column.end());
      const auto& s = r.summaries[it->second];
      const double mean = stats.as_object().at("mean").as_number().value();
      const double sd = stats.as_object().at("sd").as_number().value();
      CHECK(std::abs(s.mean - mean) <= std::max(0.1 * sd, 4.0 * s.mcse_mean));
      ++compared;
    }
    CHECK(compared > 0);
    // Convergence over every parameter and output.
    for (std::size_t j = 0; j < names.size(); ++j) {
      CAPTURE(names[j]);
      CHECK(r.summaries[j].rhat < 1.01);
    }
    const auto stan = stan_divergences.find(folder);
    CHECK(r.divergences <= (stan == stan_divergences.end() ? 0 : stan->second));
  }
}

TEST_CASE("centred eight schools diverges often where the non-centred one does not") {
  const models::Data data = folder_data("eight_schools-eight_schools_noncentered");
  const Run centered = run(models::posteriors::make_reference_model("eight_schools-eight_schools_centered", data), 2026);
  // Stan shows tens of divergences here at delta = 0.8 (Betancourt and Girolami 2015); the
  // non-centred parameterization (checked above) a handful at most.
  CHECK(centered.divergences >= 20);
  // They sit where tau is small: the funnel's neck (tau is the last parameter, before theta).
  std::vector<double> log_tau_div, log_tau_all;
  for (const auto& c : centered.chains) {
    for (const auto& d : c.divergences)
      if (!d.warmup) log_tau_div.push_back(d.unconstrained.back());
    for (const auto& x : c.unconstrained_draws) log_tau_all.push_back(x.back());
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  REQUIRE(!log_tau_div.empty());
  CHECK(median(log_tau_div) < median(log_tau_all) - 0.5);
}

TEST_CASE("CSV output written while the chains run reads back as the chains' results") {
  const models::Data data = folder_data("eight_schools-eight_schools_noncentered");
  const models::Model model = models::posteriors::make_reference_model("eight_schools-eight_schools_noncentered", data);
  NutsConfig config;
  config.num_warmup = 300;
  config.num_samples = 200;
  config.save_warmup = true;
  config.thin = 2;

  for (const bool dense : {false, true}) {
    CAPTURE(dense);
    config.dense_metric = dense;
    std::vector<std::ostringstream> streams(3);
    std::vector<std::unique_ptr<CsvOutput>> outputs;
    for (int c = 0; c < 3; ++c) {
      CsvConfig base;
      base.id = c + 1;
      base.num_chains = 3;
      base.seed = 11;
      base.sig_figs = CsvWriter::full_precision;
      outputs.push_back(std::make_unique<CsvOutput>(streams[static_cast<std::size_t>(c)], model, config, base));
    }
    const auto chains = run_nuts(model, config, distributions::make_key(11), 3, 2, {}, sinks(outputs));

    for (std::size_t c = 0; c < 3; ++c) {
      CAPTURE(c);
      std::istringstream in(streams[c].str());
      const StanCsv csv = read_stan_csv(in);
      const ChainResult& chain = chains[c];
      CHECK(csv.find("model") == "eight_schools-eight_schools_noncentered");
      CHECK(csv.find("id") == std::to_string(c + 1));
      CHECK(csv.find("num_warmup") == "300");
      CHECK(csv.find("thin") == "2");
      CHECK(csv.find("metric") == (dense ? "dense_e" : "diag_e"));
      // Columns: the sampler's seven, then the constrained names.
      const auto names = model.constrained_names();
      REQUIRE(csv.column_names.size() == 7 + names.size());
      CHECK(csv.column_names[0] == "lp__");
      CHECK(csv.column_names[7] == names[0]);
      CHECK(csv.column_names.back() == "theta.8");
      // 150 thinned warmup rows, then 100 sampling rows: every value bit-identical.
      REQUIRE(csv.draws.size() == chain.draws.size());
      CHECK(csv.num_warmup_draws == 150);
      CHECK(chain.num_warmup_rows == 150);
      for (std::size_t i = 0; i < csv.draws.size(); ++i) {
        const auto& row = csv.draws[i];
        const SamplerRow& s = chain.rows[i];
        CHECK(row[0] == s.lp);
        CHECK(row[1] == s.accept_stat);
        CHECK(row[2] == s.step_size);
        CHECK(row[3] == s.tree_depth);
        CHECK(row[4] == s.n_leapfrog);
        CHECK(row[5] == (s.divergent ? 1.0 : 0.0));
        CHECK(row[6] == s.energy);
        CHECK(std::equal(chain.draws[i].begin(), chain.draws[i].end(), row.begin() + 7));
      }
      // The adaptation block: the sampling step size and the adapted inverse metric.
      CHECK(csv.adaptation_found);
      CHECK(csv.step_size == chain.step_size);
      CHECK(csv.dense_metric == dense);
      if (dense) {
        const auto& m = chain.metric.inverse_dense();
        CHECK(std::equal(csv.inverse_metric.begin(), csv.inverse_metric.end(), m.data(), m.data() + m.size()));
      } else {
        CHECK(csv.inverse_metric == chain.metric.inverse_diagonal());
      }
      CHECK(std::isfinite(csv.total_seconds));
    }
  }
}

TEST_CASE("run_nuts rejects a number of sinks different from the number of chains") {
  const models::Data data = folder_data("eight_schools-eight_schools_noncentered");
  const models::Model model = models::posteriors::make_reference_model("eight_schools-eight_schools_noncentered", data);
  std::ostringstream out;
  CsvOutput one(out, model, NutsConfig{});
  std::vector<DrawSink*> s{&one};
  CHECK_THROWS_WITH_AS(run_nuts(model, NutsConfig{}, distributions::make_key(1), 2, 1, {}, s),
                       "run_nuts: 1 draw sinks given for 2 chains", size_error);
}
