#pragma once
// The No-U-Turn sampler as Stan implements it since 2.21 (stan-dev/stan base_nuts.hpp; facts in
// ../shared/references/nuts-reference.md): multinomial sampling over the trajectory, biased
// progressive sampling at the top level and uniform progressive sampling inside subtrees, the
// generalized U-turn criterion checked across the whole merged span and across the two halves
// (stan-dev/stan #2799), maximum tree depth 10 by default, divergence when the energy error
// exceeds 1000.
//
// State plus a pure step function (as BlackJAX does): `nuts_step` returns the next state and an
// info record, so adaptation, chains and progress reporting compose around it.
#include <span>
#include <utility>
#include <vector>

#include "distributions/random.hpp"
#include "inference/mcmc/metric.hpp"
#include "models/model.hpp"

namespace tapir::inference::mcmc {

// A position on the unconstrained space with its log density and gradient.
struct HmcState {
  std::vector<double> position;
  double log_density = 0.0;
  std::vector<double> gradient;
};

struct NutsParameters {
  double step_size = 1.0;
  Metric metric;
  int max_depth = 10;
  double max_delta_h = 1000.0;
};

struct NutsInfo {
  double accept_stat = 0.0;  // mean Metropolis acceptance over every leapfrog step of the tree
  double step_size = 0.0;
  int tree_depth = 0;
  int n_leapfrog = 0;
  bool divergent = false;
  double energy = 0.0;  // the Hamiltonian at the selected point
  // Where the divergent leapfrog step started (the last finite point before the energy blew
  // up), for locating divergences in parameter space; empty when not divergent.
  std::vector<double> divergence_position;
};

// The state at `position`; throws tapir::domain_error when the log density or its gradient is not
// finite there.
HmcState hmc_init(const models::Model& target, std::span<const double> position);

std::pair<HmcState, NutsInfo> nuts_step(const models::Model& target, const HmcState& state,
                                        const NutsParameters& parameters, distributions::Generator& rng);

// Static HMC: a fixed number of leapfrog steps and a Metropolis correction.
struct HmcInfo {
  double accept_stat = 0.0;
  bool accepted = false;
  bool divergent = false;
  double energy = 0.0;
};
std::pair<HmcState, HmcInfo> hmc_step(const models::Model& target, const HmcState& state, double step_size,
                                      int num_steps, const Metric& metric, distributions::Generator& rng,
                                      double max_delta_h = 1000.0);

// Stan's initial step-size heuristic (base_hmc::init_stepsize): one leapfrog step from `state`
// with fresh momentum; double (or halve) the step size until the acceptance log-ratio crosses
// log(0.8). Throws when the step size exceeds 1e7 (improper posterior) or reaches 0.
double find_reasonable_step_size(const models::Model& target, const HmcState& state, double step_size,
                                 const Metric& metric, distributions::Generator& rng);

}  // namespace tapir::inference::mcmc
