#include "inference/diagnostics/summary.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "autodiff/errors.hpp"
#include "inference/diagnostics/ess.hpp"
#include "inference/diagnostics/mcse.hpp"
#include "inference/diagnostics/quantile.hpp"
#include "inference/diagnostics/rhat.hpp"

namespace tapir::inference::diagnostics {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

Summary summarize(const Draws& draws) {
  const auto x = draws.values();
  const std::size_t s = x.size();
  Summary out{nan, nan, nan, nan, nan, nan, nan, nan, nan, nan};
  if (s == 0 || std::any_of(x.begin(), x.end(), [](double v) { return std::isnan(v); })) return out;
  // Mean with one correction pass (as R's mean), sd with divisor S - 1.
  double sum = 0.0;
  for (double v : x) sum += v;
  double mean = sum / static_cast<double>(s);
  if (std::isfinite(mean)) {
    double corr = 0.0;
    for (double v : x) corr += v - mean;
    mean += corr / static_cast<double>(s);
  }
  out.mean = mean;
  if (s > 1) {
    double ss = 0.0;
    for (double v : x) ss += (v - mean) * (v - mean);
    out.sd = std::sqrt(ss / static_cast<double>(s - 1));
  }
  const double probs[] = {0.05, 0.5, 0.95};
  const std::vector<double> q = quantiles(x, probs);
  out.q05 = q[0];
  out.q50 = q[1];
  out.q95 = q[2];
  out.mcse_mean = mcse_mean(draws);
  out.mcse_sd = mcse_sd(draws);
  out.ess_bulk = ess_bulk(draws);
  out.ess_tail = ess_tail(draws);
  out.rhat = rhat(draws);
  return out;
}

std::vector<Summary> summarize_columns(std::span<const std::vector<std::vector<double>>> rows) {
  const std::size_t columns = rows.empty() || rows[0].empty() ? 0 : rows[0][0].size();
  std::vector<Summary> out;
  out.reserve(columns);
  for (std::size_t j = 0; j < columns; ++j) out.push_back(summarize(Draws::column(rows, j)));
  return out;
}

void write_summary_table(std::ostream& out, std::span<const std::string> names, std::span<const Summary> summaries,
                         int digits) {
  if (names.size() != summaries.size()) {
    std::ostringstream o;
    o << "write_summary_table: " << names.size() << " names for " << summaries.size() << " summaries";
    throw size_error(o.str());
  }
  std::size_t name_width = 8;
  for (const auto& n : names) name_width = std::max(name_width, n.size() + 1);
  const int w = std::max(10, digits + 7);
  auto number = [&](double v, bool integer) {
    std::ostringstream o;
    if (std::isnan(v))
      o << "NA";
    else if (integer && std::isfinite(v))
      o << std::llround(v);
    else
      o << std::setprecision(digits) << v;
    return o.str();
  };
  out << std::left << std::setw(static_cast<int>(name_width)) << "variable" << std::right;
  for (const char* h : {"mean", "mcse_mean", "sd", "mcse_sd", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat"})
    out << std::setw(w) << h;
  out << '\n';
  for (std::size_t k = 0; k < names.size(); ++k) {
    const Summary& s = summaries[k];
    out << std::left << std::setw(static_cast<int>(name_width)) << names[k] << std::right;
    for (double v : {s.mean, s.mcse_mean, s.sd, s.mcse_sd, s.q05, s.q50, s.q95}) out << std::setw(w) << number(v, false);
    out << std::setw(w) << number(s.ess_bulk, true) << std::setw(w) << number(s.ess_tail, true);
    out << std::setw(w) << number(s.rhat, false) << '\n';
  }
}

}  // namespace tapir::inference::diagnostics
