#include "inference/diagnostics/rank_normalization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "autodiff/special_functions.hpp"
#include "inference/diagnostics/quantile.hpp"

namespace tapir::inference::diagnostics {

std::vector<double> average_ranks(std::span<const double> x) {
  const std::size_t n = x.size();
  std::vector<double> ranks(n, std::numeric_limits<double>::quiet_NaN());
  std::vector<std::size_t> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isnan(x[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  for (std::size_t first = 0; first < order.size();) {
    std::size_t last = first;  // the tie group is order[first .. last]
    while (last + 1 < order.size() && x[order[last + 1]] == x[order[first]]) ++last;
    // 1-based ranks first+1 .. last+1, averaged.
    const double r = (static_cast<double>(first + 1) + static_cast<double>(last + 1)) / 2.0;
    for (std::size_t k = first; k <= last; ++k) ranks[order[k]] = r;
    first = last + 1;
  }
  return ranks;
}

Draws rank_normalize(const Draws& draws) {
  Draws z = draws;
  const std::vector<double> r = average_ranks(draws.values());
  const double s = static_cast<double>(draws.size());
  auto out = z.values();
  for (std::size_t i = 0; i < r.size(); ++i)
    out[i] = std::isnan(r[i]) ? r[i] : autodiff::inv_Phi((r[i] - 3.0 / 8.0) / (s + 1.0 / 4.0));
  return z;
}

Draws fold(const Draws& draws) {
  Draws f = draws;
  const double m = median(draws.values());
  for (double& v : f.values()) v = std::abs(v - m);
  return f;
}

}  // namespace tapir::inference::diagnostics
