#pragma once
// A normalizing-flow variational family: the standard normal on R^d pushed through a
// FlowSequence (flows, then optional bijectors into a constrained space),
//     x = f_theta(eps),  eps ~ N(0, I_d),
//     log q_theta(x) = log N(eps; 0, I) - log|det J_f(eps)|         (change of variables).
//
//   auto q = flow_distribution(FlowSequence({Planar(2), AffineCoupling(2, {16}, 0)}));
//   std::vector<double> theta = q.initialize(make_key(0));
//   // inside an objective differentiated by the functional API (theta: Vector<Var>):
//   auto [x, log_q] = q.sample_and_log_density(theta, eps);        // eps: fixed N(0, I) draws
//   Var elbo_term = log_p(x) - log_q;
//
// sample_and_log_density is a template over the scalar of theta (double, Var, Dual<double>): with
// T = Var the draw and its log density are differentiable functions of theta (the reparameterized
// form variational inference needs: eps is data, theta the variables). The draws eps come from the
// caller, from a Generator, or from a Key (one Generator on the key; d words).
//
// log_density(theta, x) evaluates q at any point x of the output space (double): it runs the
// inverse of the sequence and then the forward pass at the recovered eps for log|det J|.
#include <cmath>
#include <cstddef>
#include <numbers>
#include <ranges>
#include <span>
#include <utility>
#include <vector>

#include "autodiff/vector.hpp"
#include "distributions/flows/flow.hpp"
#include "distributions/flows/sequence.hpp"
#include "distributions/random.hpp"

namespace tapir::distributions::flows {

template <class T>
struct FlowSample {
  Vector<T> x;      // the draw, in the output space
  T log_density;    // log q_theta(x)
};

class FlowDistribution {
 public:
  explicit FlowDistribution(FlowSequence flow) : flow_(std::move(flow)) {}

  // Size of the base (eps) space and of the output space.
  std::size_t base_dim() const { return flow_.dim(); }
  std::size_t dim() const { return flow_.output_dim(); }
  std::size_t num_parameters() const { return flow_.num_parameters(); }
  const FlowSequence& flow() const { return flow_; }

  // log N(eps; 0, I).
  static double base_log_density(std::span<const double> eps) {
    double s = 0.0;
    for (double e : eps) s += e * e;
    return -0.5 * s - 0.5 * std::log(2.0 * std::numbers::pi) * static_cast<double>(eps.size());
  }

  // log q_theta(x), via the inverse.
  double log_density(std::span<const double> theta, std::span<const double> x) const {
    std::vector<double> eps(base_dim()), y(dim());
    flow_.inverse(theta, x, std::span<double>(eps));
    double lad = 0.0;
    flow_.forward(theta, std::span<const double>(eps), std::span<double>(y), lad);
    return base_log_density(eps) - lad;
  }

  // x = f_theta(eps) into `x` (size dim()); returns log q_theta(x).
  template <class T>
  T sample_and_log_density(std::span<const T> theta, std::span<const double> eps, std::span<T> x) const {
    detail::check_size("FlowDistribution sample_and_log_density", "eps", eps.size(), base_dim());
    std::vector<T> u(eps.size());
    for (std::size_t i = 0; i < eps.size(); ++i) u[i] = T(eps[i]);
    T lad = T(0.0);
    flow_.forward(theta, std::span<const T>(u), x, lad);
    return base_log_density(eps) - lad;
  }

  // theta: any contiguous range of T (std::span, std::vector, Vector).
  template <std::ranges::contiguous_range P>
  auto sample_and_log_density(const P& theta, std::span<const double> eps) const {
    using T = std::ranges::range_value_t<P>;
    FlowSample<T> r{Vector<T>(dim()), T(0.0)};
    r.log_density = sample_and_log_density(std::span<const T>(std::ranges::data(theta), std::ranges::size(theta)),
                                           eps, std::span<T>(r.x.data(), r.x.size()));
    return r;
  }
  template <std::ranges::contiguous_range P>
  auto sample_and_log_density(const P& theta, Generator& g) const {
    std::vector<double> eps(base_dim());
    standard_normal(g, std::span<double>(eps));
    return sample_and_log_density(theta, std::span<const double>(eps));
  }
  template <std::ranges::contiguous_range P>
  auto sample_and_log_density(const P& theta, Key key) const {
    Generator g(key);
    return sample_and_log_density(theta, g);
  }

  // A draw (double).
  std::vector<double> sample(std::span<const double> theta, Generator& g) const {
    auto r = sample_and_log_density(theta, g);
    return r.x.std_vector();
  }

  // Initial parameters (each flow's initialize; see the flows' headers).
  std::vector<double> initialize(Key key) const { return flow_.initialize(key); }

 private:
  FlowSequence flow_;
};

inline FlowDistribution flow_distribution(FlowSequence flow) { return FlowDistribution(std::move(flow)); }

}  // namespace tapir::distributions::flows
