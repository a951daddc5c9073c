#include "inference/mcmc/sgld.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "autodiff/errors.hpp"

namespace tapir::inference::mcmc {

SgldState sgld_init(std::vector<double> position) {
  SgldState s;
  s.position = std::move(position);
  return s;
}

std::pair<SgldState, SgldInfo> sgld_step(const MinibatchTarget& target, const SgldState& state,
                                         const SgldConfig& config, distributions::Generator& rng) {
  const std::size_t d = target.dimension(), n = target.num_data();
  if (state.position.size() != d)
    throw size_error("sgld_step: the position has " + std::to_string(state.position.size()) + " values, the target " +
                     std::to_string(d));
  if (!config.center.empty() && config.center.size() != d)
    throw size_error("sgld_step: the localization center has " + std::to_string(config.center.size()) +
                     " values, the target " + std::to_string(d));
  const std::size_t b = std::min(config.batch_size, n);
  // Minibatch without replacement: a partial Fisher-Yates shuffle of 0..n-1.
  std::vector<std::size_t> index(n);
  std::iota(index.begin(), index.end(), std::size_t{0});
  for (std::size_t i = 0; i < b; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(rng.uniform() * static_cast<double>(n - i));
    std::swap(index[i], index[std::min(j, n - 1)]);
  }
  const std::span<const std::size_t> batch(index.data(), b);
  const double scale = b > 0 ? config.temperature * static_cast<double>(n) / static_cast<double>(b) : 0.0;

  SgldState next = state;
  ++next.step;
  std::vector<double> g(d);
  SgldInfo info;
  info.log_density_estimate = target.value_and_gradient(state.position, batch, scale, g);
  if (!config.center.empty() && config.localization > 0) {
    for (std::size_t i = 0; i < d; ++i) {
      const double r = state.position[i] - config.center[i];
      g[i] -= config.localization * r;
      info.log_density_estimate -= 0.5 * config.localization * r * r;
    }
  }
  const double t = static_cast<double>(state.step);
  const double eps = config.step_size * std::pow(config.step_offset + t, -config.step_decay);
  info.step_size = eps;

  std::vector<double> drift = g, precondition(d, 1.0);
  if (config.preconditioner != Preconditioner::none) {
    if (next.second_moment.empty()) next.second_moment.assign(d, 0.0);
    const double rho = config.rms_decay;
    for (std::size_t i = 0; i < d; ++i) next.second_moment[i] = rho * next.second_moment[i] + (1 - rho) * g[i] * g[i];
    const double k = static_cast<double>(next.step);
    if (config.preconditioner == Preconditioner::rmsprop) {
      for (std::size_t i = 0; i < d; ++i) precondition[i] = 1.0 / (config.epsilon + std::sqrt(next.second_moment[i]));
    } else {
      if (next.first_moment.empty()) next.first_moment.assign(d, 0.0);
      const double b1 = config.adam_beta1;
      const double c1 = 1.0 - std::pow(b1, k), c2 = 1.0 - std::pow(rho, k);
      for (std::size_t i = 0; i < d; ++i) {
        next.first_moment[i] = b1 * next.first_moment[i] + (1 - b1) * g[i];
        drift[i] = next.first_moment[i] / c1;
        precondition[i] = 1.0 / (config.epsilon + std::sqrt(next.second_moment[i] / c2));
      }
    }
  }
  // w <- w + (eps / 2) G drift + N(0, eps G).
  for (std::size_t i = 0; i < d; ++i)
    next.position[i] += 0.5 * eps * precondition[i] * drift[i] +
                        std::sqrt(eps * precondition[i]) * distributions::standard_normal(rng);
  return {std::move(next), info};
}

}  // namespace tapir::inference::mcmc
