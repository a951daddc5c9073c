// The main job for now: differentiate a small model and print its value, gradient and an exact
// Hessian-vector product, with a finite-difference check of both.
//
// The model is a Bayesian logistic regression with a half-normal prior on the scale, written once
// as a template over the scalar, on an embedded data set (no input files). Parameters:
// x = (alpha, beta_1, beta_2, log_tau).
#include <cstdio>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "distributions/normal.hpp"

namespace {

// Embedded data: 8 observations with two covariates.
const double covariates[8][2] = {{-1.2, 0.4}, {-0.7, -1.1}, {-0.3, 0.8}, {0.0, 0.1},
                                 {0.4, -0.6}, {0.9, 1.3},   {1.3, -0.2}, {1.8, 0.7}};
const int outcomes[8] = {0, 0, 1, 0, 1, 1, 1, 1};

struct LogisticRegression {
  template <class T>
  T operator()(const tapir::autodiff::Vector<T>& x) const {
    using namespace tapir::autodiff;
    using tapir::distributions::normal_lpdf;
    const T& alpha = x[0];
    const T tau = exp(x[3]);
    // tau ~ half-normal(0, 1) on the log scale: density of tau plus the log-Jacobian x[3].
    T lp = normal_lpdf(tau, 0.0, 1.0) + x[3];
    lp += normal_lpdf(alpha, 0.0, 2.5);
    lp += normal_lpdf(x[1], 0.0, tau) + normal_lpdf(x[2], 0.0, tau);
    for (int i = 0; i < 8; ++i) {
      const T eta = alpha + x[1] * covariates[i][0] + x[2] * covariates[i][1];
      lp += outcomes[i] ? log_inv_logit(eta) : log1m_inv_logit(eta);
    }
    return lp;
  }
};

void print(const char* label, const std::vector<double>& v) {
  std::printf("%-22s", label);
  for (double e : v) std::printf(" %12.6f", e);
  std::printf("\n");
}

}  // namespace

int main() {
  using namespace tapir::autodiff;
  const LogisticRegression model;
  const std::vector<double> x = {0.2, 1.1, -0.4, -0.3};
  const std::vector<double> v = {1.0, 0.0, 0.0, 0.0};

  const HessianVectorProduct r = hvp(model, x, v);
  std::printf("logistic regression, 8 observations, x = (alpha, beta1, beta2, log_tau)\n");
  print("x", x);
  std::printf("%-22s %12.6f\n", "log density", r.value);
  print("gradient", r.gradient);
  print("Hessian * e1", r.hvp);

  const DerivativeCheck check = check_derivatives(model, x);
  std::printf("\nfinite-difference check: %s", check.report().c_str());
  return check.ok ? 0 : 1;
}
