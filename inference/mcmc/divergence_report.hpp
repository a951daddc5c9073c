#pragma once
// Where divergences happen: for every constrained parameter, where the divergent trajectories'
// last finite points sit compared with the draws. A divergence concentrated in one region (a
// funnel's neck: small scale parameters) shows as a large standardized shift of that parameter,
// the numerical form of the pairs plots of ../shared/seeds/advanced-inference.md.
#include <string>
#include <vector>

#include "inference/mcmc/sampler.hpp"

namespace tapir::inference::mcmc {

struct DivergenceLocation {
  std::string parameter;   // constrained name, CmdStan style
  double draws_mean = 0.0, draws_sd = 0.0;
  double divergent_mean = 0.0;
  double shift = 0.0;      // (divergent_mean - draws_mean) / draws_sd
};

struct DivergenceReport {
  std::size_t divergences = 0;   // after warmup, all chains
  std::size_t iterations = 0;    // sampling iterations, all chains
  std::vector<DivergenceLocation> locations;  // sorted by |shift|, largest first
  std::string text(std::size_t max_rows = 10) const;
};

DivergenceReport divergence_report(const models::Model& model, const std::vector<ChainResult>& chains);

}  // namespace tapir::inference::mcmc
