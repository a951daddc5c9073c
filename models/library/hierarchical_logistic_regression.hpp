#pragma once
// Hierarchical logistic regression: group intercepts with partial pooling, non-centered.
//
//   mu ~ normal(0, intercept_scale)             population mean intercept
//   tau ~ half_normal(scale_scale)               between-group sd of the intercepts (tau > 0)
//   z_j ~ normal(0, 1),  alpha_j = mu + tau z_j  j = 1..J   (alpha written as an output)
//   beta_k ~ normal(0, coefficient_scale)        slopes shared by all groups, k = 1..K
//   y_i ~ bernoulli_logit(alpha_{g[i]} + x_i . beta)
//
// Parameters, in order: mu, tau, z (J), beta (K). Data: X (N x K), y (0/1), group (N indices,
// 0-based, each < J). The non-centered form keeps (mu, log tau, z) free of the funnel that the
// centered alpha_j ~ normal(mu, tau) has when the groups hold little data.
//
// Simulation: group j gets rows_per_group rows; x_ik ~ normal(0, 1), alpha_j = mu + tau z_j with
// z_j ~ normal(0, 1), y_i ~ bernoulli_logit(alpha_{g[i]} + x_i . beta); the intercepts drawn are
// returned with the data.
#include <cstddef>
#include <string>
#include <vector>

#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/matrix_ops.hpp"
#include "distributions/bernoulli.hpp"
#include "distributions/half_normal.hpp"
#include "distributions/normal.hpp"
#include "distributions/random.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

struct HierarchicalLogisticData {
  Matrix<double> X;                 // N x K
  std::vector<int> y;               // N outcomes in {0, 1}
  std::vector<std::size_t> group;   // N group indices in [0, J)
  std::size_t num_groups = 0;       // J
  std::vector<double> alpha;        // the intercepts drawn (simulation only)
};

struct HierarchicalLogisticRegression {
  Matrix<double> X;
  std::vector<int> y;
  std::vector<std::size_t> group;
  std::size_t num_groups = 0;
  double intercept_scale = 2.5;
  double scale_scale = 1.0;
  double coefficient_scale = 2.5;

  HierarchicalLogisticRegression() = default;
  HierarchicalLogisticRegression(Matrix<double> X_, std::vector<int> y_, std::vector<std::size_t> group_,
                                 std::size_t num_groups_)
      : X(std::move(X_)), y(std::move(y_)), group(std::move(group_)), num_groups(num_groups_) {
    check();
  }
  explicit HierarchicalLogisticRegression(const HierarchicalLogisticData& d)
      : HierarchicalLogisticRegression(d.X, d.y, d.group, d.num_groups) {}

  void check() const {
    const std::string fn = "HierarchicalLogisticRegression: ";
    if (y.size() != X.rows())
      throw size_error(fn + "y has " + std::to_string(y.size()) + " outcomes, X has " + std::to_string(X.rows()) +
                       " rows");
    if (group.size() != y.size())
      throw size_error(fn + "group has " + std::to_string(group.size()) + " entries, y has " +
                       std::to_string(y.size()));
    if (num_groups == 0) throw size_error(fn + "num_groups is 0");
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (y[i] != 0 && y[i] != 1)
        throw domain_error(fn + "y[" + std::to_string(i + 1) + "] is " + std::to_string(y[i]) + ", must be 0 or 1");
      if (group[i] >= num_groups)
        throw domain_error(fn + "group[" + std::to_string(i + 1) + "] is " + std::to_string(group[i]) +
                           ", must be < num_groups = " + std::to_string(num_groups) + " (0-based)");
    }
  }

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    const T mu = p.real("mu");
    const T tau = p.positive("tau");
    const Vector<T> z = p.vector("z", num_groups);
    const Vector<T> beta = p.vector("beta", X.cols());
    const Vector<T> alpha = tau * z + mu;
    p.output("alpha", alpha);
    T lp = distributions::normal_lpdf(mu, 0.0, intercept_scale) + distributions::half_normal_lpdf(tau, scale_scale) +
           distributions::normal_lpdf(z, 0.0, 1.0);
    if (X.cols() > 0) lp += distributions::normal_lpdf(beta, 0.0, coefficient_scale);
    if (y.empty()) return lp;
    Vector<T> eta(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) eta[i] = alpha[group[i]];
    if (X.cols() > 0) eta = eta + autodiff::multiply(X, beta);
    return lp + distributions::bernoulli_logit_lpmf(y, eta);
  }
};

// J groups of rows_per_group rows each; K = beta.size() covariates.
inline HierarchicalLogisticData simulate_hierarchical_logistic_regression(distributions::Key key, std::size_t num_groups,
                                                                          std::size_t rows_per_group, double mu,
                                                                          double tau, const std::vector<double>& beta) {
  if (!(tau >= 0.0)) throw_domain_error("simulate_hierarchical_logistic_regression", "tau", tau, ">= 0");
  const auto keys = distributions::split(key, 3);
  distributions::Generator gz(keys[0]), gx(keys[1]), gy(keys[2]);
  const std::size_t n = num_groups * rows_per_group, k = beta.size();
  HierarchicalLogisticData d{Matrix<double>(n, k), std::vector<int>(n), std::vector<std::size_t>(n), num_groups,
                             std::vector<double>(num_groups)};
  for (double& a : d.alpha) a = mu + tau * distributions::standard_normal(gz);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t g = i / rows_per_group;
    d.group[i] = g;
    double eta = d.alpha[g];
    for (std::size_t j = 0; j < k; ++j) {
      d.X(i, j) = distributions::standard_normal(gx);
      eta += d.X(i, j) * beta[j];
    }
    d.y[i] = distributions::bernoulli_logit(gy, eta);
  }
  return d;
}

}  // namespace tapir::models
