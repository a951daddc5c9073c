#pragma once
// Bayesian logistic regression, and a simulator for its data.
//
//   alpha ~ normal(0, intercept_scale),  beta_j ~ normal(0, coefficient_scale),  j = 1..K
//   y_i ~ bernoulli_logit(alpha + x_i . beta),  i = 1..N
//
// Parameters: alpha (real), beta (vector K). Data: X (N x K, one row per observation), y (0/1).
// With T = Var the linear predictor is two tape nodes (X beta, + alpha) and the likelihood one.
//
//   const auto data = simulate_logistic_regression(make_key(1), 200, 0.5, {1.0, -2.0, 0.3});
//   const Model model(LogisticRegression{data.X, data.y}, "logistic_regression");
//
// Simulation: x_ij ~ normal(0, 1) independently, y_i ~ bernoulli_logit(alpha + x_i . beta), from
// one Key (the design from one split of it, the outcomes from the other).
#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "distributions/bernoulli.hpp"
#include "distributions/normal.hpp"
#include "distributions/random.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

struct LogisticRegressionData {
  Matrix<double> X;    // N x K
  std::vector<int> y;  // N outcomes in {0, 1}
};

struct LogisticRegression {
  Matrix<double> X;
  std::vector<int> y;
  double intercept_scale = 2.5;
  double coefficient_scale = 2.5;

  LogisticRegression() = default;
  LogisticRegression(Matrix<double> X_, std::vector<int> y_) : X(std::move(X_)), y(std::move(y_)) { check(); }
  explicit LogisticRegression(const LogisticRegressionData& d) : LogisticRegression(d.X, d.y) {}

  void check() const {
    if (y.size() != X.rows())
      throw size_error("LogisticRegression: y has " + std::to_string(y.size()) + " outcomes, X has " +
                       std::to_string(X.rows()) + " rows");
    for (std::size_t i = 0; i < y.size(); ++i)
      if (y[i] != 0 && y[i] != 1)
        throw domain_error("LogisticRegression: y[" + std::to_string(i + 1) + "] is " + std::to_string(y[i]) +
                           ", must be 0 or 1");
  }

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    const T alpha = p.real("alpha");
    const Vector<T> beta = p.vector("beta", X.cols());
    T lp = distributions::normal_lpdf(alpha, 0.0, intercept_scale);
    if (X.cols() > 0) lp += distributions::normal_lpdf(beta, 0.0, coefficient_scale);
    if (y.empty()) return lp;
    if (X.cols() == 0) return lp + distributions::bernoulli_logit_lpmf(y, alpha);
    const Vector<T> eta = autodiff::multiply(X, beta) + alpha;
    return lp + distributions::bernoulli_logit_lpmf(y, eta);
  }
};

// N rows with x_ij ~ normal(0, 1) and y_i ~ bernoulli_logit(alpha + x_i . beta), K = beta.size().
inline LogisticRegressionData simulate_logistic_regression(distributions::Key key, std::size_t rows, double alpha,
                                                           const std::vector<double>& beta) {
  const auto [k_x, k_y] = distributions::split(key);
  distributions::Generator gx(k_x), gy(k_y);
  LogisticRegressionData d{Matrix<double>(rows, beta.size()), std::vector<int>(rows)};
  for (std::size_t i = 0; i < rows; ++i) {
    double eta = alpha;
    for (std::size_t j = 0; j < beta.size(); ++j) {
      d.X(i, j) = distributions::standard_normal(gx);
      eta += d.X(i, j) * beta[j];
    }
    d.y[i] = distributions::bernoulli_logit(gy, eta);
  }
  return d;
}

}  // namespace tapir::models
