#include "inference/mcmc/sampler.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <sstream>
#include <thread>

#include "autodiff/errors.hpp"
#include "inference/mcmc/adaptation.hpp"

namespace tapir::inference::mcmc {

std::vector<double> random_initialization(const models::Model& model, distributions::Generator& rng, double radius) {
  const std::size_t n = model.dimension();
  std::vector<double> x(n), g(n);
  std::string last_problem;
  for (int attempt = 0; attempt < 100; ++attempt) {
    for (double& e : x) e = distributions::uniform(rng, -radius, radius);
    try {
      const double lp = model.value_and_gradient(x, g);
      const bool finite_gradient = std::all_of(g.begin(), g.end(), [](double v) { return std::isfinite(v); });
      if (std::isfinite(lp) && finite_gradient) return x;
      last_problem = std::isfinite(lp) ? "the gradient is not finite" : "the log density is " + std::to_string(lp);
    } catch (const std::exception& e) {
      last_problem = e.what();
    }
  }
  throw domain_error(model.name() + ": no finite initial point found in 100 attempts uniform on (-" +
                     std::to_string(radius) + ", " + std::to_string(radius) + "); last problem: " + last_problem);
}

ChainResult run_nuts_chain(const models::Model& model, const NutsConfig& config, distributions::Key key, int chain,
                           const ProgressCallback& progress, DrawSink* sink) {
  using Clock = std::chrono::steady_clock;
  const std::size_t n = model.dimension();
  auto [init_key, sample_key] = distributions::split(key);
  distributions::Generator init_rng(init_key), rng(sample_key);

  ChainResult result;
  result.chain = chain;
  if (!config.init.empty()) {
    const auto& given = config.init.size() == 1 ? config.init[0] : config.init.at(static_cast<std::size_t>(chain));
    if (given.size() != n)
      throw size_error(model.name() + ": initial values for chain " + std::to_string(chain) + " have " +
                       std::to_string(given.size()) + " elements, the model has " + std::to_string(n));
    result.initial_unconstrained = given;
  } else {
    result.initial_unconstrained = random_initialization(model, init_rng, config.init_radius);
  }
  HmcState state = hmc_init(model, result.initial_unconstrained);

  NutsParameters params;
  params.max_depth = config.max_depth;
  params.max_delta_h = config.max_delta_h;
  if (config.dense_metric) {
    autodiff::Matrix<double> identity(n, n, 0.0);
    for (std::size_t i = 0; i < n; ++i) identity(i, i) = 1.0;
    params.metric = Metric::dense(identity);
  } else {
    params.metric = Metric::unit_diagonal(n);
  }
  params.step_size = config.step_size;

  const bool adapt = config.adapt && config.num_warmup > 0;
  StepSizeAdaptation step_adaptation{config.delta, config.gamma, config.kappa, config.t0};
  step_adaptation.mu = std::log(10.0 * config.step_size);
  WindowSchedule schedule(adapt ? static_cast<unsigned>(config.num_warmup) : 0u, config.init_buffer, config.term_buffer,
                          config.window);
  WelfordEstimator estimator(n, config.dense_metric);
  if (adapt) params.step_size = find_reasonable_step_size(model, state, params.step_size, params.metric, rng);

  const int total = config.num_warmup + config.num_samples;
  auto t0 = Clock::now();
  for (int it = 0; it < total; ++it) {
    const bool warmup = it < config.num_warmup;
    if (it == config.num_warmup) {
      if (adapt) params.step_size = step_adaptation.final_step_size();
      result.warmup_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      if (sink) sink->adaptation_done(params.step_size, params.metric);
      t0 = Clock::now();
    }
    auto [next, info] = nuts_step(model, state, params, rng);
    state = std::move(next);
    result.gradient_evaluations += info.n_leapfrog;
    if (!warmup) result.gradient_evaluations_sampling += info.n_leapfrog;
    if (info.divergent) result.divergences.push_back({it, warmup, std::move(info.divergence_position)});

    if (warmup && adapt) {
      params.step_size = step_adaptation.learn(info.accept_stat);
      if (schedule.in_window()) estimator.add(state.position);
      if (schedule.window_ends()) {
        schedule.next_window();
        const double c = static_cast<double>(estimator.count());
        const double w = c / (c + 5.0), shrink = 1e-3 * (5.0 / (c + 5.0));
        if (config.dense_metric) {
          autodiff::Matrix<double> cov = estimator.covariance();
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) cov(i, j) = w * cov(i, j) + (i == j ? shrink : 0.0);
          params.metric = Metric::dense(cov);
        } else {
          std::vector<double> var = estimator.variance();
          for (double& v : var) v = w * v + shrink;
          for (double v : var)
            if (!std::isfinite(v))
              throw domain_error(model.name() +
                                 ": numerical overflow in metric adaptation; the posterior may be improper or too wide");
          params.metric = Metric::diagonal(std::move(var));
        }
        estimator.restart();
        params.step_size = find_reasonable_step_size(model, state, params.step_size, params.metric, rng);
        step_adaptation.mu = std::log(10.0 * params.step_size);
        step_adaptation.restart();
      }
      schedule.advance();
    }

    const bool keep = ((warmup && config.save_warmup) || !warmup) &&
                      ((warmup ? it : it - config.num_warmup) % std::max(1, config.thin) == 0);
    if (keep) {
      result.rows.push_back({state.log_density, info.accept_stat, info.step_size, info.tree_depth, info.n_leapfrog,
                             info.divergent, info.energy});
      result.draws.push_back(model.constrain(state.position));
      if (sink) sink->draw(result.rows.back(), result.draws.back(), warmup);
      if (warmup) ++result.num_warmup_rows;
      if (!warmup) result.unconstrained_draws.push_back(state.position);
    }
    if (progress) progress(chain, it, total);
  }
  if (config.num_warmup == total) {
    if (adapt) params.step_size = step_adaptation.final_step_size();
    result.warmup_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (sink) sink->adaptation_done(params.step_size, params.metric);
  } else {
    result.sampling_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  if (sink) sink->finished(result.warmup_seconds, result.sampling_seconds);
  result.step_size = params.step_size;
  result.metric = params.metric;
  return result;
}

std::vector<ChainResult> run_nuts(const models::Model& model, const NutsConfig& config, distributions::Key key,
                                  int num_chains, int num_threads, const ProgressCallback& progress,
                                  std::span<DrawSink* const> sinks) {
  if (!sinks.empty() && sinks.size() != static_cast<std::size_t>(num_chains))
    throw size_error("run_nuts: " + std::to_string(sinks.size()) + " draw sinks given for " +
                     std::to_string(num_chains) + " chains");
  const std::vector<distributions::Key> keys = distributions::split(key, static_cast<std::size_t>(num_chains));
  std::vector<ChainResult> results(static_cast<std::size_t>(num_chains));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(num_chains));
  int threads = num_threads > 0 ? num_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, num_chains);
  auto work = [&](int worker) {
    for (int c = worker; c < num_chains; c += threads) {
      try {
        results[c] = run_nuts_chain(model, config, keys[c], c, progress, sinks.empty() ? nullptr : sinks[c]);
      } catch (...) {
        errors[c] = std::current_exception();
      }
    }
  };
  if (threads <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int w = 0; w < threads; ++w) pool.emplace_back(work, w);
    for (auto& t : pool) t.join();
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return results;
}

}  // namespace tapir::inference::mcmc
