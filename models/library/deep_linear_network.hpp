#pragma once
// Deep linear networks, learning-coefficient targets with a known learning coefficient
// (llc-ground-truth.md; see llc_target.hpp for the loss and the tempered posterior):
//
//   f(x; W_1..W_L) = x W_1 W_2 ... W_L,   W_l: H_l x H_{l+1}   (widths H_1 = inputs .. H_{L+1} = outputs)
//
// no biases; the weights are the matrices in order, each row-major (d = sum_l H_l H_{l+1}).
// The teacher of rank r is a product of random matrices of rank r: W_l = U_l V_l / sqrt(r H_l) with
// U_l (H_l x r) and V_l (r x H_{l+1}) standard normal (so each layer keeps the scale of its input),
// for r = 0 all zero. The data are x_i ~ normal(0, input_sd^2 I), y_i = f(x_i; teacher) + noise_sd e_i.
// w* is the teacher's weights: a point of the true set where every layer has rank r.
//
// The learning coefficient (Aoyagi 2024, "Consideration on the learning efficiency of multiple-layered
// neural networks with linear units", Neural Networks 172:106132), as llc-ground-truth.md states it:
// M_i = H_i - r; S the set of the l + 1 smallest M_i for the largest l with
//   max_S M < min_{S^c} M,  sum_S M >= l max_S M,  sum_S M < l min_{S^c} M
// (the minimum over an empty S^c is +inf); with s = sum_S M, M* = ceil(s / l), a = s - (M* - 1) l,
//   lambda = [r (H_1 + H_{L+1}) - r^2] / 2 + a (l - a) / (4 l) - (l (l - 1) / 4) (s / l)^2
//            + (1/2) sum_{i<j in S} M_i M_j.
// aoyagi_learning_coefficient evaluates it in integers (lambda = N / (4 l) for an integer N), so
// the reference table's values come out exactly.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "autodiff/traits.hpp"
#include "distributions/random.hpp"
#include "models/library/llc_target.hpp"

namespace tapir::models {

// The learning coefficient of a deep linear network with widths {H_1, ..., H_{L+1}} (at least two)
// whose true map has rank r <= min H_i.
inline double aoyagi_learning_coefficient(const std::vector<std::size_t>& widths, std::size_t rank) {
  const std::size_t count = widths.size();
  if (count < 2)
    throw size_error("aoyagi_learning_coefficient: " + std::to_string(count) +
                     " widths, expected at least 2 (inputs and outputs)");
  for (std::size_t i = 0; i < count; ++i)
    if (rank > widths[i])
      throw domain_error("aoyagi_learning_coefficient: rank " + std::to_string(rank) + " exceeds width " +
                         std::to_string(i + 1) + " (" + std::to_string(widths[i]) + ")");
  using ll = long long;
  const ll r = static_cast<ll>(rank);
  std::vector<ll> m(count);
  for (std::size_t i = 0; i < count; ++i) m[i] = static_cast<ll>(widths[i]) - r;
  std::sort(m.begin(), m.end());
  const ll base = r * (static_cast<ll>(widths.front()) + static_cast<ll>(widths.back())) - r * r;  // times 1/2
  for (std::size_t li = count - 1; li >= 1; --li) {
    const ll l = static_cast<ll>(li);
    ll s = 0;
    for (std::size_t k = 0; k <= li; ++k) s += m[k];
    const ll max_s = m[li];
    const bool complement = li + 1 < count;
    const ll min_c = complement ? m[li + 1] : 0;
    if (complement && !(max_s < min_c)) continue;
    if (!(s >= l * max_s)) continue;
    if (complement && !(s < l * min_c)) continue;
    const ll m_star = (s + l - 1) / l;  // ceil(s / l), s >= 0
    const ll a = s - (m_star - 1) * l;
    ll pairs = 0;
    for (std::size_t i = 0; i <= li; ++i)
      for (std::size_t j = i + 1; j <= li; ++j) pairs += m[i] * m[j];
    // 4 l lambda = 2 l base + a (l - a) - (l - 1) s^2 + 2 l pairs
    const ll numerator = 2 * l * base + a * (l - a) - (l - 1) * s * s + 2 * l * pairs;
    return static_cast<double>(numerator) / static_cast<double>(4 * l);
  }
  throw domain_error("aoyagi_learning_coefficient: no index set satisfies the conditions");
}

// x -> x W_1 ... W_L over a batch, the weights one flat vector (each W_l row-major, in order).
class LinearChain {
 public:
  explicit LinearChain(std::vector<std::size_t> widths) : widths_(std::move(widths)) {
    if (widths_.size() < 2)
      throw size_error("LinearChain: " + std::to_string(widths_.size()) + " widths, expected at least 2");
    offsets_.assign(1, 0);
    for (std::size_t l = 0; l + 1 < widths_.size(); ++l) offsets_.push_back(offsets_.back() + widths_[l] * widths_[l + 1]);
  }

  const std::vector<std::size_t>& widths() const { return widths_; }
  std::size_t num_layers() const { return widths_.size() - 1; }
  std::size_t num_parameters() const { return offsets_.back(); }
  std::size_t parameter_offset(std::size_t l) const { return offsets_.at(l); }

  // W_l as a matrix.
  template <class T>
  Matrix<T> layer(std::span<const T> w, std::size_t l) const {
    Matrix<T> m(widths_[l], widths_[l + 1]);
    for (std::size_t q = 0; q < m.size(); ++q) m.data()[q] = w[offsets_[l] + q];
    return m;
  }

  template <class T, class X>
  Matrix<autodiff::promote_t<T, X>> forward(std::span<const T> w, const Matrix<X>& x) const {
    using R = autodiff::promote_t<T, X>;
    if (w.size() != num_parameters())
      throw size_error("LinearChain: " + std::to_string(w.size()) + " weights, expected " +
                       std::to_string(num_parameters()));
    if (x.cols() != widths_.front())
      throw size_error("LinearChain::forward: input has " + std::to_string(x.cols()) + " columns, expected " +
                       std::to_string(widths_.front()));
    Matrix<R> h = autodiff::multiply(x, layer(w, 0));
    for (std::size_t l = 1; l < num_layers(); ++l) h = autodiff::multiply(h, layer(w, l));
    return h;
  }

  // The end-to-end matrix W_1 ... W_L (H_1 x H_{L+1}).
  Matrix<double> product(std::span<const double> w) const {
    Matrix<double> p = layer(w, 0);
    for (std::size_t l = 1; l < num_layers(); ++l) p = autodiff::multiply(p, layer(w, l));
    return p;
  }

 private:
  std::vector<std::size_t> widths_;
  std::vector<std::size_t> offsets_;
};

struct DeepLinearConfig {
  std::vector<std::size_t> widths{4, 4, 4};
  std::size_t rank = 2;
  std::size_t rows = 1024;
  double noise_sd = 0.1;
  double input_sd = 1.0;
};

class DeepLinearNetwork : public SquaredErrorRegression<LinearChain> {
 public:
  explicit DeepLinearNetwork(distributions::Key key, const DeepLinearConfig& config = {})
      : DeepLinearNetwork(generate(key, config)) {}

  const DeepLinearConfig& config() const { return config_; }
  const std::vector<std::size_t>& widths() const { return config_.widths; }
  std::size_t rank() const { return config_.rank; }
  // Aoyagi's lambda for these widths and rank.
  double learning_coefficient() const { return aoyagi_learning_coefficient(config_.widths, config_.rank); }
  // The teacher's end-to-end map (rank r).
  Matrix<double> teacher_map() const { return network().product(optimum()); }

 private:
  struct Generated {
    DeepLinearConfig config;
    LinearChain net;
    std::vector<double> teacher;
    RegressionData data;
  };
  explicit DeepLinearNetwork(Generated g)
      : SquaredErrorRegression<LinearChain>(std::move(g.net), std::move(g.data), std::move(g.teacher)),
        config_(std::move(g.config)) {}

  static Generated generate(distributions::Key key, const DeepLinearConfig& c) {
    const char* fn = "DeepLinearNetwork";
    LinearChain net(c.widths);
    for (std::size_t i = 0; i < c.widths.size(); ++i) {
      if (c.widths[i] == 0) throw size_error("DeepLinearNetwork: width " + std::to_string(i + 1) + " is 0");
      if (c.rank > c.widths[i])
        throw domain_error("DeepLinearNetwork: rank " + std::to_string(c.rank) + " exceeds width " + std::to_string(i + 1) +
                           " (" + std::to_string(c.widths[i]) + ")");
    }
    if (!(c.noise_sd >= 0.0)) throw_domain_error(fn, "noise_sd", c.noise_sd, ">= 0");
    if (!(c.input_sd > 0.0)) throw_domain_error(fn, "input_sd", c.input_sd, "positive");
    const auto keys = distributions::split(key, 3);
    std::vector<double> w(net.num_parameters(), 0.0);
    if (c.rank > 0) {
      distributions::Generator g(keys[0]);
      const std::size_t r = c.rank;
      for (std::size_t l = 0; l < net.num_layers(); ++l) {
        const std::size_t hin = c.widths[l], hout = c.widths[l + 1];
        std::vector<double> u(hin * r), v(r * hout);
        distributions::standard_normal(g, u);
        distributions::standard_normal(g, v);
        const double scale = 1.0 / std::sqrt(static_cast<double>(r * hin));
        for (std::size_t i = 0; i < hin; ++i)
          for (std::size_t j = 0; j < hout; ++j) {
            double s = 0.0;
            for (std::size_t k = 0; k < r; ++k) s += u[i * r + k] * v[k * hout + j];
            w[net.parameter_offset(l) + i * hout + j] = scale * s;
          }
      }
    }
    const std::size_t n = c.rows;
    RegressionData data{Matrix<double>(n, c.widths.front()), Matrix<double>(n, c.widths.back())};
    {
      distributions::Generator g(keys[1]);
      for (std::size_t q = 0; q < data.x.size(); ++q) data.x.data()[q] = c.input_sd * distributions::standard_normal(g);
    }
    if (n > 0) data.y = net.forward(std::span<const double>(w), data.x);
    {
      distributions::Generator g(keys[2]);
      for (std::size_t q = 0; q < data.y.size(); ++q) data.y.data()[q] += c.noise_sd * distributions::standard_normal(g);
    }
    return Generated{c, std::move(net), std::move(w), std::move(data)};
  }

  DeepLinearConfig config_;
};

}  // namespace tapir::models
