#include "inference/diagnostics/draws.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "autodiff/errors.hpp"

namespace tapir::inference::diagnostics {

namespace {

[[noreturn]] void throw_ragged(const char* function, std::size_t chain, std::size_t length, std::size_t expected) {
  std::ostringstream o;
  o << function << ": chain " << chain << " has " << length << " draws, chain 0 has " << expected;
  throw size_error(o.str());
}

}  // namespace

Draws::Draws(std::size_t num_chains, std::size_t num_iterations, double value)
    : num_chains_(num_chains), num_iterations_(num_iterations), values_(num_chains * num_iterations, value) {}

Draws::Draws(std::size_t num_chains, std::size_t num_iterations, std::span<const double> chain_major)
    : num_chains_(num_chains), num_iterations_(num_iterations), values_(chain_major.begin(), chain_major.end()) {
  if (chain_major.size() != num_chains * num_iterations) {
    std::ostringstream o;
    o << "Draws: " << chain_major.size() << " values given for " << num_chains << " chains x " << num_iterations
      << " iterations";
    throw size_error(o.str());
  }
}

Draws::Draws(const std::vector<std::vector<double>>& chains) {
  num_chains_ = chains.size();
  num_iterations_ = chains.empty() ? 0 : chains[0].size();
  values_.reserve(num_chains_ * num_iterations_);
  for (std::size_t c = 0; c < chains.size(); ++c) {
    if (chains[c].size() != num_iterations_) throw_ragged("Draws", c, chains[c].size(), num_iterations_);
    values_.insert(values_.end(), chains[c].begin(), chains[c].end());
  }
}

Draws::Draws(std::span<const std::span<const double>> chains) {
  num_chains_ = chains.size();
  num_iterations_ = chains.empty() ? 0 : chains[0].size();
  values_.reserve(num_chains_ * num_iterations_);
  for (std::size_t c = 0; c < chains.size(); ++c) {
    if (chains[c].size() != num_iterations_) throw_ragged("Draws", c, chains[c].size(), num_iterations_);
    values_.insert(values_.end(), chains[c].begin(), chains[c].end());
  }
}

Draws Draws::column(std::span<const std::vector<std::vector<double>>> rows, std::size_t column) {
  const std::size_t m = rows.size();
  const std::size_t n = m == 0 ? 0 : rows[0].size();
  Draws d(m, n);
  for (std::size_t c = 0; c < m; ++c) {
    if (rows[c].size() != n) throw_ragged("Draws::column", c, rows[c].size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      if (column >= rows[c][i].size()) {
        std::ostringstream o;
        o << "Draws::column: column " << column << " requested, chain " << c << " iteration " << i << " has "
          << rows[c][i].size() << " values";
        throw size_error(o.str());
      }
      d(c, i) = rows[c][i][column];
    }
  }
  return d;
}

Draws split_chains(const Draws& draws) {
  const std::size_t n = draws.num_iterations();
  if (n == 1) return draws;
  const std::size_t half = n / 2;
  const std::size_t second = n - half;  // 0-based start of the second half: drops the middle draw for odd n
  Draws out(2 * draws.num_chains(), half);
  for (std::size_t c = 0; c < draws.num_chains(); ++c) {
    auto in = draws.chain(c);
    std::copy(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(half), out.chain(c).begin());
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(second), in.end(), out.chain(draws.num_chains() + c).begin());
  }
  return out;
}

bool any_nonfinite(std::span<const double> x) noexcept {
  return std::any_of(x.begin(), x.end(), [](double v) { return !std::isfinite(v); });
}

bool is_constant(std::span<const double> x, double tolerance) noexcept {
  if (x.empty()) return true;
  auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  return std::abs(*hi - *lo) < tolerance;
}

bool is_degenerate(std::span<const double> x) noexcept { return any_nonfinite(x) || is_constant(x); }

}  // namespace tapir::inference::diagnostics
