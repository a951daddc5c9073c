#pragma once
// Stochastic gradient Langevin dynamics (Welling and Teh 2011) for targets with minibatched
// likelihoods, with the pieces learning-coefficient estimation needs
// (../shared/references/llc-ground-truth.md): an inverse temperature on the data term and a
// localizing Gaussian tether toward a reference point w*,
//
//   log pi(w) = log_prior(w) + beta sum_i log_lik_i(w) - (gamma / 2) ||w - w*||^2,
//
// the data sum estimated on each step from a minibatch B as (n / |B|) sum_{i in B}.
// Preconditioning: none, RMSProp (pSGLD, Li, Chen, Carlson, Carin 2016; the small Gamma
// correction term is omitted, as is usual) or Adam-style (bias-corrected moments; the drift uses
// the first moment). Step sizes: constant or a(b + t)^-decay (Welling and Teh's schedule).
// State plus a pure step function, as the other kernels.
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "autodiff/functional.hpp"
#include "distributions/random.hpp"

namespace tapir::inference::mcmc {

// A log density whose data term is a sum over n rows.
class MinibatchTarget {
 public:
  virtual ~MinibatchTarget() = default;
  virtual std::size_t dimension() const = 0;
  virtual std::size_t num_data() const = 0;
  // log_prior(x) + scale * sum_{i in batch} log_lik_i(x) and its gradient.
  virtual double value_and_gradient(std::span<const double> x, std::span<const std::size_t> batch, double scale,
                                    std::span<double> gradient) const = 0;
};

// A MinibatchTarget from a type with
//   template <class T> T log_prior(const autodiff::Vector<T>& w) const;
//   template <class T> T log_likelihood(const autodiff::Vector<T>& w, std::size_t i) const;
//   std::size_t dimension() const;  std::size_t num_data() const;
template <class M>
class MinibatchModel final : public MinibatchTarget {
 public:
  explicit MinibatchModel(M model) : model_(std::move(model)) {}
  std::size_t dimension() const override { return model_.dimension(); }
  std::size_t num_data() const override { return model_.num_data(); }
  double value_and_gradient(std::span<const double> x, std::span<const std::size_t> batch, double scale,
                            std::span<double> gradient) const override {
    auto f = [&](const auto& w) {
      auto lp = model_.log_prior(w);
      decltype(lp) data = 0.0;
      for (std::size_t i : batch) data += model_.log_likelihood(w, i);
      return lp + scale * data;
    };
    return autodiff::value_and_gradient(f, x, gradient);
  }
  const M& model() const { return model_; }

 private:
  M model_;
};

enum class Preconditioner { none, rmsprop, adam };

struct SgldConfig {
  std::size_t batch_size = 32;
  // step size a (b + t)^-decay; decay = 0 gives the constant step a.
  double step_size = 1e-3, step_offset = 1.0, step_decay = 0.0;
  double temperature = 1.0;  // beta on the data term
  double localization = 0.0;  // gamma
  std::vector<double> center;  // w*; empty means no localization term
  Preconditioner preconditioner = Preconditioner::none;
  double rms_decay = 0.99, adam_beta1 = 0.9, epsilon = 1e-8;
};

struct SgldState {
  std::vector<double> position;
  long long step = 0;
  std::vector<double> first_moment, second_moment;  // preconditioner statistics
};

struct SgldInfo {
  double step_size = 0.0;
  double log_density_estimate = 0.0;  // minibatch estimate at the position the step started from
};

SgldState sgld_init(std::vector<double> position);
// One step; draws the minibatch (without replacement) and the noise from rng.
std::pair<SgldState, SgldInfo> sgld_step(const MinibatchTarget& target, const SgldState& state,
                                         const SgldConfig& config, distributions::Generator& rng);

}  // namespace tapir::inference::mcmc
