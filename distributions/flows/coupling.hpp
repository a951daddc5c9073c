#pragma once
// Affine coupling layer of RealNVP (Dinh, Sohl-Dickstein & Bengio 2017, "Density estimation using
// Real NVP", ICLR, section 3.2-3.4). A binary mask splits the coordinates into a conditioning
// ("kept") set A and a transformed set B:
//     z_A = u_A,
//     z_B = u_B exp(s(u_A)) + t(u_A),        log|det J| = sum_j s_j(u_A),
// where (t, a) = MLP(u_A) (models/nn/mlp.hpp, |A| inputs, 2 |B| outputs: first the |B| shifts t,
// then the |B| raw log-scales a) and s = c tanh(a / c) bounds the log-scale to (-c, c) for
// stability (the paper's tanh-scaled s; c = log_scale_bound, default 3; +inf removes the bound).
// The inverse is exact and as cheap: u_A = z_A, u_B = (z_B - t(z_A)) exp(-s(z_A)).
//
// Masks: AffineCoupling(d, hidden, parity) keeps the coordinates i with i % 2 == parity (the
// alternating "checkerboard" mask of a vector); stack layers with parity 0, 1, 0, 1, ... so that
// every coordinate is transformed. An explicit keep-mask may be given instead. With no transformed
// coordinates the layer is the identity (no parameters); with no kept coordinates the conditioner
// sees no input and t, s are learned constants (the MLP's biases pass through).
//
// Parameters: those of the conditioner MLP (layout in models/nn/mlp.hpp).
// initialize: hidden layers Glorot uniform, output layer weights Glorot uniform times 0.01,
// biases 0 (close to the identity map).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/reductions.hpp"
#include "distributions/flows/flow.hpp"
#include "models/nn/mlp.hpp"

namespace tapir::distributions::flows {

class AffineCoupling {
 public:
  // Keeps the coordinates i with i % 2 == parity.
  AffineCoupling(std::size_t d, std::vector<std::size_t> hidden, std::size_t parity = 0,
                 models::nn::Activation activation = models::nn::Activation::tanh, double log_scale_bound = 3.0)
      : AffineCoupling(parity_mask(d, parity), std::move(hidden), activation, log_scale_bound) {}

  // keep[i] != 0: coordinate i conditions (is left unchanged); else it is transformed.
  AffineCoupling(std::vector<std::uint8_t> keep, std::vector<std::size_t> hidden,
                 models::nn::Activation activation = models::nn::Activation::tanh, double log_scale_bound = 3.0)
      : d_(keep.size()), hidden_(std::move(hidden)), bound_(log_scale_bound), activation_(activation) {
    if (d_ == 0) throw size_error("AffineCoupling: dimension is 0");
    detail::check_log_scale_bound("AffineCoupling", log_scale_bound);
    for (std::size_t i = 0; i < d_; ++i) (keep[i] ? kept_ : changed_).push_back(i);
    std::vector<std::size_t> widths{kept_.size()};
    widths.insert(widths.end(), hidden_.begin(), hidden_.end());
    widths.push_back(2 * changed_.size());
    if (!changed_.empty()) net_.emplace_back(std::move(widths), activation, models::nn::Activation::identity);
  }

  std::size_t dim() const { return d_; }
  std::size_t num_parameters() const { return net_.empty() ? 0 : net_[0].num_parameters(); }
  std::string name() const {
    std::string keep;
    for (std::size_t i : kept_) {
      if (!keep.empty()) keep += ',';
      keep += std::to_string(i);
    }
    return "affine_coupling(" + std::to_string(d_) + "; " + detail::join_sizes(hidden_) + "; keep [" + keep +
           "]; " + models::nn::to_string(activation_) + ")";
  }
  // Conditioning and transformed coordinates, increasing.
  const std::vector<std::size_t>& kept() const { return kept_; }
  const std::vector<std::size_t>& transformed() const { return changed_; }
  double log_scale_bound() const { return bound_; }

  template <class T>
  void forward(std::span<const T> theta, std::span<const T> u, std::span<T> z, T& lad) const {
    using namespace autodiff;
    detail::check_sizes(*this, "forward", theta.size(), u.size(), z.size());
    for (std::size_t i : kept_) z[i] = u[i];
    if (changed_.empty()) return;
    const std::size_t nb = changed_.size();
    Matrix<T> xa(1, kept_.size());
    for (std::size_t k = 0; k < kept_.size(); ++k) xa(0, k) = u[kept_[k]];
    const Matrix<T> out = net_[0].forward(theta, xa);
    Vector<T> t(nb), raw(nb), ub(nb);
    for (std::size_t j = 0; j < nb; ++j) {
      t[j] = out(0, j);
      raw[j] = out(0, nb + j);
      ub[j] = u[changed_[j]];
    }
    const Vector<T> s = detail::bound_log_scale(raw, bound_);
    const Vector<T> zb = elt_multiply(ub, exp(s)) + t;
    for (std::size_t j = 0; j < nb; ++j) z[changed_[j]] = zb[j];
    lad += sum(s);
  }

  void inverse(std::span<const double> theta, std::span<const double> z, std::span<double> u) const {
    detail::check_sizes(*this, "inverse", theta.size(), z.size(), u.size());
    for (std::size_t i : kept_) u[i] = z[i];
    if (changed_.empty()) return;
    const std::size_t nb = changed_.size();
    Matrix<double> xa(1, kept_.size());
    for (std::size_t k = 0; k < kept_.size(); ++k) xa(0, k) = z[kept_[k]];
    const Matrix<double> out = net_[0].forward(theta, xa);
    for (std::size_t j = 0; j < nb; ++j) {
      const double s = detail::bound_log_scale_scalar(out(0, nb + j), bound_);
      u[changed_[j]] = (z[changed_[j]] - out(0, j)) * std::exp(-s);
    }
  }

  void initialize(Generator& g, std::span<double> theta) const {
    detail::check_size(name() + " initialize", "theta", theta.size(), num_parameters());
    if (!net_.empty()) net_[0].initialize(g, theta, models::nn::Init::glorot_uniform, 0.01);
  }

 private:
  static std::vector<std::uint8_t> parity_mask(std::size_t d, std::size_t parity) {
    std::vector<std::uint8_t> keep(d);
    for (std::size_t i = 0; i < d; ++i) keep[i] = i % 2 == parity % 2;
    return keep;
  }

  std::size_t d_;
  std::vector<std::size_t> hidden_;
  double bound_;
  models::nn::Activation activation_;
  std::vector<std::size_t> kept_, changed_;
  std::vector<models::nn::MLP> net_;  // empty when nothing is transformed (MLP has no empty state)
};

}  // namespace tapir::distributions::flows
