#pragma once
// Reading a sampler CSV file in CmdStan's layout (as CsvWriter writes it, or as CmdStan does):
// the configuration comments, the column names, every complete draw row, the adaptation block
// (step size and inverse metric) and the timing block.
//
// Rows: a data line counts when it ends with a newline and has exactly one number per column.
// A last line without its newline (a run interrupted while writing) is dropped and `truncated` is
// set; any other malformed data line throws std::runtime_error naming its line number. Numbers are
// read with their full precision; nan, inf and -inf (any case) are accepted.
#include <cstddef>
#include <istream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tapir::inference::mcmc {

struct StanCsv {
  // The configuration as (path, value) pairs in file order, the path joining the enclosing
  // sections with dots as in CmdStan's argument tree ("model", "sample.num_samples",
  // "sample.adapt.delta", "sample.hmc.nuts.max_depth", "sample.hmc.metric", "random.seed",
  // "output.file"); "(Default)" marks are dropped.
  std::vector<std::pair<std::string, std::string>> config;
  std::vector<std::string> column_names;
  std::vector<std::vector<double>> draws;  // every complete row, all columns, warmup rows included
  // Rows before the "# Adaptation terminated" line (the saved warmup draws); 0 without that line.
  std::size_t num_warmup_draws = 0;
  bool adaptation_found = false;
  double step_size = std::numeric_limits<double>::quiet_NaN();
  // The inverse metric: its diagonal, or all dimension^2 elements row-major when dense_metric.
  std::vector<double> inverse_metric;
  bool dense_metric = false;
  double warmup_seconds = std::numeric_limits<double>::quiet_NaN();
  double sampling_seconds = std::numeric_limits<double>::quiet_NaN();
  double total_seconds = std::numeric_limits<double>::quiet_NaN();
  bool truncated = false;  // the file ended inside a row, which was dropped

  // The value of a configuration entry by its full path, or else by its last component (the first
  // entry with that name: "delta", "seed", "num_samples").
  std::optional<std::string> find(std::string_view key) const;
  // The index of a column; throws std::out_of_range if there is none of that name.
  std::size_t column(std::string_view name) const;
  // One column of every draw (sampling draws only when sampling_only).
  std::vector<double> column_values(std::string_view name, bool sampling_only = false) const;
};

StanCsv read_stan_csv(std::istream& in);
// Throws std::runtime_error if the file cannot be opened.
StanCsv read_stan_csv(const std::string& path);

}  // namespace tapir::inference::mcmc
