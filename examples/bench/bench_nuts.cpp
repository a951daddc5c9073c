// The NUTS suite of ../shared/bench/SPEC.md: for each posterior folder under DIR (model.stan,
// data.json, reference.json as in ../shared/reference-posteriors/), 4 chains of 1000 warmup and
// 1000 kept iterations with the default adaptation, one JSON line per posterior:
//   {"lib":"tapir","posterior":...,"seconds":...,"grad_evals":...,"grad_evals_sampling":...,
//    "min_ess_bulk":...,"min_ess_tail":...,"max_rhat":...,"divergences":...,"max_abs_z":...}
// ESS and R-hat over every parameter and transformed parameter (as rstan's monitor, lp__ left
// out); max_abs_z over the reference's parameters. Chains run in parallel threads.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "inference/diagnostics/summary.hpp"
#include "inference/mcmc/sampler.hpp"
#include "models/data.hpp"
#include "models/json.hpp"
#include "models/posteriors/registry.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tapir;

struct Options {
  std::string dir;
  std::vector<std::string> only;
  int chains = 4, warmup = 1000, samples = 1000, threads = 0;
  unsigned long long seed = 1;
};

int usage() {
  std::fprintf(stderr,
               "usage: bench_nuts --json DIR [--posterior NAME]... [--chains N] [--warmup N] [--samples N]\n"
               "                  [--threads N] [--seed S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value after " + a);
      return argv[++i];
    };
    try {
      if (a == "--json") {
        json = true;
        if (i + 1 < argc && argv[i + 1][0] != '-') opt.dir = argv[++i];
      } else if (a == "--posterior") {
        opt.only.push_back(next());
      } else if (a == "--chains") {
        opt.chains = std::stoi(next());
      } else if (a == "--warmup") {
        opt.warmup = std::stoi(next());
      } else if (a == "--samples") {
        opt.samples = std::stoi(next());
      } else if (a == "--threads") {
        opt.threads = std::stoi(next());
      } else if (a == "--seed") {
        opt.seed = std::stoull(next());
      } else if (opt.dir.empty() && a[0] != '-') {
        opt.dir = a;
      } else {
        std::fprintf(stderr, "bench_nuts: unknown argument %s\n", a.c_str());
        return usage();
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_nuts: %s\n", e.what());
      return usage();
    }
  }
  if (!json || opt.dir.empty()) return usage();
  if (!fs::is_directory(opt.dir)) {
    std::fprintf(stderr, "bench_nuts: %s is not a directory\n", opt.dir.c_str());
    return 2;
  }
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(opt.dir))
    if (entry.is_directory() && fs::exists(entry.path() / "data.json")) folders.push_back(entry.path().filename().string());
  std::sort(folders.begin(), folders.end());
  if (!opt.only.empty()) folders = opt.only;

  int failures = 0;
  for (const std::string& name : folders) {
    try {
      const fs::path folder = fs::path(opt.dir) / name;
      const models::Data data = models::Data::from_file((folder / "data.json").string());
      const models::Model model = models::posteriors::make_reference_model(name, data);
      inference::mcmc::NutsConfig config;
      config.num_warmup = opt.warmup;
      config.num_samples = opt.samples;
      const auto t0 = std::chrono::steady_clock::now();
      const auto chains = inference::mcmc::run_nuts(model, config, distributions::make_key(opt.seed), opt.chains, opt.threads);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

      long long grads = 0, grads_sampling = 0;
      std::size_t divergences = 0;
      std::vector<std::vector<std::vector<double>>> rows;
      for (const auto& c : chains) {
        grads += c.gradient_evaluations;
        grads_sampling += c.gradient_evaluations_sampling;
        for (const auto& d : c.divergences) divergences += d.warmup ? 0 : 1;
        rows.emplace_back(c.draws.begin() + static_cast<std::ptrdiff_t>(c.num_warmup_rows), c.draws.end());
      }
      const auto summaries = inference::diagnostics::summarize_columns(rows);
      double min_bulk = INFINITY, min_tail = INFINITY, max_rhat = 0.0;
      for (const auto& s : summaries) {
        if (std::isfinite(s.ess_bulk)) min_bulk = std::min(min_bulk, s.ess_bulk);
        if (std::isfinite(s.ess_tail)) min_tail = std::min(min_tail, s.ess_tail);
        if (std::isfinite(s.rhat)) max_rhat = std::max(max_rhat, s.rhat);
      }
      // max |mean - reference mean| / reference sd over the reference's parameters.
      double max_abs_z = 0.0;
      const fs::path ref_path = folder / "reference.json";
      if (fs::exists(ref_path)) {
        const auto names = model.constrained_names(models::NameStyle::stan);
        std::map<std::string, std::size_t> column;
        for (std::size_t j = 0; j < names.size(); ++j) column[names[j]] = j;
        const auto ref = models::json::parse_file(ref_path.string());
        for (const auto& [key, stats] : ref.as_object().at("parameters").as_object()) {
          auto it = column.find(key);
          if (it == column.end()) continue;
          const auto& s = stats.as_object();
          const double mean = s.at("mean").as_number().value(), sd = s.at("sd").as_number().value();
          max_abs_z = std::max(max_abs_z, std::abs(summaries[it->second].mean - mean) / sd);
        }
      }
      std::printf(
          "{\"lib\":\"tapir\",\"posterior\":\"%s\",\"seconds\":%.3f,\"grad_evals\":%lld,\"grad_evals_sampling\":%lld,"
          "\"min_ess_bulk\":%.1f,\"min_ess_tail\":%.1f,\"max_rhat\":%.4f,\"divergences\":%zu,\"max_abs_z\":%.3f}\n",
          name.c_str(), seconds, grads, grads_sampling, min_bulk, min_tail, max_rhat, divergences, max_abs_z);
      std::fflush(stdout);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_nuts: %s: %s\n", name.c_str(), e.what());
      ++failures;
    }
  }
  return failures ? 1 : 0;
}
