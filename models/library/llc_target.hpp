#pragma once
// Learning-coefficient targets (../shared/references/llc-ground-truth.md): regression problems with
// a known optimum w*, exposing the mean training loss L_n(w) as a template over the scalar, per-row
// losses for minibatches, and the localized, tempered posterior that LLC estimators sample,
//
//   log pi(w) = -n beta L_n(w) - (gamma / 2) ||w - w*||^2,   beta = beta0 / log(n),
//   lambda_hat = n beta (E_pi[L_n(w)] - L_n(w*)).
//
// SquaredErrorRegression<Net> holds a network (anything with num_parameters() and
// forward(std::span<const T> w, const Matrix<double>& x) -> Matrix<T>, e.g. nn::MLP), its data and
// its optimum. The loss is the squared error summed over the outputs and averaged over the rows:
//
//   l_i(w) = sum_k (y_ik - f_k(x_i; w))^2,   L_n(w) = (1/n) sum_i l_i(w)
//
// (for one output, the mean squared error). The learning coefficient does not depend on the loss's
// scale; the tempered posterior's temperature does (sigma^2 / 2 turns L_n into a Gaussian negative
// log-likelihood per row). Every function of w accepts any contiguous range of double, Var or
// Dual<double> (Vector<T>, std::vector<T>, std::span<const T>); with T = Var the full-batch loss is
// a few tape nodes per layer (matrix products, bias, activation, residual, squared norm).
//
// The targets also satisfy the interface of inference/mcmc/sgld.hpp's MinibatchModel:
// log_prior(w) = 0 and log_likelihood(w, i) = -l_i(w), so SGLD with temperature beta, localization
// gamma and center w* samples pi above.
#include <cmath>
#include <cstddef>
#include <ranges>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

// n rows of inputs x (n x in) and targets y (n x out).
struct RegressionData {
  Matrix<double> x;
  Matrix<double> y;
};

// beta = beta0 / log(n) (the "1_over_log_n" schedule).
inline double inverse_temperature(std::size_t n, double beta0 = 1.0) {
  if (n < 2) throw domain_error("inverse_temperature: n is " + std::to_string(n) + ", must be at least 2 (log n > 0)");
  return beta0 / std::log(static_cast<double>(n));
}

// lambda_hat = n beta (E_pi[L_n] - L_n(w*)).
inline double llc_estimate(std::size_t n, double beta, double mean_loss, double optimum_loss) {
  return static_cast<double>(n) * beta * (mean_loss - optimum_loss);
}

namespace llc_detail {
template <class W>
auto as_span(const W& w) {
  using T = std::remove_cvref_t<std::ranges::range_value_t<W>>;
  return std::span<const T>(std::ranges::data(w), std::ranges::size(w));
}
template <class W>
using scalar_of = std::remove_cvref_t<std::ranges::range_value_t<W>>;
}  // namespace llc_detail

template <class Net>
class SquaredErrorRegression {
 public:
  SquaredErrorRegression(Net net, RegressionData data, std::vector<double> optimum)
      : net_(std::move(net)), data_(std::move(data)), optimum_(std::move(optimum)) {
    if (data_.x.rows() != data_.y.rows())
      throw size_error("regression target: x has " + std::to_string(data_.x.rows()) + " rows, y has " +
                       std::to_string(data_.y.rows()));
    if (optimum_.size() != net_.num_parameters())
      throw size_error("regression target: the optimum has " + std::to_string(optimum_.size()) +
                       " weights, the network " + std::to_string(net_.num_parameters()));
  }

  // d, the number of weights.
  std::size_t dimension() const { return net_.num_parameters(); }
  // n, the number of rows.
  std::size_t num_data() const { return data_.x.rows(); }
  const Net& network() const { return net_; }
  const RegressionData& data() const { return data_; }
  // w*: the teacher's weights (realizable case), in the network's layout.
  const std::vector<double>& optimum() const { return optimum_; }

  // The network's outputs on inputs x (rows).
  template <class W>
  auto predict(const W& w, const Matrix<double>& x) const {
    check(w.size());
    return net_.forward(llc_detail::as_span(w), x);
  }

  // L_n(w): the mean over all rows of the squared error summed over the outputs.
  template <class W>
  llc_detail::scalar_of<W> loss(const W& w) const {
    using T = llc_detail::scalar_of<W>;
    check(w.size());
    if (num_data() == 0) return T(0.0);
    return squared_error(predict(w, data_.x), data_.y) / static_cast<double>(num_data());
  }

  // The mean of l_i(w) over the given rows (0-based, repeats allowed): a minibatch estimate of L_n.
  template <class W>
  llc_detail::scalar_of<W> batch_loss(const W& w, std::span<const std::size_t> rows) const {
    using T = llc_detail::scalar_of<W>;
    check(w.size());
    if (rows.empty()) return T(0.0);
    Matrix<double> xb(rows.size(), data_.x.cols()), yb(rows.size(), data_.y.cols());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (rows[r] >= num_data())
        throw size_error("batch_loss: row " + std::to_string(rows[r]) + " of " + std::to_string(num_data()));
      for (std::size_t j = 0; j < xb.cols(); ++j) xb(r, j) = data_.x(rows[r], j);
      for (std::size_t j = 0; j < yb.cols(); ++j) yb(r, j) = data_.y(rows[r], j);
    }
    return squared_error(predict(w, xb), yb) / static_cast<double>(rows.size());
  }

  // l_i(w) for every row i.
  template <class W>
  Vector<llc_detail::scalar_of<W>> row_losses(const W& w) const {
    using T = llc_detail::scalar_of<W>;
    check(w.size());
    const std::size_t n = num_data(), k = data_.y.cols();
    Vector<T> out(n);
    if (n == 0) return out;
    const Matrix<T> r = predict(w, data_.x) - data_.y;
    const Matrix<T> r2 = square(r);
    for (std::size_t i = 0; i < n; ++i) {
      T s = r2(i, 0);
      for (std::size_t j = 1; j < k; ++j) s += r2(i, j);
      out[i] = s;
    }
    return out;
  }

  // l_i(w) for one row.
  template <class W>
  llc_detail::scalar_of<W> row_loss(const W& w, std::size_t i) const {
    const std::size_t rows[1] = {i};
    return batch_loss(w, std::span<const std::size_t>(rows, 1));
  }

  // For inference/mcmc/sgld.hpp's MinibatchModel: a flat prior and log-likelihood -l_i.
  template <class T>
  T log_prior(const Vector<T>&) const {
    return T(0.0);
  }
  template <class T>
  T log_likelihood(const Vector<T>& w, std::size_t i) const {
    return -row_loss(w, i);
  }

 private:
  void check(std::size_t n) const {
    if (n != dimension())
      throw size_error("regression target: w has " + std::to_string(n) + " values, the network has " +
                       std::to_string(dimension()) + " weights");
  }
  template <class T>
  static T squared_error(const Matrix<T>& pred, const Matrix<double>& y) {
    const Matrix<T> r = pred - y;
    return autodiff::squared_norm(Vector<T>(std::span<const T>(r.data(), r.size())));
  }

  Net net_;
  RegressionData data_;
  std::vector<double> optimum_;
};

// The localized tempered posterior over all weights w (one vector parameter "w" of d reals):
//   log pi(w) = -n beta L_n(w) - (gamma / 2) ||w - center||^2
// with center = the target's optimum unless given. beta defaults to 1 / log n.
template <class Target>
struct LocalizedPosterior {
  Target target;
  double beta = 0.0;   // 0: 1 / log n
  double gamma = 0.0;  // localizer strength
  std::vector<double> center{};

  double temperature() const { return beta > 0.0 ? beta : inverse_temperature(target.num_data()); }
  const std::vector<double>& localization_center() const { return center.empty() ? target.optimum() : center; }

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    const std::size_t d = target.dimension();
    const Vector<T> w = p.vector("w", d);
    T lp = -(static_cast<double>(target.num_data()) * temperature()) * target.loss(w);
    if (gamma > 0.0) {
      const std::vector<double>& c = localization_center();
      if (c.size() != d)
        throw size_error("LocalizedPosterior: the center has " + std::to_string(c.size()) + " values, w has " +
                         std::to_string(d));
      lp -= (0.5 * gamma) * autodiff::squared_norm(Vector<T>(w - Vector<double>(c)));
    }
    return lp;
  }
};

}  // namespace tapir::models
