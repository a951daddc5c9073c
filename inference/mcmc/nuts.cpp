#include "inference/mcmc/nuts.hpp"

#include <cmath>
#include <exception>
#include <limits>

#include "autodiff/errors.hpp"

namespace tapir::inference::mcmc {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

inline double log_sum_exp(double a, double b) {
  if (a == -inf) return b;
  if (b == -inf) return a;
  const double m = a > b ? a : b;
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

// A point of phase space.
struct PhasePoint {
  std::vector<double> q, p, grad;
  double log_density = 0.0;
};

// Evaluates the log density and gradient at z.q. A throwing or non-finite log density gives
// -inf, so the point's energy is infinite and the step counts as divergent (Stan treats an
// exception in the log density inside the integrator the same way).
void evaluate(const models::Model& target, PhasePoint& z) {
  try {
    z.log_density = target.value_and_gradient(z.q, z.grad);
  } catch (const std::exception&) {
    z.log_density = -inf;
  }
  if (std::isnan(z.log_density)) z.log_density = -inf;
}

// Explicit leapfrog (Stan's expl_leapfrog): half momentum step, full position step, half
// momentum step. `v` is scratch for the velocity.
void leapfrog(const models::Model& target, const Metric& metric, PhasePoint& z, double eps, std::vector<double>& v) {
  const std::size_t n = z.q.size();
  for (std::size_t i = 0; i < n; ++i) z.p[i] += 0.5 * eps * z.grad[i];
  metric.velocity(z.p, v);
  for (std::size_t i = 0; i < n; ++i) z.q[i] += eps * v[i];
  evaluate(target, z);
  for (std::size_t i = 0; i < n; ++i) z.p[i] += 0.5 * eps * z.grad[i];
}

double hamiltonian(const Metric& metric, const PhasePoint& z) {
  const double h = -z.log_density + metric.kinetic_energy(z.p);
  return std::isnan(h) ? inf : h;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// The generalized no-U-turn criterion on a span with summed momentum rho.
bool no_u_turn(const std::vector<double>& p_sharp_minus, const std::vector<double>& p_sharp_plus,
               const std::vector<double>& rho) {
  return dot(p_sharp_plus, rho) > 0 && dot(p_sharp_minus, rho) > 0;
}

void add_into(std::vector<double>& out, const std::vector<double>& a, const std::vector<double>& b) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = a[i] + b[i];
}

// One NUTS transition. Scratch vectors are kept per tree depth, so a transition allocates only
// when it first reaches a depth.
class Transition {
 public:
  Transition(const models::Model& target, const NutsParameters& params, distributions::Generator& rng)
      : target_(target), params_(params), rng_(rng), n_(target.dimension()), v_(n_) {}

  std::pair<HmcState, NutsInfo> run(const HmcState& state) {
    const Metric& metric = params_.metric;
    PhasePoint z{state.position, std::vector<double>(n_), state.gradient, state.log_density};
    metric.sample_momentum(rng_, z.p);
    const double h0 = hamiltonian(metric, z);
    epsilon_ = params_.step_size;
    h0_ = h0;

    PhasePoint z_fwd = z, z_bck = z, z_sample = z, z_propose = z;
    std::vector<double> p_sharp(n_);
    metric.velocity(z.p, p_sharp);
    std::vector<double> p_fwd_fwd = z.p, p_sharp_fwd_fwd = p_sharp, p_fwd_bck = z.p, p_sharp_fwd_bck = p_sharp;
    std::vector<double> p_bck_fwd = z.p, p_sharp_bck_fwd = p_sharp, p_bck_bck = z.p, p_sharp_bck_bck = p_sharp;
    std::vector<double> rho = z.p, rho_fwd(n_), rho_bck(n_), rho_extended(n_);

    double log_sum_weight = 0.0;  // the initial point has weight exp(0) = 1
    int depth = 0;
    n_leapfrog_ = 0;
    sum_metro_prob_ = 0.0;
    divergent_ = false;
    divergence_position_.clear();

    while (depth < params_.max_depth) {
      std::fill(rho_fwd.begin(), rho_fwd.end(), 0.0);
      std::fill(rho_bck.begin(), rho_bck.end(), 0.0);
      bool valid_subtree;
      double log_sum_weight_subtree = -inf;
      if (rng_.uniform() > 0.5) {
        z = z_fwd;
        rho_bck = rho;
        p_bck_fwd = p_fwd_bck;
        p_sharp_bck_fwd = p_sharp_fwd_bck;
        sign_ = 1.0;
        valid_subtree = build_tree(depth, z, z_propose, p_sharp_fwd_bck, p_sharp_fwd_fwd, rho_fwd, p_fwd_bck,
                                   p_fwd_fwd, log_sum_weight_subtree);
        z_fwd = z;
      } else {
        z = z_bck;
        rho_fwd = rho;
        p_fwd_bck = p_bck_fwd;
        p_sharp_fwd_bck = p_sharp_bck_fwd;
        sign_ = -1.0;
        valid_subtree = build_tree(depth, z, z_propose, p_sharp_bck_fwd, p_sharp_bck_bck, rho_bck, p_bck_fwd,
                                   p_bck_bck, log_sum_weight_subtree);
        z_bck = z;
      }
      if (!valid_subtree) break;
      ++depth;
      // Biased progressive sampling: prefer the new subtree.
      if (log_sum_weight_subtree > log_sum_weight) {
        z_sample = z_propose;
      } else if (rng_.uniform() < std::exp(log_sum_weight_subtree - log_sum_weight)) {
        z_sample = z_propose;
      }
      log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
      add_into(rho, rho_bck, rho_fwd);
      bool persist = no_u_turn(p_sharp_bck_bck, p_sharp_fwd_fwd, rho);
      add_into(rho_extended, rho_bck, p_fwd_bck);
      persist = persist && no_u_turn(p_sharp_bck_bck, p_sharp_fwd_bck, rho_extended);
      add_into(rho_extended, rho_fwd, p_bck_fwd);
      persist = persist && no_u_turn(p_sharp_bck_fwd, p_sharp_fwd_fwd, rho_extended);
      if (!persist) break;
    }

    NutsInfo info;
    info.n_leapfrog = n_leapfrog_;
    info.tree_depth = depth;
    info.accept_stat = n_leapfrog_ > 0 ? sum_metro_prob_ / static_cast<double>(n_leapfrog_) : 0.0;
    info.step_size = epsilon_;
    info.divergent = divergent_;
    info.energy = hamiltonian(metric, z_sample);
    info.divergence_position = std::move(divergence_position_);
    return {HmcState{std::move(z_sample.q), z_sample.log_density, std::move(z_sample.grad)}, std::move(info)};
  }

 private:
  struct Level {
    std::vector<double> p_sharp_init_end, p_init_end, rho_init, p_final_beg, p_sharp_final_beg, rho_final,
        rho_extended;
    PhasePoint z_propose_final;
  };
  Level& level(int depth) {
    while (static_cast<int>(levels_.size()) <= depth) {
      Level l;
      for (auto* v : {&l.p_sharp_init_end, &l.p_init_end, &l.rho_init, &l.p_final_beg, &l.p_sharp_final_beg,
                      &l.rho_final, &l.rho_extended})
        v->assign(n_, 0.0);
      levels_.push_back(std::move(l));
    }
    return levels_[depth];
  }

  // Builds a subtree of 2^depth leapfrog steps from z in direction sign_ (Stan's build_tree).
  bool build_tree(int depth, PhasePoint& z, PhasePoint& z_propose, std::vector<double>& p_sharp_beg,
                  std::vector<double>& p_sharp_end, std::vector<double>& rho, std::vector<double>& p_beg,
                  std::vector<double>& p_end, double& log_sum_weight) {
    const Metric& metric = params_.metric;
    if (depth == 0) {
      q_before_ = z.q;
      leapfrog(target_, metric, z, sign_ * epsilon_, v_);
      ++n_leapfrog_;
      const double h = hamiltonian(metric, z);
      if (h - h0_ > params_.max_delta_h) {
        divergent_ = true;
        if (divergence_position_.empty()) divergence_position_ = q_before_;
      }
      log_sum_weight = log_sum_exp(log_sum_weight, h0_ - h);
      sum_metro_prob_ += h0_ - h > 0 ? 1.0 : std::exp(h0_ - h);
      z_propose = z;
      metric.velocity(z.p, p_sharp_beg);
      p_sharp_end = p_sharp_beg;
      for (std::size_t i = 0; i < n_; ++i) rho[i] += z.p[i];
      p_beg = z.p;
      p_end = p_beg;
      return !divergent_;
    }
    Level& s = level(depth);
    // The first half.
    double log_sum_weight_init = -inf;
    std::fill(s.rho_init.begin(), s.rho_init.end(), 0.0);
    if (!build_tree(depth - 1, z, z_propose, p_sharp_beg, s.p_sharp_init_end, s.rho_init, p_beg, s.p_init_end,
                    log_sum_weight_init))
      return false;
    // The second half.
    s.z_propose_final = z;
    double log_sum_weight_final = -inf;
    std::fill(s.rho_final.begin(), s.rho_final.end(), 0.0);
    if (!build_tree(depth - 1, z, s.z_propose_final, s.p_sharp_final_beg, p_sharp_end, s.rho_final, s.p_final_beg,
                    p_end, log_sum_weight_final))
      return false;
    // Uniform progressive sampling between the halves.
    const double log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
    log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
    if (log_sum_weight_final > log_sum_weight_subtree) {
      z_propose = s.z_propose_final;
    } else if (rng_.uniform() < std::exp(log_sum_weight_final - log_sum_weight_subtree)) {
      z_propose = s.z_propose_final;
    }
    // rho_subtree = rho_init + rho_final, kept in rho_extended for the first check.
    add_into(s.rho_extended, s.rho_init, s.rho_final);
    for (std::size_t i = 0; i < n_; ++i) rho[i] += s.rho_extended[i];
    bool persist = no_u_turn(p_sharp_beg, p_sharp_end, s.rho_extended);
    add_into(s.rho_extended, s.rho_init, s.p_final_beg);
    persist = persist && no_u_turn(p_sharp_beg, s.p_sharp_final_beg, s.rho_extended);
    add_into(s.rho_extended, s.rho_final, s.p_init_end);
    persist = persist && no_u_turn(s.p_sharp_init_end, p_sharp_end, s.rho_extended);
    return persist;
  }

  const models::Model& target_;
  const NutsParameters& params_;
  distributions::Generator& rng_;
  std::size_t n_;
  std::vector<double> v_, q_before_;
  std::vector<Level> levels_;
  double epsilon_ = 0.0, sign_ = 1.0, h0_ = 0.0;
  int n_leapfrog_ = 0;
  double sum_metro_prob_ = 0.0;
  bool divergent_ = false;
  std::vector<double> divergence_position_;
};

}  // namespace

HmcState hmc_init(const models::Model& target, std::span<const double> position) {
  HmcState s{std::vector<double>(position.begin(), position.end()), 0.0, std::vector<double>(position.size())};
  s.log_density = target.value_and_gradient(s.position, s.gradient);
  if (!std::isfinite(s.log_density)) throw_domain_error("hmc_init", "the log density", s.log_density, "finite");
  for (double g : s.gradient)
    if (!std::isfinite(g)) throw_domain_error("hmc_init", "a gradient element", g, "finite");
  return s;
}

std::pair<HmcState, NutsInfo> nuts_step(const models::Model& target, const HmcState& state,
                                        const NutsParameters& parameters, distributions::Generator& rng) {
  Transition t(target, parameters, rng);
  return t.run(state);
}

std::pair<HmcState, HmcInfo> hmc_step(const models::Model& target, const HmcState& state, double step_size,
                                      int num_steps, const Metric& metric, distributions::Generator& rng,
                                      double max_delta_h) {
  const std::size_t n = state.position.size();
  PhasePoint z{state.position, std::vector<double>(n), state.gradient, state.log_density};
  metric.sample_momentum(rng, z.p);
  const double h0 = hamiltonian(metric, z);
  std::vector<double> v(n);
  HmcInfo info;
  for (int k = 0; k < num_steps; ++k) {
    leapfrog(target, metric, z, step_size, v);
    if (hamiltonian(metric, z) - h0 > max_delta_h) {
      info.divergent = true;
      break;
    }
  }
  const double h = info.divergent ? inf : hamiltonian(metric, z);
  info.accept_stat = h0 - h > 0 ? 1.0 : std::exp(h0 - h);
  info.accepted = rng.uniform() < info.accept_stat;
  if (info.accepted) {
    info.energy = h;
    return {HmcState{std::move(z.q), z.log_density, std::move(z.grad)}, info};
  }
  info.energy = h0;
  return {state, info};
}

double find_reasonable_step_size(const models::Model& target, const HmcState& state, double step_size,
                                 const Metric& metric, distributions::Generator& rng) {
  if (step_size == 0 || step_size > 1e7 || std::isnan(step_size)) return step_size;
  const std::size_t n = state.position.size();
  std::vector<double> v(n);
  auto delta_h = [&](double eps) {
    PhasePoint z{state.position, std::vector<double>(n), state.gradient, state.log_density};
    metric.sample_momentum(rng, z.p);
    const double h0 = hamiltonian(metric, z);
    leapfrog(target, metric, z, eps, v);
    return h0 - hamiltonian(metric, z);
  };
  const double log_08 = std::log(0.8);
  const int direction = delta_h(step_size) > log_08 ? 1 : -1;
  for (;;) {
    const double dh = delta_h(step_size);
    if (direction == 1 && !(dh > log_08)) break;
    if (direction == -1 && !(dh < log_08)) break;
    step_size = direction == 1 ? 2 * step_size : 0.5 * step_size;
    if (step_size > 1e7)
      throw domain_error("find_reasonable_step_size: the step size exceeds 1e7; the posterior is improper. Please check the model.");
    if (step_size == 0)
      throw domain_error("find_reasonable_step_size: no acceptably small step size could be found; the posterior may not be continuous.");
  }
  return step_size;
}

}  // namespace tapir::inference::mcmc
