// CmdStan-layout CSV output and its reader: exact header, adaptation and timing lines, column
// names, number formatting, full-precision round trips, flushing and truncated files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/errors.hpp"
#include "inference/mcmc/csv_reader.hpp"
#include "inference/mcmc/csv_writer.hpp"

using namespace tapir::inference::mcmc;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// A struct shaped like the sampler's SamplerRow (inference/mcmc/sampler.hpp).
struct Row {
  double lp, accept_stat, step_size;
  int tree_depth, n_leapfrog;
  bool divergent;
  double energy;
};

std::uint64_t bits(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("tapir_csv_writer_test_" + name + ".csv");
}

}  // namespace

TEST_CASE("header: CmdStan's argument tree, (Default) marks, column names") {
  std::ostringstream out;
  CsvWriter w(out);
  CsvConfig c;
  c.model = "eight_schools";
  c.seed = 4711;
  c.id = 2;
  c.num_chains = 4;
  c.delta = 0.95;
  c.output_file = "eight_schools_2.csv";
  c.extra = {{"tapir_version", "0.1.0"}};
  const std::vector<std::string> names{"mu", "tau", "theta.1", "theta.2"};
  w.header(c, names);
  const std::vector<std::string> expected{
      "# model = eight_schools",
      "# method = sample (Default)",
      "#   sample",
      "#     num_samples = 1000 (Default)",
      "#     num_warmup = 1000 (Default)",
      "#     save_warmup = 0 (Default)",
      "#     thin = 1 (Default)",
      "#     adapt",
      "#       engaged = 1 (Default)",
      "#       gamma = 0.05 (Default)",
      "#       delta = 0.95",
      "#       kappa = 0.75 (Default)",
      "#       t0 = 10 (Default)",
      "#       init_buffer = 75 (Default)",
      "#       term_buffer = 50 (Default)",
      "#       window = 25 (Default)",
      "#     algorithm = hmc (Default)",
      "#       hmc",
      "#         engine = nuts (Default)",
      "#           nuts",
      "#             max_depth = 10 (Default)",
      "#         metric = diag_e (Default)",
      "#         metric_file =  (Default)",
      "#         stepsize = 1 (Default)",
      "#         stepsize_jitter = 0 (Default)",
      "#     num_chains = 4",
      "# id = 2",
      "# data",
      "#   file =  (Default)",
      "# init = 2 (Default)",
      "# random",
      "#   seed = 4711",
      "# output",
      "#   file = eight_schools_2.csv",
      "#   diagnostic_file =  (Default)",
      "#   refresh = 100 (Default)",
      "#   sig_figs = -1 (Default)",
      "# num_threads = 1 (Default)",
      "# tapir_version = 0.1.0",
      "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,tau,theta.1,theta.2",
  };
  CHECK(lines_of(out.str()) == expected);
  CHECK_THROWS_AS(w.header(c, names), std::logic_error);

  std::ostringstream dense_out;
  CsvWriter d(dense_out);
  CsvConfig dc;
  dc.dense_metric = true;
  dc.save_warmup = true;
  dc.adapt_engaged = false;
  d.header(dc, names);
  const auto l = lines_of(dense_out.str());
  CHECK(std::find(l.begin(), l.end(), "#         metric = dense_e") != l.end());
  CHECK(std::find(l.begin(), l.end(), "#     save_warmup = 1") != l.end());
  CHECK(std::find(l.begin(), l.end(), "#       engaged = 0") != l.end());
}

TEST_CASE("rows with CmdStan's default 6 significant digits; adaptation and timing blocks") {
  std::ostringstream out;
  CsvWriter w(out);
  w.header(CsvConfig{}, std::vector<std::string>{"a", "b", "c", "d"});
  const std::size_t header_lines = lines_of(out.str()).size();
  w.adaptation(0.893542123, std::vector<double>{1.23456789, 0.3, 1e-7});
  w.row(Row{-6.748271, 0.9692821, 0.893542123, 2, 3, false, 6.7765712},
        std::vector<double>{0.246298123, 123456789.0, std::numeric_limits<double>::quiet_NaN(), -1e-5});
  w.row(CsvSamplerValues{-7.0, 1.0, 0.893542123, 10, 1023, true, std::numeric_limits<double>::infinity()},
        std::vector<double>{1.0, -0.5, 2.0, 3.0});
  w.timing(0.0041, 0.01349);
  const auto l = lines_of(out.str());
  const std::vector<std::string> expected{
      "# Adaptation terminated",
      "# Step size = 0.893542",
      "# Diagonal elements of inverse mass matrix:",
      "# 1.23457, 0.3, 1e-07",
      "-6.74827,0.969282,0.893542,2,3,0,6.77657,0.246298,1.23457e+08,nan,-1e-05",
      "-7,1,0.893542,10,1023,1,inf,1,-0.5,2,3",
      "# ",
      "#  Elapsed Time: 0.004 seconds (Warm-up)",
      "#                0.013 seconds (Sampling)",
      "#                0.017 seconds (Total)",
      "# ",
  };
  CHECK(std::vector<std::string>(l.begin() + static_cast<std::ptrdiff_t>(header_lines), l.end()) == expected);
  CHECK(w.num_rows() == 2);
}

TEST_CASE("dense inverse metric block") {
  std::ostringstream out;
  CsvWriter w(out);
  CsvConfig c;
  c.dense_metric = true;
  w.header(c, std::vector<std::string>{"x.1", "x.2"});
  w.adaptation(0.5, std::vector<double>{2.0, 0.25, 0.25, 1.5}, 2);
  const std::string text = out.str();
  CHECK(text.find("# Adaptation terminated\n# Step size = 0.5\n# Elements of inverse mass matrix:\n"
                  "# 2, 0.25\n# 0.25, 1.5\n") != std::string::npos);
  CHECK_THROWS_AS(w.adaptation(0.5, std::vector<double>{1.0, 2.0, 3.0}, 2), tapir::size_error);
  std::istringstream in(text);
  const StanCsv csv = read_stan_csv(in);
  CHECK(csv.dense_metric);
  CHECK(csv.inverse_metric == std::vector<double>{2.0, 0.25, 0.25, 1.5});
  CHECK(csv.step_size == 0.5);
}

TEST_CASE("writer errors") {
  std::ostringstream out;
  CsvWriter w(out);
  CHECK_THROWS_AS(w.row(CsvSamplerValues{}, std::vector<double>{1.0}), std::logic_error);
  CsvConfig bad;
  bad.sig_figs = 30;
  CHECK_THROWS_AS(w.header(bad, std::vector<std::string>{"a"}), tapir::domain_error);
  w.header(CsvConfig{}, std::vector<std::string>{"a"});
  CHECK_THROWS_AS(w.row(CsvSamplerValues{}, std::vector<double>{1.0, 2.0}), tapir::size_error);
  CHECK_THROWS_AS(CsvWriter("/nonexistent_dir_tapir/x.csv"), std::runtime_error);
}

TEST_CASE("write, read back: configuration, columns, warmup rows, metric, timing, full precision") {
  std::ostringstream out;
  CsvWriter w(out);
  CsvConfig c;
  c.model = "m";
  c.sig_figs = CsvWriter::full_precision;
  c.save_warmup = true;
  c.num_warmup = 2;
  c.num_samples = 3;
  c.seed = 18446744073709551615ULL;
  c.data_file = "data.json";
  w.header(c, std::vector<std::string>{"theta.1", "theta.2", "sigma"});

  // Awkward doubles: thirds, tiny and huge magnitudes, a denormal, signed zero, non-finite values.
  const std::vector<std::vector<double>> params{
      {1.0 / 3.0, -2.0 / 7.0, 0.1},
      {1e-300, 6.02214076e23, std::nextafter(1.0, 2.0)},
      {4.9406564584124654e-324, -0.0, std::numeric_limits<double>::max()},
      {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
       -std::numeric_limits<double>::infinity()},
      {3.141592653589793, 2.718281828459045, -1.4142135623730951}};
  std::vector<Row> rows;
  for (std::size_t i = 0; i < params.size(); ++i)
    rows.push_back(Row{-1.0 / (3.0 + double(i)), 0.123456789012345678, 0.7071067811865476, int(i), int(2 * i + 1),
                       i == 3, 10.0 / 7.0 + double(i)});
  w.row(rows[0], params[0]);
  w.row(rows[1], params[1]);
  w.adaptation(0.7071067811865476, std::vector<double>{1.0 / 3.0, 2.0 / 3.0, 1e-10});
  for (std::size_t i = 2; i < params.size(); ++i) w.row(rows[i], params[i]);
  w.timing(1.2345, 6.789);

  std::istringstream in(out.str());
  const StanCsv csv = read_stan_csv(in);
  CHECK_FALSE(csv.truncated);
  CHECK(csv.column_names == std::vector<std::string>{"lp__", "accept_stat__", "stepsize__", "treedepth__",
                                                      "n_leapfrog__", "divergent__", "energy__", "theta.1", "theta.2",
                                                      "sigma"});
  REQUIRE(csv.draws.size() == 5);
  CHECK(csv.num_warmup_draws == 2);
  CHECK(csv.adaptation_found);
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const auto& d = csv.draws[i];
    CHECK(bits(d[0]) == bits(rows[i].lp));
    CHECK(bits(d[1]) == bits(rows[i].accept_stat));
    CHECK(bits(d[2]) == bits(rows[i].step_size));
    CHECK(d[3] == rows[i].tree_depth);
    CHECK(d[4] == rows[i].n_leapfrog);
    CHECK(d[5] == (rows[i].divergent ? 1.0 : 0.0));
    CHECK(bits(d[6]) == bits(rows[i].energy));
    for (std::size_t j = 0; j < 3; ++j) {
      CAPTURE(j);
      if (std::isnan(params[i][j]))
        CHECK(std::isnan(d[7 + j]));
      else
        CHECK(bits(d[7 + j]) == bits(params[i][j]));
    }
  }
  CHECK(bits(csv.step_size) == bits(0.7071067811865476));
  CHECK_FALSE(csv.dense_metric);
  REQUIRE(csv.inverse_metric.size() == 3);
  CHECK(bits(csv.inverse_metric[0]) == bits(1.0 / 3.0));
  CHECK(bits(csv.inverse_metric[2]) == bits(1e-10));
  CHECK(csv.warmup_seconds == 1.235);
  CHECK(csv.sampling_seconds == 6.789);
  CHECK(csv.total_seconds == 8.024);

  CHECK(csv.find("model") == "m");
  CHECK(csv.find("sample.adapt.delta") == "0.8");
  CHECK(csv.find("delta") == "0.8");
  CHECK(csv.find("sample.hmc.nuts.max_depth") == "10");
  CHECK(csv.find("sample.hmc.metric") == "diag_e");
  CHECK(csv.find("random.seed") == "18446744073709551615");
  CHECK(csv.find("data.file") == "data.json");
  CHECK(csv.find("output.file") == "output.csv");
  CHECK(csv.find("output.sig_figs") == "17");
  CHECK(csv.find("save_warmup") == "1");
  CHECK_FALSE(csv.find("no_such_key").has_value());

  const std::vector<double> sampling_sigma = csv.column_values("sigma", true);
  REQUIRE(sampling_sigma.size() == 3);
  CHECK(sampling_sigma[0] == std::numeric_limits<double>::max());
  CHECK(csv.column("theta.2") == 8);
  CHECK_THROWS_AS(csv.column("theta.3"), std::out_of_range);
}

TEST_CASE("a file is readable while being written, and a truncated file reads to its last complete row") {
  const auto path = temp_file("truncated");
  {
    CsvWriter w(path.string());
    w.header(CsvConfig{}, std::vector<std::string>{"x", "y"});
    w.adaptation(0.25, std::vector<double>{1.0, 2.0});
    for (int i = 0; i < 10; ++i) {
      w.row(CsvSamplerValues{-1.0 * i, 0.9, 0.25, 2, 3, false, 1.5 * i}, std::vector<double>{0.123456 * i, 1.0 + i});
      // Every row is flushed: a reader sees it at once, with the writer still open.
      const StanCsv now = read_stan_csv(path.string());
      CHECK(now.draws.size() == static_cast<std::size_t>(i + 1));
      CHECK_FALSE(now.truncated);
    }
  }  // no timing block: as if the run was stopped
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Cut the file in the middle of its last row (inside the energy__ value 13.5).
  const std::size_t last_row = text.rfind('\n', text.size() - 2) + 1;
  const std::string cut = text.substr(0, last_row + 20);
  {
    std::istringstream in(cut);
    const StanCsv csv = read_stan_csv(in);
    CHECK(csv.truncated);
    REQUIRE(csv.draws.size() == 9);
    CHECK(csv.draws[8][csv.column("y")] == 9.0);
    CHECK(csv.step_size == 0.25);
    CHECK(std::isnan(csv.warmup_seconds));
  }
  // Cut just before the newline of the last row: that row is still incomplete.
  {
    std::istringstream in(text.substr(0, text.size() - 1));
    const StanCsv csv = read_stan_csv(in);
    CHECK(csv.truncated);
    CHECK(csv.draws.size() == 9);
  }
  // Cut exactly at a row boundary: nothing is lost.
  {
    std::istringstream in(text.substr(0, last_row));
    const StanCsv csv = read_stan_csv(in);
    CHECK_FALSE(csv.truncated);
    CHECK(csv.draws.size() == 9);
  }
  // A malformed row in the middle is an error, not silently skipped.
  {
    std::string broken = text;
    broken.insert(last_row, "1,2,3\n");
    std::istringstream in(broken);
    CHECK_THROWS_AS(read_stan_csv(in), std::runtime_error);
  }
  std::filesystem::remove(path);
  CHECK_THROWS_AS(read_stan_csv(path.string()), std::runtime_error);
}

TEST_CASE("reading a file in CmdStan 2.33's own layout") {
  // Shaped like CmdStan's output (version lines, true/false booleans, CRLF line ends, a blank
  // comment inside the header); the numbers are made up.
  const std::string text =
      "# stan_version_major = 2\r\n"
      "# stan_version_minor = 33\r\n"
      "# model = bernoulli_model\r\n"
      "# method = sample (Default)\r\n"
      "#   sample\r\n"
      "#     num_samples = 4\r\n"
      "#     num_warmup = 1000 (Default)\r\n"
      "#     save_warmup = false (Default)\r\n"
      "#     thin = 1 (Default)\r\n"
      "#     adapt\r\n"
      "#       engaged = true (Default)\r\n"
      "#       delta = 0.80000000000000004 (Default)\r\n"
      "#     algorithm = hmc (Default)\r\n"
      "#       hmc\r\n"
      "#         engine = nuts (Default)\r\n"
      "#           nuts\r\n"
      "#             max_depth = 10 (Default)\r\n"
      "#         metric = diag_e (Default)\r\n"
      "# id = 1 (Default)\r\n"
      "# random\r\n"
      "#   seed = 1234\r\n"
      "# stanc_version = stanc3 v2.33.1\r\n"
      "# \r\n"
      "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,theta\r\n"
      "# Adaptation terminated\r\n"
      "# Step size = 0.932\r\n"
      "# Diagonal elements of inverse mass matrix:\r\n"
      "# 0.5321\r\n"
      "-6.9,0.91,0.932,1,3,0,7.1,0.21\r\n"
      "-7.2,0.85,0.932,2,3,0,7.4,0.35\r\n"
      "-6.8,1,0.932,1,1,0,7.0,0.25\r\n"
      "-8.1,0.64,0.932,1,3,0,8.3,0.05\r\n"
      "# \r\n"
      "#  Elapsed Time: 0.005 seconds (Warm-up)\r\n"
      "#                0.011 seconds (Sampling)\r\n"
      "#                0.016 seconds (Total)\r\n"
      "# \r\n";
  std::istringstream in(text);
  const StanCsv csv = read_stan_csv(in);
  CHECK(csv.column_names.back() == "theta");
  REQUIRE(csv.draws.size() == 4);
  CHECK(csv.num_warmup_draws == 0);
  CHECK(csv.column_values("theta") == std::vector<double>{0.21, 0.35, 0.25, 0.05});
  CHECK(csv.step_size == 0.932);
  CHECK(csv.inverse_metric == std::vector<double>{0.5321});
  CHECK(csv.find("stan_version_minor") == "33");
  CHECK(csv.find("sample.adapt.delta") == "0.80000000000000004");
  CHECK(csv.find("sample.hmc.nuts.max_depth") == "10");
  CHECK(csv.find("random.seed") == "1234");
  CHECK(csv.find("stanc_version") == "stanc3 v2.33.1");
  CHECK(csv.sampling_seconds == 0.011);
  CHECK(csv.total_seconds == 0.016);
}

TEST_CASE("format_number") {
  CHECK(format_number(0.123456789, 6) == "0.123457");
  CHECK(format_number(1e-5, 6) == "1e-05");
  CHECK(format_number(123456.7, 6) == "123457");
  CHECK(format_number(1234567.0, 6) == "1.23457e+06");
  CHECK(format_number(3.0, 6) == "3");
  CHECK(format_number(-0.0, 6) == "-0");
  CHECK(format_number(0.1, 17) == "0.10000000000000001");
  CHECK(format_number(std::numeric_limits<double>::quiet_NaN(), 6) == "nan");
  CHECK(format_number(-std::numeric_limits<double>::infinity(), 6) == "-inf");
  CHECK(sampler_column_names().size() == 7);
}
