#include "inference/mcmc/divergence_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace tapir::inference::mcmc {

DivergenceReport divergence_report(const models::Model& model, const std::vector<ChainResult>& chains) {
  DivergenceReport r;
  const std::vector<std::string> names = model.constrained_names(models::NameStyle::cmdstan, false);
  const std::size_t m = names.size();
  std::vector<double> sum(m, 0.0), sum_sq(m, 0.0), div_sum(m, 0.0);
  double n_draws = 0.0;
  for (const ChainResult& c : chains) {
    for (std::size_t k = c.num_warmup_rows; k < c.draws.size(); ++k) {
      for (std::size_t j = 0; j < m; ++j) {
        sum[j] += c.draws[k][j];
        sum_sq[j] += c.draws[k][j] * c.draws[k][j];
      }
      n_draws += 1.0;
    }
    r.iterations += c.draws.size() - c.num_warmup_rows;
    for (const Divergence& d : c.divergences) {
      if (d.warmup || d.unconstrained.empty()) continue;
      ++r.divergences;
      const std::vector<double> constrained = model.constrain(d.unconstrained);
      for (std::size_t j = 0; j < m; ++j) div_sum[j] += constrained[j];
    }
  }
  if (r.divergences == 0 || n_draws < 2) return r;
  for (std::size_t j = 0; j < m; ++j) {
    DivergenceLocation l;
    l.parameter = names[j];
    l.draws_mean = sum[j] / n_draws;
    l.draws_sd = std::sqrt(std::max(0.0, (sum_sq[j] - n_draws * l.draws_mean * l.draws_mean) / (n_draws - 1.0)));
    l.divergent_mean = div_sum[j] / static_cast<double>(r.divergences);
    l.shift = l.draws_sd > 0 ? (l.divergent_mean - l.draws_mean) / l.draws_sd : 0.0;
    r.locations.push_back(l);
  }
  std::stable_sort(r.locations.begin(), r.locations.end(),
                   [](const auto& a, const auto& b) { return std::abs(a.shift) > std::abs(b.shift); });
  return r;
}

std::string DivergenceReport::text(std::size_t max_rows) const {
  std::ostringstream o;
  char line[256];
  std::snprintf(line, sizeof line, "%zu of %zu iterations after warmup ended with a divergence (%.2f%%).\n", divergences,
                iterations, iterations ? 100.0 * static_cast<double>(divergences) / static_cast<double>(iterations) : 0.0);
  o << line;
  if (divergences == 0) return o.str();
  o << "Where they happen (standardized shift of the divergent points from the draws):\n";
  std::snprintf(line, sizeof line, "  %-24s %12s %12s %12s %8s\n", "parameter", "draws mean", "draws sd", "divergent",
                "shift");
  o << line;
  for (std::size_t k = 0; k < locations.size() && k < max_rows; ++k) {
    const auto& l = locations[k];
    std::snprintf(line, sizeof line, "  %-24s %12.4g %12.4g %12.4g %+8.2f\n", l.parameter.c_str(), l.draws_mean,
                  l.draws_sd, l.divergent_mean, l.shift);
    o << line;
  }
  return o.str();
}

}  // namespace tapir::inference::mcmc
