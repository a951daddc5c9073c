#pragma once
// Draws of one scalar quantity from several Markov chains: a chains x iterations matrix, stored
// chain by chain. Every diagnostic in inference/diagnostics/ takes its draws as a `Draws`, which
// converts implicitly from a std::vector<std::vector<double>> (one inner vector per chain) and from
// a std::span<const std::span<const double>>; the chains must all have the same length.
//
//   std::vector<std::vector<double>> chains = ...;      // chains[c][i]
//   double r = rhat(chains);
//   Draws theta = Draws::column(chain_rows, 3);         // column 3 of per-chain draw rows
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace tapir::inference::diagnostics {

class Draws {
 public:
  Draws() = default;
  // num_chains chains of num_iterations draws, all equal to value.
  Draws(std::size_t num_chains, std::size_t num_iterations, double value = 0.0);
  // values holds chain 0's draws, then chain 1's, ...; its size must be num_chains * num_iterations.
  Draws(std::size_t num_chains, std::size_t num_iterations, std::span<const double> chain_major);
  // One inner vector (span) per chain; throws tapir::size_error if their lengths differ.
  Draws(const std::vector<std::vector<double>>& chains);  // NOLINT(google-explicit-constructor)
  Draws(std::span<const std::span<const double>> chains);  // NOLINT(google-explicit-constructor)

  // Column `column` of per-chain draw rows: rows[c][i][column] is chain c's draw at iteration i
  // (the layout of the sampler's ChainResult::draws). Throws tapir::size_error on ragged input.
  static Draws column(std::span<const std::vector<std::vector<double>>> rows, std::size_t column);

  std::size_t num_chains() const noexcept { return num_chains_; }
  std::size_t num_iterations() const noexcept { return num_iterations_; }
  std::size_t size() const noexcept { return values_.size(); }
  bool empty() const noexcept { return values_.empty(); }

  std::span<const double> chain(std::size_t c) const noexcept {
    return {values_.data() + c * num_iterations_, num_iterations_};
  }
  std::span<double> chain(std::size_t c) noexcept { return {values_.data() + c * num_iterations_, num_iterations_}; }
  double operator()(std::size_t c, std::size_t i) const noexcept { return values_[c * num_iterations_ + i]; }
  double& operator()(std::size_t c, std::size_t i) noexcept { return values_[c * num_iterations_ + i]; }

  // All draws, chain-major.
  std::span<const double> values() const noexcept { return values_; }
  std::span<double> values() noexcept { return values_; }

 private:
  std::size_t num_chains_ = 0, num_iterations_ = 0;
  std::vector<double> values_;
};

// Split each chain into its first and second halves, giving 2M chains of floor(N/2) draws
// (Vehtari et al. 2021, section 4.1). With an odd N the middle draw is dropped, as Stan's
// split_chains and posterior's .split_chains do (the first half is draws 1..floor(N/2), the second
// ceil(N/2 + 1)..N, 1-based). The first halves come first: chain c's halves become chains c and
// M + c (posterior's column order). N = 1 is returned unchanged.
Draws split_chains(const Draws& draws);

// True if any draw is NaN or infinite.
bool any_nonfinite(std::span<const double> x) noexcept;

// True if max - min < tolerance over all draws (posterior's is_constant, with its absolute
// tolerance of the double epsilon). Empty input counts as constant.
bool is_constant(std::span<const double> x,
                 double tolerance = std::numeric_limits<double>::epsilon()) noexcept;

// any_nonfinite(x) || is_constant(x): the draws for which posterior returns NA (here NaN) for
// R-hat, ESS and the MCSEs built on ESS (posterior's should_return_NA).
bool is_degenerate(std::span<const double> x) noexcept;

}  // namespace tapir::inference::diagnostics
