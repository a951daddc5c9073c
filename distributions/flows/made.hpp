#pragma once
// MADE: a masked autoencoder for distribution estimation (Germain, Gregor, Murray & Larochelle
// 2015, ICML): an MLP (models/nn/mlp.hpp) whose weight matrices are masked so that output block c
// of variable i depends only on the variables that precede i in a chosen order. It is the
// conditioner of the autoregressive flows (autoregressive.hpp).
//
// Order: order[i] is the position of variable i (a permutation of 0..d-1); natural_order(d) is
// the identity, reversed_order(d) its reverse (alternate them when stacking flows).
//
// Degrees and masks (Germain et al. section 4): input j has degree m(j) = order[j] + 1; hidden unit
// k of every hidden layer has degree 1 + (k mod max(1, d - 1)) (assigned cyclically, so a layer of
// at least d - 1 units has every degree 1..d-1); a hidden connection from a unit of degree m to
// one of degree m' exists iff m' >= m; an output of variable i (degree order[i] + 1) is connected
// to a unit (or, without hidden layers, an input) of degree m iff order[i] + 1 > m. Hence every
// path from input j to an output of variable i has order[j] < order[i]: the Jacobian of the
// outputs with respect to the input is strictly triangular in the order (strictly lower
// triangular for the natural order).
//
// Outputs: k outputs per variable, laid out as k blocks of d: column c d + i is output c of
// variable i (for the affine flows, c = 0 the shift, c = 1 the raw log-scale).
//
// Parameters: those of the masked MLP (kept weights of each layer in row-major order, then its
// bias; see models/nn/linear.hpp); num_parameters() counts only existing connections.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/traits.hpp"
#include "distributions/random.hpp"
#include "models/nn/mlp.hpp"

namespace tapir::distributions::flows {

using autodiff::Matrix;

inline std::vector<std::size_t> natural_order(std::size_t d) {
  std::vector<std::size_t> o(d);
  for (std::size_t i = 0; i < d; ++i) o[i] = i;
  return o;
}

inline std::vector<std::size_t> reversed_order(std::size_t d) {
  std::vector<std::size_t> o(d);
  for (std::size_t i = 0; i < d; ++i) o[i] = d - 1 - i;
  return o;
}

class MADE {
 public:
  // `order` empty: the natural order.
  MADE(std::size_t d, std::vector<std::size_t> hidden, std::size_t outputs_per_variable = 2,
       std::vector<std::size_t> order = {}, models::nn::Activation activation = models::nn::Activation::tanh)
      : d_(d), k_(outputs_per_variable), order_(order.empty() ? natural_order(d) : std::move(order)),
        hidden_(std::move(hidden)), net_(build(activation)) {}

  std::size_t dim() const noexcept { return d_; }
  std::size_t outputs_per_variable() const noexcept { return k_; }
  std::size_t num_parameters() const noexcept { return net_.num_parameters(); }
  const std::vector<std::size_t>& order() const noexcept { return order_; }
  const std::vector<std::size_t>& hidden_widths() const noexcept { return hidden_; }
  const models::nn::MLP& network() const noexcept { return net_; }

  // Degree of hidden unit k (any hidden layer).
  std::size_t hidden_degree(std::size_t k) const noexcept { return 1 + k % (d_ > 1 ? d_ - 1 : 1); }

  // batch x d -> batch x (k d).
  template <class T, class X>
  Matrix<autodiff::promote_t<T, X>> forward(std::span<const T> params, const Matrix<X>& x) const {
    return net_.forward(params, x);
  }

  // Hidden layers Glorot uniform, the output layer's weights scaled by `output_gain`; biases 0.
  void initialize(Generator& g, std::span<double> params, double output_gain) const {
    net_.initialize(g, params, models::nn::Init::glorot_uniform, output_gain);
  }

 private:
  models::nn::MLP build(models::nn::Activation activation) const {
    if (d_ == 0) throw size_error("MADE: dimension is 0");
    if (k_ == 0) throw size_error("MADE: outputs_per_variable is 0");
    if (order_.size() != d_)
      throw size_error("MADE: order has size " + std::to_string(order_.size()) + ", expected " + std::to_string(d_));
    std::vector<std::uint8_t> seen(d_, 0);
    for (std::size_t p : order_) {
      if (p >= d_ || seen[p]) throw domain_error("MADE: order is not a permutation of 0.." + std::to_string(d_ - 1));
      seen[p] = 1;
    }
    for (std::size_t h : hidden_)
      if (h == 0) throw size_error("MADE: a hidden layer has width 0");

    // Degrees of the units feeding the next layer.
    std::vector<std::size_t> prev(d_);
    for (std::size_t j = 0; j < d_; ++j) prev[j] = order_[j] + 1;
    std::vector<models::nn::Linear> layers;
    for (std::size_t width : hidden_) {
      std::vector<std::size_t> cur(width);
      for (std::size_t k = 0; k < width; ++k) cur[k] = hidden_degree(k);
      std::vector<std::uint8_t> mask(prev.size() * width);
      for (std::size_t i = 0; i < prev.size(); ++i)
        for (std::size_t k = 0; k < width; ++k) mask[i * width + k] = cur[k] >= prev[i];
      layers.emplace_back(prev.size(), width, std::move(mask));
      prev = std::move(cur);
    }
    const std::size_t n_out = k_ * d_;
    std::vector<std::uint8_t> mask(prev.size() * n_out);
    for (std::size_t i = 0; i < prev.size(); ++i)
      for (std::size_t c = 0; c < k_; ++c)
        for (std::size_t v = 0; v < d_; ++v) mask[i * n_out + c * d_ + v] = order_[v] + 1 > prev[i];
    layers.emplace_back(prev.size(), n_out, std::move(mask));
    return models::nn::MLP(std::move(layers), activation, models::nn::Activation::identity);
  }

  std::size_t d_;
  std::size_t k_;
  std::vector<std::size_t> order_;
  std::vector<std::size_t> hidden_;
  models::nn::MLP net_;
};

}  // namespace tapir::distributions::flows
