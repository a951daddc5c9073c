#pragma once
// Running NUTS chains as CmdStan does by default: initialization uniform(-2, 2) on the
// unconstrained scale with up to 100 retries (or user-given values), warmup with Stan's step-size
// and windowed metric adaptation, then sampling. Chains run in parallel threads; chain c uses key
// split(key, num_chains)[c], so the draws are bit-identical whatever the number of threads.
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "distributions/random.hpp"
#include "inference/mcmc/metric.hpp"
#include "inference/mcmc/nuts.hpp"
#include "models/model.hpp"

namespace tapir::inference::mcmc {

struct NutsConfig {
  int num_warmup = 1000;
  int num_samples = 1000;
  int thin = 1;
  bool save_warmup = false;
  int max_depth = 10;
  double max_delta_h = 1000.0;
  double step_size = 1.0;  // initial step size, before the heuristic
  bool adapt = true;
  double delta = 0.8, gamma = 0.05, kappa = 0.75, t0 = 10.0;
  unsigned init_buffer = 75, term_buffer = 50, window = 25;
  bool dense_metric = false;
  double init_radius = 2.0;
  // Initial values on the unconstrained scale (one per chain, or one for all); empty: random.
  std::vector<std::vector<double>> init;
};

// The sampler's own values for one iteration, in CmdStan's column order.
struct SamplerRow {
  double lp = 0.0, accept_stat = 0.0, step_size = 0.0;
  int tree_depth = 0, n_leapfrog = 0;
  bool divergent = false;
  double energy = 0.0;
};

struct Divergence {
  int iteration;                          // 0-based, counting warmup
  bool warmup;
  std::vector<double> unconstrained;      // where the divergent trajectory's last finite step began
};

struct ChainResult {
  int chain = 0;
  std::vector<double> initial_unconstrained;
  std::vector<SamplerRow> rows;                  // kept iterations (warmup first if saved)
  std::vector<std::vector<double>> draws;        // constrained parameters and outputs per kept iteration
  std::vector<std::vector<double>> unconstrained_draws;  // the sampling iterations on the unconstrained scale
  std::size_t num_warmup_rows = 0;
  double step_size = 0.0;                        // after adaptation
  Metric metric;                                 // after adaptation
  std::vector<Divergence> divergences;
  long long gradient_evaluations = 0;            // leapfrog steps, warmup and sampling
  long long gradient_evaluations_sampling = 0;
  double warmup_seconds = 0.0, sampling_seconds = 0.0;
};

// Receives a chain's output as it is produced (the draws are also kept in the ChainResult), so
// that files are written as the chain runs and an interrupted run keeps what it sampled. Each
// chain has its own sink, called from that chain's thread only.
class DrawSink {
 public:
  virtual ~DrawSink() = default;
  // Every kept iteration, warmup rows first when config.save_warmup: the sampler's values and
  // the constrained parameters and outputs (Model::constrained_names order).
  virtual void draw(const SamplerRow& row, std::span<const double> constrained, bool warmup) = 0;
  // Once, when warmup ends (also with adaptation off or no warmup): the step size and metric used
  // for sampling.
  virtual void adaptation_done(double /*step_size*/, const Metric& /*metric*/) {}
  // Once, after the last iteration.
  virtual void finished(double /*warmup_seconds*/, double /*sampling_seconds*/) {}
};

// Called after every iteration of every chain (from the chain's thread): chain, iteration
// (0-based, warmup first), total iterations. Must be thread-safe.
using ProgressCallback = std::function<void(int, int, int)>;

ChainResult run_nuts_chain(const models::Model& model, const NutsConfig& config, distributions::Key key, int chain,
                           const ProgressCallback& progress = {}, DrawSink* sink = nullptr);

// num_threads <= 0: one thread per chain (at most the hardware's). sinks: empty, or one per chain
// (null entries allowed); tapir::size_error otherwise.
std::vector<ChainResult> run_nuts(const models::Model& model, const NutsConfig& config, distributions::Key key,
                                  int num_chains = 4, int num_threads = 0, const ProgressCallback& progress = {},
                                  std::span<DrawSink* const> sinks = {});

// Uniform(-radius, radius) initial values with up to 100 retries until the log density and its
// gradient are finite; throws tapir::domain_error naming the last failure otherwise.
std::vector<double> random_initialization(const models::Model& model, distributions::Generator& rng, double radius);

}  // namespace tapir::inference::mcmc
