#include "inference/mcmc/csv_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "autodiff/errors.hpp"

namespace tapir::inference::mcmc {

namespace {

constexpr std::array<std::string_view, 7> sampler_columns{"lp__",         "accept_stat__", "stepsize__", "treedepth__",
                                                          "n_leapfrog__", "divergent__",   "energy__"};

// The shortest decimal that reads back as v: how configuration values are written.
std::string shortest(double v) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string("nan");
}

// "key = value" with CmdStan's "(Default)" mark, indented two spaces per level.
class ConfigLines {
 public:
  void add(int depth, std::string_view key, const std::string& value, bool is_default) {
    std::string s(static_cast<std::size_t>(2 * depth), ' ');
    s.append(key).append(" = ").append(value);
    if (is_default) s.append(" (Default)");
    lines.push_back(std::move(s));
  }
  void add(int depth, std::string_view key, double value, double default_value) {
    add(depth, key, shortest(value), value == default_value);
  }
  void add_int(int depth, std::string_view key, long long value, long long default_value) {
    add(depth, key, std::to_string(value), value == default_value);
  }
  void section(int depth, std::string_view name) {
    lines.push_back(std::string(static_cast<std::size_t>(2 * depth), ' ').append(name));
  }
  std::vector<std::string> lines;
};

}  // namespace

std::span<const std::string_view> sampler_column_names() noexcept { return sampler_columns; }

std::string format_number(double v, int digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::general, digits);
  if (ec != std::errc{}) return shortest(v);
  return std::string(buf.data(), end);
}

CsvWriter::CsvWriter(const std::string& path)
    : file_(std::make_unique<std::ofstream>(path, std::ios::out | std::ios::trunc)), out_(file_.get()) {
  if (!*file_) throw std::runtime_error("CsvWriter: cannot open '" + path + "' for writing");
}

CsvWriter::CsvWriter(std::ostream& out) : out_(&out) {}

void CsvWriter::line(std::string_view text) {
  *out_ << text << '\n';
}

std::string CsvWriter::number(double v) const { return format_number(v, sig_figs_); }

void CsvWriter::header(const CsvConfig& c, std::span<const std::string> parameter_names) {
  if (header_written_) throw std::logic_error("CsvWriter::header: the header is already written");
  if (c.sig_figs != -1 && (c.sig_figs < 1 || c.sig_figs > 18))
    throw_domain_error("CsvWriter::header", "sig_figs", c.sig_figs, "-1 (CmdStan's 6 digits) or in 1..18");
  sig_figs_ = c.sig_figs == -1 ? default_sig_figs : c.sig_figs;

  ConfigLines h;
  h.add(0, "model", c.model, false);
  h.add(0, "method", "sample", true);
  h.section(1, "sample");
  h.add_int(2, "num_samples", c.num_samples, 1000);
  h.add_int(2, "num_warmup", c.num_warmup, 1000);
  h.add_int(2, "save_warmup", c.save_warmup ? 1 : 0, 0);
  h.add_int(2, "thin", c.thin, 1);
  h.section(2, "adapt");
  h.add_int(3, "engaged", c.adapt_engaged ? 1 : 0, 1);
  h.add(3, "gamma", c.gamma, 0.05);
  h.add(3, "delta", c.delta, 0.8);
  h.add(3, "kappa", c.kappa, 0.75);
  h.add(3, "t0", c.t0, 10.0);
  h.add_int(3, "init_buffer", c.init_buffer, 75);
  h.add_int(3, "term_buffer", c.term_buffer, 50);
  h.add_int(3, "window", c.window, 25);
  h.add(2, "algorithm", "hmc", true);
  h.section(3, "hmc");
  h.add(4, "engine", "nuts", true);
  h.section(5, "nuts");
  h.add_int(6, "max_depth", c.max_depth, 10);
  h.add(4, "metric", c.dense_metric ? "dense_e" : "diag_e", !c.dense_metric);
  h.add(4, "metric_file", c.metric_file, c.metric_file.empty());
  h.add(4, "stepsize", c.stepsize, 1.0);
  h.add(4, "stepsize_jitter", c.stepsize_jitter, 0.0);
  h.add_int(2, "num_chains", c.num_chains, 1);
  h.add_int(0, "id", c.id, 1);
  h.section(0, "data");
  h.add(1, "file", c.data_file, c.data_file.empty());
  h.add(0, "init", c.init, c.init == "2");
  h.section(0, "random");
  h.add(1, "seed", std::to_string(c.seed), false);
  h.section(0, "output");
  h.add(1, "file", c.output_file, c.output_file == "output.csv");
  h.add(1, "diagnostic_file", c.diagnostic_file, c.diagnostic_file.empty());
  h.add_int(1, "refresh", c.refresh, 100);
  h.add_int(1, "sig_figs", c.sig_figs, -1);
  h.add_int(0, "num_threads", c.num_threads, 1);
  for (const auto& [key, value] : c.extra) h.add(0, key, value, false);

  std::string text;
  for (const auto& l : h.lines) text.append("# ").append(l).append("\n");
  for (std::string_view col : sampler_columns) text.append(col).append(",");
  for (const auto& name : parameter_names) text.append(name).append(",");
  text.back() = '\n';  // drop the last comma
  *out_ << text << std::flush;
  num_parameters_ = parameter_names.size();
  header_written_ = true;
}

void CsvWriter::adaptation(double step_size, std::span<const double> inverse_metric_diagonal) {
  std::string text = "# Adaptation terminated\n# Step size = " + number(step_size) +
                     "\n# Diagonal elements of inverse mass matrix:\n# ";
  for (std::size_t i = 0; i < inverse_metric_diagonal.size(); ++i) {
    if (i > 0) text.append(", ");
    text.append(number(inverse_metric_diagonal[i]));
  }
  *out_ << text << '\n' << std::flush;
}

void CsvWriter::adaptation(double step_size, std::span<const double> inverse_metric_dense, std::size_t dimension) {
  if (inverse_metric_dense.size() != dimension * dimension) {
    std::ostringstream o;
    o << "CsvWriter::adaptation: " << inverse_metric_dense.size() << " values for a " << dimension << " x "
      << dimension << " inverse metric";
    throw size_error(o.str());
  }
  std::string text = "# Adaptation terminated\n# Step size = " + number(step_size) +
                     "\n# Elements of inverse mass matrix:\n";
  for (std::size_t i = 0; i < dimension; ++i) {
    text.append("# ");
    for (std::size_t j = 0; j < dimension; ++j) {
      if (j > 0) text.append(", ");
      text.append(number(inverse_metric_dense[i * dimension + j]));
    }
    text.append("\n");
  }
  *out_ << text << std::flush;
}

void CsvWriter::row(const CsvSamplerValues& s, std::span<const double> parameters) {
  if (!header_written_) throw std::logic_error("CsvWriter::row: header() must come first");
  if (parameters.size() != num_parameters_) {
    std::ostringstream o;
    o << "CsvWriter::row: " << parameters.size() << " parameter values for " << num_parameters_ << " columns";
    throw size_error(o.str());
  }
  std::string text;
  text.reserve(16 * (7 + parameters.size()));
  text.append(number(s.lp)).append(",");
  text.append(number(s.accept_stat)).append(",");
  text.append(number(s.step_size)).append(",");
  text.append(std::to_string(s.tree_depth)).append(",");
  text.append(std::to_string(s.n_leapfrog)).append(",");
  text.append(s.divergent ? "1" : "0").append(",");
  text.append(number(s.energy));
  for (double v : parameters) text.append(",").append(number(v));
  text.append("\n");
  // One write of the whole line, then a flush: a crash leaves at most one partial last line.
  *out_ << text << std::flush;
  ++rows_;
}

void CsvWriter::timing(double warmup_seconds, double sampling_seconds) {
  const double w = std::round(warmup_seconds * 1000.0) / 1000.0;
  const double s = std::round(sampling_seconds * 1000.0) / 1000.0;
  const double t = std::round((w + s) * 1000.0) / 1000.0;
  const std::string title = " Elapsed Time: ";
  const std::string pad(title.size(), ' ');
  std::string text = "# \n";
  text.append("# ").append(title).append(format_number(w, 6)).append(" seconds (Warm-up)\n");
  text.append("# ").append(pad).append(format_number(s, 6)).append(" seconds (Sampling)\n");
  text.append("# ").append(pad).append(format_number(t, 6)).append(" seconds (Total)\n");
  text.append("# \n");
  *out_ << text << std::flush;
}

void CsvWriter::comment(std::string_view text) {
  std::string s = "# ";
  s.append(text);
  line(s);
  *out_ << std::flush;
}

}  // namespace tapir::inference::mcmc
