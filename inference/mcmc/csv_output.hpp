#pragma once
// A sampler's output written to CmdStan's CSV layout as the chain runs: a DrawSink (sampler.hpp)
// over a CsvWriter (csv_writer.hpp). One sink per chain; the usual CmdStan file set is
//   std::vector<std::unique_ptr<CsvOutput>> files;    // output_1.csv ... output_4.csv
//   for (int c = 0; c < 4; ++c) files.push_back(std::make_unique<CsvOutput>(path(c), model, config, csv(c)));
//   run_nuts(model, config, key, 4, 0, {}, sinks(files));
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "inference/mcmc/csv_writer.hpp"
#include "inference/mcmc/sampler.hpp"
#include "models/model.hpp"

namespace tapir::inference::mcmc {

// The header's configuration for a NUTS run: CmdStan's argument values taken from `config` (the
// sampler's settings), with the file-level fields (model name, chain id, seed, data file, output
// file, sig_figs, extra lines) taken from `base`.
CsvConfig csv_config(const NutsConfig& config, const CsvConfig& base);

class CsvOutput final : public DrawSink {
 public:
  // Opens (truncates) `path` and writes the header: configuration and the column names
  // (model.constrained_names(NameStyle::cmdstan)). std::runtime_error if the file cannot be opened.
  CsvOutput(const std::string& path, const models::Model& model, const NutsConfig& config, const CsvConfig& base = {});
  // The same onto a stream the caller keeps alive.
  CsvOutput(std::ostream& out, const models::Model& model, const NutsConfig& config, const CsvConfig& base = {});

  void draw(const SamplerRow& row, std::span<const double> constrained, bool warmup) override;
  void adaptation_done(double step_size, const Metric& metric) override;
  void finished(double warmup_seconds, double sampling_seconds) override;

  const CsvWriter& writer() const noexcept { return writer_; }

 private:
  void start(const models::Model& model, const NutsConfig& config, const CsvConfig& base);

  CsvWriter writer_;
  bool adapt_;
};

// Raw pointers to the sinks, for run_nuts.
std::vector<DrawSink*> sinks(const std::vector<std::unique_ptr<CsvOutput>>& outputs);

}  // namespace tapir::inference::mcmc
