#pragma once
// Stan's warmup adaptation (stan-dev/stan stepsize_adaptation.hpp, windowed_adaptation.hpp,
// var_adaptation.hpp, covar_adaptation.hpp; facts in ../shared/references/nuts-reference.md).
//
// Step size: Nesterov dual averaging of log(epsilon) (Hoffman and Gelman 2014, section 3.2) with
// Stan's defaults delta 0.8, gamma 0.05, kappa 0.75, t0 10.
// Metric: windowed estimation of the posterior (co)variance: an initial fast buffer of 75
// iterations, slow windows starting at 25 and doubling (the last stretched to the end of the slow
// phase), a terminal fast buffer of 50; at each window's end the estimate is regularized toward
// 1e-3 I with weight 5 / (n + 5), the step size heuristic is rerun and dual averaging restarts
// with mu = log(10 epsilon). Under 20 warmup iterations the metric is not adapted; when the three
// stages do not fit, the buffers become 15% / 75% / 10% of the warmup.
#include <cstddef>
#include <vector>

#include "autodiff/matrix.hpp"

namespace tapir::inference::mcmc {

struct StepSizeAdaptation {
  double delta = 0.8, gamma = 0.05, kappa = 0.75, t0 = 10.0;
  double mu = 0.0;
  double s_bar = 0.0, x_bar = 0.0;
  double counter = 0.0;

  void restart() {
    counter = 0.0;
    s_bar = 0.0;
    x_bar = 0.0;
  }
  // The step size for the next iteration after one with this acceptance statistic.
  double learn(double accept_stat);
  // The step size for sampling: exp of the averaged iterate.
  double final_step_size() const;
};

// Which warmup iterations feed the metric estimator and when its windows end.
class WindowSchedule {
 public:
  WindowSchedule(unsigned num_warmup, unsigned init_buffer = 75, unsigned term_buffer = 50, unsigned base_window = 25);
  // Counter of the iteration about to be learned from.
  bool in_window() const;
  bool window_ends() const;
  // Advance after a window ended (Stan's compute_next_window).
  void next_window();
  void advance() { ++counter_; }
  unsigned init_buffer() const { return init_buffer_; }
  unsigned term_buffer() const { return term_buffer_; }
  unsigned base_window() const { return base_window_; }
  bool adapts() const { return num_warmup_ > 0; }

 private:
  unsigned num_warmup_ = 0, init_buffer_ = 0, term_buffer_ = 0, base_window_ = 0;
  unsigned counter_ = 0, window_size_ = 0, next_window_ = 0;
};

// Welford's running mean and (co)variance.
class WelfordEstimator {
 public:
  WelfordEstimator(std::size_t n, bool dense);
  void add(const std::vector<double>& x);
  std::size_t count() const { return count_; }
  // Sample variance (n - 1 denominator), diagonal or full.
  std::vector<double> variance() const;
  autodiff::Matrix<double> covariance() const;
  void restart();

 private:
  std::size_t n_, count_ = 0;
  bool dense_;
  std::vector<double> mean_, m2_;
  autodiff::Matrix<double> m2_dense_;
  std::vector<double> delta_;
};

}  // namespace tapir::inference::mcmc
