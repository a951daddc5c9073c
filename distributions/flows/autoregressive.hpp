#pragma once
// Affine autoregressive flows with a MADE conditioner (made.hpp). Both map u to z elementwise,
//     z_i = u_i exp(s_i) + mu_i,   s_i = c tanh(a_i / c)   (log-scale softly bounded to (-c, c)),
// where (mu_i, a_i) are MADE outputs (column i: shift, column d + i: raw log-scale) that depend
// only on the variables preceding i in the flow's order. The Jacobian dz/du is triangular in that
// order with diagonal exp(s_i), so log|det J| = sum_i s_i.
//
//   InverseAutoregressive (IAF; Kingma, Salimans, Jozefowicz, Chen, Sutskever & Welling 2016,
//   "Improved Variational Inference with Inverse Autoregressive Flow", NeurIPS, eq. 10):
//   the conditioner reads the INPUT u: (mu, a) = MADE(u). forward (sampling and the density of
//   the sample) is one MADE pass; inverse is d sequential passes, solving for u_i in order:
//   u_i = (z_i - mu_i(u)) exp(-s_i(u)), exact because mu_i, s_i depend on already-solved u_j only.
//
//   MaskedAutoregressive (MAF; Papamakarios, Pavlakou & Murray 2017, "Masked Autoregressive Flow
//   for Density Estimation", NeurIPS, section 3.1): the conditioner reads the OUTPUT z:
//   (mu, a) = MADE(z). inverse (density evaluation) is one pass, u = (z - mu(z)) exp(-s(z));
//   forward (sampling) is d sequential passes, generating z_i in order.
//
// Parameters: those of the MADE (made.hpp), d inputs and 2 d outputs. log_scale_bound c > 0 (default
// 3, scales in (e^-3, e^3)); +inf removes the bound.
//
// initialize: MADE hidden layers Glorot uniform, output layer weights Glorot uniform times 0.01,
// biases 0 (close to the identity map).
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/reductions.hpp"
#include "distributions/flows/flow.hpp"
#include "distributions/flows/made.hpp"

namespace tapir::distributions::flows {

namespace detail {

inline std::string order_name(const std::vector<std::size_t>& order) {
  if (order == natural_order(order.size())) return "natural";
  if (order == reversed_order(order.size())) return "reversed";
  return "[" + join_sizes(order) + "]";
}

// Variables in the order they are generated: at[p] is the variable at position p.
inline std::vector<std::size_t> variables_by_position(const std::vector<std::size_t>& order) {
  std::vector<std::size_t> at(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) at[order[i]] = i;
  return at;
}

// Shared parts of the two affine autoregressive flows.
class AffineAutoregressiveBase {
 public:
  AffineAutoregressiveBase(const char* kind, std::size_t d, std::vector<std::size_t> hidden,
                           std::vector<std::size_t> order, models::nn::Activation activation, double log_scale_bound)
      : kind_(kind), made_(d, std::move(hidden), 2, std::move(order), activation), bound_(log_scale_bound),
        activation_(activation) {
    check_log_scale_bound(kind, log_scale_bound);
  }

  std::size_t dim() const { return made_.dim(); }
  std::size_t num_parameters() const { return made_.num_parameters(); }
  const MADE& made() const { return made_; }
  double log_scale_bound() const { return bound_; }
  std::string name() const {
    return std::string(kind_) + "(" + std::to_string(dim()) + "; " + join_sizes(made_.hidden_widths()) + "; " +
           order_name(made_.order()) + "; " + models::nn::to_string(activation_) + ")";
  }
  void initialize(Generator& g, std::span<double> theta) const {
    check_size(name() + " initialize", "theta", theta.size(), num_parameters());
    made_.initialize(g, theta, 0.01);
  }

 protected:
  const char* kind_;
  MADE made_;
  double bound_;
  models::nn::Activation activation_;
};

}  // namespace detail

class InverseAutoregressive : public detail::AffineAutoregressiveBase {
 public:
  // `order` empty: the natural order.
  InverseAutoregressive(std::size_t d, std::vector<std::size_t> hidden, std::vector<std::size_t> order = {},
                        models::nn::Activation activation = models::nn::Activation::tanh,
                        double log_scale_bound = 3.0)
      : AffineAutoregressiveBase("iaf", d, std::move(hidden), std::move(order), activation, log_scale_bound) {}

  template <class T>
  void forward(std::span<const T> theta, std::span<const T> u, std::span<T> z, T& lad) const {
    using namespace autodiff;
    detail::check_sizes(*this, "forward", theta.size(), u.size(), z.size());
    const std::size_t d = dim();
    const Matrix<T> out = made_.forward(theta, detail::row_matrix(u));
    Vector<T> mu(d), raw(d);
    for (std::size_t i = 0; i < d; ++i) {
      mu[i] = out(0, i);
      raw[i] = out(0, d + i);
    }
    const Vector<T> s = detail::bound_log_scale(raw, bound_);
    const Vector<T> zz = elt_multiply(Vector<T>(u), exp(s)) + mu;
    for (std::size_t i = 0; i < d; ++i) z[i] = zz[i];
    lad += sum(s);
  }

  void inverse(std::span<const double> theta, std::span<const double> z, std::span<double> u) const {
    detail::check_sizes(*this, "inverse", theta.size(), z.size(), u.size());
    const std::size_t d = dim();
    Matrix<double> x(1, d, 0.0);
    for (std::size_t i : detail::variables_by_position(made_.order())) {
      const Matrix<double> out = made_.forward(theta, x);
      const double s = detail::bound_log_scale_scalar(out(0, d + i), bound_);
      x(0, i) = (z[i] - out(0, i)) * std::exp(-s);
    }
    for (std::size_t i = 0; i < d; ++i) u[i] = x(0, i);
  }
};

class MaskedAutoregressive : public detail::AffineAutoregressiveBase {
 public:
  // `order` empty: the natural order.
  MaskedAutoregressive(std::size_t d, std::vector<std::size_t> hidden, std::vector<std::size_t> order = {},
                       models::nn::Activation activation = models::nn::Activation::tanh,
                       double log_scale_bound = 3.0)
      : AffineAutoregressiveBase("maf", d, std::move(hidden), std::move(order), activation, log_scale_bound) {}

  // d sequential MADE passes: z_i = u_i exp(s_i(z)) + mu_i(z), in order.
  template <class T>
  void forward(std::span<const T> theta, std::span<const T> u, std::span<T> z, T& lad) const {
    using namespace autodiff;
    detail::check_sizes(*this, "forward", theta.size(), u.size(), z.size());
    const std::size_t d = dim();
    Matrix<T> x(1, d, T(0.0));
    Vector<T> s(d);
    for (std::size_t i : detail::variables_by_position(made_.order())) {
      const Matrix<T> out = made_.forward(theta, x);
      s[i] = detail::bound_log_scale_scalar(out(0, d + i), bound_);
      x(0, i) = u[i] * exp(s[i]) + out(0, i);
    }
    for (std::size_t i = 0; i < d; ++i) z[i] = x(0, i);
    lad += sum(s);
  }

  // One MADE pass: u = (z - mu(z)) exp(-s(z)).
  void inverse(std::span<const double> theta, std::span<const double> z, std::span<double> u) const {
    detail::check_sizes(*this, "inverse", theta.size(), z.size(), u.size());
    const std::size_t d = dim();
    const Matrix<double> out = made_.forward(theta, detail::row_matrix(z));
    for (std::size_t i = 0; i < d; ++i) {
      const double s = detail::bound_log_scale_scalar(out(0, d + i), bound_);
      u[i] = (z[i] - out(0, i)) * std::exp(-s);
    }
  }
};

}  // namespace tapir::distributions::flows
