#pragma once
// Writing one chain's draws in CmdStan's sampler CSV layout, so that tools written for CmdStan
// (ArviZ's from_cmdstan, cmdstanpy, cmdstanr/posterior, rstan's read_stan_csv) read tapir's output.
// One file per chain, as CmdStan writes it:
//
//   # model = eight_schools                      <- header(): the configuration as CmdStan's
//   # method = sample (Default)                     argument tree, "(Default)" after every value
//   #   sample                                      equal to CmdStan's default
//   #     num_samples = 1000 (Default)
//   ...
//   lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1,...
//   -4.1,0.93,0.51,3,7,0,6.2,...                 <- row(): saved warmup draws, if any
//   # Adaptation terminated                      <- adaptation(): step size and inverse metric
//   # Step size = 0.51                              ("Diagonal elements of inverse mass matrix:"
//   # Diagonal elements of inverse mass matrix:     and one line, or "Elements of inverse mass
//   # 1.2, 0.3                                      matrix:" and one line per row for dense_e)
//   -3.9,0.88,0.51,2,3,0,5.0,...                 <- row(): sampling draws
//   #
//   #  Elapsed Time: 0.012 seconds (Warm-up)     <- timing()
//   #                0.034 seconds (Sampling)
//   #                0.046 seconds (Total)
//   #
//
// Numbers: every value is written with `sig_figs` significant digits in the %g style, as CmdStan
// does; the default (sig_figs = -1) is CmdStan's 6 digits. sig_figs = CsvWriter::full_precision
// (17) writes every double so that it reads back bit-identical. treedepth__, n_leapfrog__ and
// divergent__ are written as exact integers. NaN and infinities are written nan, inf, -inf.
// The step size and metric lines use the same precision (CmdStan always uses 6 there).
//
// Crash safety: every call writes whole lines and flushes the stream (to the operating system,
// no fsync), so an interrupted run leaves a file whose complete lines are all valid; read_stan_csv
// (csv_reader.hpp) drops a final line cut short.
//
// A sampler loop:
//   CsvWriter w("output_1.csv");
//   w.header(config, names);                     // names: "mu", "theta.1", ... (CmdStan style)
//   for each warmup iteration (if save_warmup): w.row(sampler_row, draws);
//   w.adaptation(step_size, metric.inverse_diagonal());        // or (step, dense values, n)
//   for each sampling iteration:                w.row(sampler_row, draws);
//   w.timing(warmup_seconds, sampling_seconds);
// row() takes the sampler values as any struct with members lp, accept_stat, step_size,
// tree_depth, n_leapfrog, divergent and energy (inference/mcmc/sampler.hpp's SamplerRow, or
// CsvSamplerValues below).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tapir::inference::mcmc {

// The configuration written in the header; defaults are CmdStan's, and a value equal to CmdStan's
// default is marked "(Default)" as CmdStan marks it.
struct CsvConfig {
  std::string model = "model";
  int num_samples = 1000;
  int num_warmup = 1000;
  bool save_warmup = false;
  int thin = 1;
  bool adapt_engaged = true;
  double gamma = 0.05, delta = 0.8, kappa = 0.75, t0 = 10.0;
  unsigned init_buffer = 75, term_buffer = 50, window = 25;
  int max_depth = 10;
  bool dense_metric = false;  // metric = dense_e, else diag_e
  std::string metric_file;
  double stepsize = 1.0, stepsize_jitter = 0.0;
  int num_chains = 1;
  int id = 1;  // the chain's id, 1-based as CmdStan's
  std::string data_file;
  std::string init = "2";
  std::uint64_t seed = 0;
  std::string output_file = "output.csv";
  std::string diagnostic_file;
  int refresh = 100;
  int sig_figs = -1;  // -1: 6 significant digits, as CmdStan; 1..18 otherwise
  int num_threads = 1;
  // Further "# key = value" lines written after the CmdStan ones (e.g. {"tapir_version", "0.1.0"}).
  std::vector<std::pair<std::string, std::string>> extra;
};

// The sampler's own columns of one iteration, in CmdStan's order.
struct CsvSamplerValues {
  double lp = 0.0, accept_stat = 0.0, step_size = 0.0;
  int tree_depth = 0, n_leapfrog = 0;
  bool divergent = false;
  double energy = 0.0;
};

// The names of the sampler's columns: lp__, accept_stat__, stepsize__, treedepth__,
// n_leapfrog__, divergent__, energy__.
std::span<const std::string_view> sampler_column_names() noexcept;

class CsvWriter {
 public:
  static constexpr int default_sig_figs = 6;
  static constexpr int full_precision = 17;  // every double round-trips

  // Creates (truncates) the file; throws std::runtime_error if it cannot be opened.
  explicit CsvWriter(const std::string& path);
  // Writes to a stream the caller keeps alive.
  explicit CsvWriter(std::ostream& out);

  // The configuration comments and the column header row. Throws tapir::domain_error for
  // sig_figs outside -1 and 1..18, std::logic_error if called twice.
  void header(const CsvConfig& config, std::span<const std::string> parameter_names);

  // "# Adaptation terminated", the step size and the diagonal of the inverse metric.
  void adaptation(double step_size, std::span<const double> inverse_metric_diagonal);
  // The same with a dense inverse metric: dimension x dimension values, row-major (a
  // tapir::autodiff::Matrix's data()). Throws tapir::size_error if the sizes do not match.
  void adaptation(double step_size, std::span<const double> inverse_metric_dense, std::size_t dimension);

  // One draw: the seven sampler columns and the parameter values, as many as the names given to
  // header() (else tapir::size_error); std::logic_error before header().
  void row(const CsvSamplerValues& sampler, std::span<const double> parameters);
  template <class Row>
    requires requires(const Row& r) {
      r.lp;
      r.accept_stat;
      r.step_size;
      r.tree_depth;
      r.n_leapfrog;
      r.divergent;
      r.energy;
    }
  void row(const Row& r, std::span<const double> parameters) {
    row(CsvSamplerValues{static_cast<double>(r.lp), static_cast<double>(r.accept_stat),
                         static_cast<double>(r.step_size), static_cast<int>(r.tree_depth),
                         static_cast<int>(r.n_leapfrog), static_cast<bool>(r.divergent), static_cast<double>(r.energy)},
            parameters);
  }

  // The timing block; times are rounded to milliseconds (CmdStan measures in milliseconds).
  void timing(double warmup_seconds, double sampling_seconds);

  // A free comment line "# text".
  void comment(std::string_view text);

  int sig_figs() const noexcept { return sig_figs_; }
  std::size_t num_rows() const noexcept { return rows_; }

 private:
  void line(std::string_view text);
  std::string number(double v) const;

  std::unique_ptr<std::ofstream> file_;
  std::ostream* out_;
  int sig_figs_ = default_sig_figs;
  bool header_written_ = false;
  std::size_t num_parameters_ = 0;
  std::size_t rows_ = 0;
};

// v with `digits` significant digits in the %g style (CmdStan's stream output at that precision):
// 0.123457, 1e-05, 12345.7, 3, nan, inf, -inf.
std::string format_number(double v, int digits);

}  // namespace tapir::inference::mcmc
