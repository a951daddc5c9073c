#pragma once
// A dense (fully connected) layer y = x W + b on a batch, its parameters read from a flat vector,
// and the standard weight initializers.
//
// Shapes: x is batch x in (one example per row), W is in x out, b has out entries, y is
// batch x out. With T = Var the layer is two tape nodes whatever the sizes: one matrix product
// and one row-wise bias addition (autodiff/matrix_ops.hpp, autodiff/elementwise.hpp).
//
// Parameter layout (num_parameters() scalars, starting at the span's first element):
//   [ W(0,0), W(0,1), ..., W(0,out-1), W(1,0), ..., W(in-1,out-1),  b(0), ..., b(out-1) ]
// i.e. W in row-major order (in x out), then the bias.
//
// A masked layer (MADE, Germain et al. 2015) has a fixed in x out 0/1 mask: a connection whose mask
// entry is 0 does not exist. Its weights are only the kept entries of W, in row-major order, then
// the bias: num_parameters() = (number of ones in the mask) + out. The missing entries of W are
// exact zeros (for Var, the tape's constant 0, which costs nothing).
//
// Parameters and inputs may be of different scalar types when one of them is double (data): e.g.
// Var parameters on a data batch (training), or double parameters with a Var input (derivatives
// with respect to the input). The result scalar is promote_t of the two.
//
// Initializers (weights only; biases are set to 0). fan_in = in, fan_out = out, also for masked
// layers (the dense sizes):
//   glorot_uniform  U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)), variance gain^2 2/(fan_in+fan_out)
//                   (Glorot & Bengio 2010, "Understanding the difficulty of training deep
//                   feedforward neural networks", eq. 16)
//   he_normal       N(0, gain^2 2 / fan_in) (He, Zhang, Ren, Sun 2015, "Delving deep into
//                   rectifiers", for ReLU networks; the untruncated normal of the paper)
//   lecun_normal    N(0, gain^2 / fan_in) (LeCun, Bottou, Orr, Mueller 1998, "Efficient BackProp")
//   zeros           all weights 0
// The same initializers fill any span of weights as free functions: glorot_uniform(g, w, fan_in,
// fan_out, gain), he_normal(g, w, fan_in, gain), lecun_normal(g, w, fan_in, gain).
// Draws come from a tapir::distributions::Generator (counter-based; see distributions/random.hpp),
// one 64-bit word per weight, in the layout order above.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"
#include "distributions/random.hpp"

namespace tapir::models::nn {

using autodiff::Matrix;
using autodiff::promote_t;
using autodiff::Vector;

enum class Init { glorot_uniform, he_normal, lecun_normal, zeros };

inline std::string to_string(Init init) {
  switch (init) {
    case Init::glorot_uniform: return "glorot_uniform";
    case Init::he_normal: return "he_normal";
    case Init::lecun_normal: return "lecun_normal";
    case Init::zeros: return "zeros";
  }
  return "unknown";
}

// The initializers on their own, filling `w` (the weights of one layer with the given fans).
inline void glorot_uniform(distributions::Generator& g, std::span<double> w, std::size_t fan_in,
                           std::size_t fan_out, double gain = 1.0) {
  const double a = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  for (double& e : w) e = a * (2.0 * g.uniform() - 1.0);
}
inline void he_normal(distributions::Generator& g, std::span<double> w, std::size_t fan_in, double gain = 1.0) {
  const double sd = gain * std::sqrt(2.0 / static_cast<double>(fan_in));
  for (double& e : w) e = sd * distributions::standard_normal(g);
}
inline void lecun_normal(distributions::Generator& g, std::span<double> w, std::size_t fan_in, double gain = 1.0) {
  const double sd = gain * std::sqrt(1.0 / static_cast<double>(fan_in));
  for (double& e : w) e = sd * distributions::standard_normal(g);
}

namespace detail {

[[noreturn]] inline void parameter_size_error(const char* fn, std::size_t got, std::size_t want) {
  throw size_error(std::string(fn) + ": parameter vector has size " + std::to_string(got) + ", expected " +
                   std::to_string(want));
}

}  // namespace detail

class Linear {
 public:
  Linear(std::size_t in, std::size_t out) : in_(in), out_(out), n_weights_(in * out) {}

  // `mask` is in x out, row-major; a nonzero entry keeps the connection.
  Linear(std::size_t in, std::size_t out, std::vector<std::uint8_t> mask)
      : in_(in), out_(out), mask_(std::move(mask)) {
    if (mask_.size() != in * out)
      throw size_error("Linear: mask has size " + std::to_string(mask_.size()) + ", expected " +
                       std::to_string(in) + "x" + std::to_string(out));
    n_weights_ = 0;
    for (std::uint8_t& m : mask_) {
      m = m ? 1 : 0;
      n_weights_ += m;
    }
  }

  std::size_t in_features() const noexcept { return in_; }
  std::size_t out_features() const noexcept { return out_; }
  bool masked() const noexcept { return !mask_.empty(); }
  // in x out row-major 0/1 mask; empty for a dense layer.
  const std::vector<std::uint8_t>& mask() const noexcept { return mask_; }
  bool connected(std::size_t i, std::size_t j) const noexcept { return mask_.empty() || mask_[i * out_ + j]; }

  // Number of weights (kept entries of W) and of all parameters (weights, then bias).
  std::size_t num_weights() const noexcept { return n_weights_; }
  std::size_t num_parameters() const noexcept { return n_weights_ + out_; }

  // W (in x out) from the parameters, with zeros where the mask removes a connection.
  template <class T>
  Matrix<T> weights(std::span<const T> params) const {
    check_params(params.size());
    Matrix<T> w(in_, out_);
    if (mask_.empty()) {
      for (std::size_t k = 0; k < in_ * out_; ++k) w.data()[k] = params[k];
    } else {
      std::size_t p = 0;
      for (std::size_t k = 0; k < in_ * out_; ++k)
        if (mask_[k]) w.data()[k] = params[p++];
        else w.data()[k] = T(0.0);
    }
    return w;
  }

  template <class T>
  Vector<T> bias(std::span<const T> params) const {
    check_params(params.size());
    return Vector<T>(params.subspan(n_weights_, out_));
  }

  // y = x W + b, x: batch x in.
  template <class T, class X>
  Matrix<promote_t<T, X>> forward(std::span<const T> params, const Matrix<X>& x) const {
    using R = promote_t<T, X>;
    check_params(params.size());
    if (x.cols() != in_)
      throw size_error("Linear::forward: input is " + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) +
                       ", layer takes " + std::to_string(in_) + " features");
    const Vector<T> b = bias(params);
    if (in_ == 0 || x.rows() == 0) {
      // No weights to apply (or no rows): every row is the bias.
      Matrix<R> y(x.rows(), out_);
      for (std::size_t i = 0; i < x.rows(); ++i)
        for (std::size_t j = 0; j < out_; ++j) y(i, j) = R(b[j]);
      return y;
    }
    const Matrix<T> w = weights(params);
    return autodiff::add_rowwise(autodiff::multiply(x, w), b);
  }

  // Writes initial parameters: weights drawn by `init`, biases 0.
  void initialize(distributions::Generator& g, std::span<double> params, Init init = Init::glorot_uniform,
                  double gain = 1.0) const {
    check_params(params.size());
    const std::span<double> w = params.subspan(0, n_weights_);
    switch (init) {
      case Init::glorot_uniform: glorot_uniform(g, w, in_, out_, gain); break;
      case Init::he_normal: he_normal(g, w, in_, gain); break;
      case Init::lecun_normal: lecun_normal(g, w, in_, gain); break;
      case Init::zeros:
        for (double& e : w) e = 0.0;
        break;
    }
    for (std::size_t j = 0; j < out_; ++j) params[n_weights_ + j] = 0.0;
  }

 private:
  void check_params(std::size_t n) const {
    if (n != num_parameters()) detail::parameter_size_error("Linear", n, num_parameters());
  }

  std::size_t in_ = 0;
  std::size_t out_ = 0;
  std::vector<std::uint8_t> mask_;
  std::size_t n_weights_ = 0;
};

}  // namespace tapir::models::nn
