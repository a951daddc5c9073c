#pragma once
// A multilayer perceptron: a stack of dense layers (linear.hpp) with an activation after each
// hidden layer and an output activation (identity by default) after the last.
//
//   MLP net({3, 16, 16, 2}, Activation::tanh);      // 3 inputs, two hidden layers of 16, 2 outputs
//   std::vector<double> theta = net.initialize(distributions::make_key(1));
//   Matrix<T> y = net.forward(std::span<const T>(theta), x);   // x: batch x 3, y: batch x 2
//
// The parameters are one flat vector, layer after layer; layer l occupies
// [parameter_offset(l), parameter_offset(l) + layers()[l].num_parameters()) and within it W_l
// (in_l x out_l, row-major), then b_l (see linear.hpp). num_parameters() is
// sum_l (in_l out_l + out_l) for a dense network.
//
// forward is a template over the scalars of the parameters (T) and of the input (X): any of the
// library's scalars (double, Var, Dual<double>) for both, or double mixed with any; the result
// scalar is promote_t<T, X>. With T = Var every layer is three tape nodes (product, bias,
// activation), whatever the batch size and widths.
#include <cstddef>
#include <ranges>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"
#include "distributions/random.hpp"
#include "models/nn/activation.hpp"
#include "models/nn/linear.hpp"

namespace tapir::models::nn {

class MLP {
 public:
  // widths = {inputs, hidden_1, ..., hidden_k, outputs}: at least two entries.
  explicit MLP(std::vector<std::size_t> widths, Activation hidden = Activation::tanh,
               Activation output = Activation::identity)
      : hidden_(hidden), output_(output) {
    if (widths.size() < 2)
      throw size_error("MLP: widths has " + std::to_string(widths.size()) +
                       " entries, expected at least 2 (inputs and outputs)");
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) layers_.emplace_back(widths[l], widths[l + 1]);
    finish();
  }

  // From given layers (e.g. masked ones); consecutive layers must fit (out_l = in_{l+1}).
  MLP(std::vector<Linear> layers, Activation hidden, Activation output = Activation::identity)
      : layers_(std::move(layers)), hidden_(hidden), output_(output) {
    if (layers_.empty()) throw size_error("MLP: no layers");
    for (std::size_t l = 0; l + 1 < layers_.size(); ++l)
      if (layers_[l].out_features() != layers_[l + 1].in_features())
        throw size_error("MLP: layer " + std::to_string(l) + " has " + std::to_string(layers_[l].out_features()) +
                         " outputs, layer " + std::to_string(l + 1) + " takes " +
                         std::to_string(layers_[l + 1].in_features()) + " inputs");
    finish();
  }

  std::size_t input_size() const noexcept { return layers_.front().in_features(); }
  std::size_t output_size() const noexcept { return layers_.back().out_features(); }
  std::size_t num_layers() const noexcept { return layers_.size(); }
  const std::vector<Linear>& layers() const noexcept { return layers_; }
  // {inputs, hidden..., outputs}
  std::vector<std::size_t> widths() const {
    std::vector<std::size_t> w{input_size()};
    for (const Linear& l : layers_) w.push_back(l.out_features());
    return w;
  }
  Activation hidden_activation() const noexcept { return hidden_; }
  Activation output_activation() const noexcept { return output_; }

  std::size_t num_parameters() const noexcept { return offsets_.back(); }
  // First parameter of layer l; parameter_offset(num_layers()) = num_parameters().
  std::size_t parameter_offset(std::size_t l) const { return offsets_.at(l); }

  // The parameters of layer l within the whole vector.
  template <class T>
  std::span<const T> layer_parameters(std::span<const T> params, std::size_t l) const {
    check_params(params.size());
    return params.subspan(offsets_.at(l), layers_.at(l).num_parameters());
  }

  // The network on a batch x: batch x input_size() -> batch x output_size().
  template <class T, class X>
  Matrix<promote_t<T, X>> forward(std::span<const T> params, const Matrix<X>& x) const {
    using R = promote_t<T, X>;
    check_params(params.size());
    Matrix<R> h = layers_[0].forward(layer_parameters(params, 0), x);
    for (std::size_t l = 1; l < layers_.size(); ++l) {
      h = activate(hidden_, h);
      h = layers_[l].forward(layer_parameters(params, l), h);
    }
    return activate(output_, h);
  }

  // The network on one input vector.
  template <class T, class X>
  Vector<promote_t<T, X>> forward(std::span<const T> params, const Vector<X>& x) const {
    Matrix<X> m(1, x.size());
    for (std::size_t j = 0; j < x.size(); ++j) m(0, j) = x[j];
    const Matrix<promote_t<T, X>> y = forward(params, m);
    Vector<promote_t<T, X>> out(y.cols());
    for (std::size_t j = 0; j < y.cols(); ++j) out[j] = y(0, j);
    return out;
  }

  // Parameters given as any contiguous range (std::vector, Vector, a span of non-const T).
  template <std::ranges::contiguous_range P, class In>
    requires(!std::is_same_v<std::remove_cvref_t<P>, std::span<const std::ranges::range_value_t<P>>>)
  auto forward(const P& params, const In& x) const {
    using T = std::ranges::range_value_t<P>;
    return forward(std::span<const T>(std::ranges::data(params), std::ranges::size(params)), x);
  }

  // Writes initial parameters: each layer's weights by `init` (see linear.hpp), biases 0; the last
  // layer's weights are further multiplied by `output_gain` (e.g. a small value to start a flow's
  // conditioner near the identity map).
  void initialize(distributions::Generator& g, std::span<double> params, Init init = Init::glorot_uniform,
                  double output_gain = 1.0) const {
    check_params(params.size());
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const double gain = l + 1 == layers_.size() ? output_gain : 1.0;
      layers_[l].initialize(g, params.subspan(offsets_[l], layers_[l].num_parameters()), init, gain);
    }
  }

  std::vector<double> initialize(distributions::Key key, Init init = Init::glorot_uniform,
                                 double output_gain = 1.0) const {
    std::vector<double> params(num_parameters());
    distributions::Generator g(key);
    initialize(g, std::span<double>(params), init, output_gain);
    return params;
  }

 private:
  void finish() {
    offsets_.assign(1, 0);
    for (const Linear& l : layers_) offsets_.push_back(offsets_.back() + l.num_parameters());
  }
  void check_params(std::size_t n) const {
    if (n != num_parameters()) detail::parameter_size_error("MLP", n, num_parameters());
  }

  std::vector<Linear> layers_;
  Activation hidden_;
  Activation output_;
  std::vector<std::size_t> offsets_;
};

}  // namespace tapir::models::nn
