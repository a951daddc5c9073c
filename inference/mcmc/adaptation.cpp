#include "inference/mcmc/adaptation.hpp"

#include <cmath>

namespace tapir::inference::mcmc {

double StepSizeAdaptation::learn(double accept_stat) {
  counter += 1.0;
  const double a = accept_stat > 1.0 ? 1.0 : accept_stat;
  const double eta = 1.0 / (counter + t0);
  s_bar = (1.0 - eta) * s_bar + eta * (delta - a);
  const double x = mu - s_bar * std::sqrt(counter) / gamma;
  const double x_eta = std::pow(counter, -kappa);
  x_bar = (1.0 - x_eta) * x_bar + x_eta * x;
  return std::exp(x);
}

double StepSizeAdaptation::final_step_size() const { return std::exp(x_bar); }

WindowSchedule::WindowSchedule(unsigned num_warmup, unsigned init_buffer, unsigned term_buffer, unsigned base_window) {
  if (num_warmup < 20) return;  // no metric adaptation
  if (init_buffer + base_window + term_buffer > num_warmup) {
    num_warmup_ = num_warmup;
    init_buffer_ = static_cast<unsigned>(0.15 * num_warmup);
    term_buffer_ = static_cast<unsigned>(0.1 * num_warmup);
    base_window_ = num_warmup - (init_buffer_ + term_buffer_);
  } else {
    num_warmup_ = num_warmup;
    init_buffer_ = init_buffer;
    term_buffer_ = term_buffer;
    base_window_ = base_window;
  }
  counter_ = 0;
  window_size_ = base_window_;
  next_window_ = init_buffer_ + window_size_ - 1;
}

bool WindowSchedule::in_window() const {
  return num_warmup_ > 0 && counter_ >= init_buffer_ && counter_ < num_warmup_ - term_buffer_ && counter_ != num_warmup_;
}

bool WindowSchedule::window_ends() const {
  return num_warmup_ > 0 && counter_ == next_window_ && counter_ != num_warmup_;
}

void WindowSchedule::next_window() {
  const unsigned last = num_warmup_ - term_buffer_ - 1;
  if (next_window_ == last) return;
  window_size_ *= 2;
  next_window_ = counter_ + window_size_;
  if (next_window_ == last) return;
  // Stretch this window to the end of the slow phase when the following one would not fit.
  const unsigned next_boundary = next_window_ + 2 * window_size_;
  if (next_boundary >= num_warmup_ - term_buffer_) next_window_ = last;
}

WelfordEstimator::WelfordEstimator(std::size_t n, bool dense)
    : n_(n), dense_(dense), mean_(n, 0.0), m2_(dense ? 0 : n, 0.0), delta_(n) {
  if (dense_) m2_dense_ = autodiff::Matrix<double>(n, n, 0.0);
}

void WelfordEstimator::add(const std::vector<double>& x) {
  ++count_;
  const double c = static_cast<double>(count_);
  for (std::size_t i = 0; i < n_; ++i) {
    delta_[i] = x[i] - mean_[i];
    mean_[i] += delta_[i] / c;
  }
  if (dense_) {
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < n_; ++j) m2_dense_(i, j) += (x[i] - mean_[i]) * delta_[j];
  } else {
    for (std::size_t i = 0; i < n_; ++i) m2_[i] += (x[i] - mean_[i]) * delta_[i];
  }
}

std::vector<double> WelfordEstimator::variance() const {
  std::vector<double> v(n_);
  const double d = static_cast<double>(count_) - 1.0;
  for (std::size_t i = 0; i < n_; ++i) v[i] = (dense_ ? m2_dense_(i, i) : m2_[i]) / d;
  return v;
}

autodiff::Matrix<double> WelfordEstimator::covariance() const {
  autodiff::Matrix<double> c(n_, n_);
  const double d = static_cast<double>(count_) - 1.0;
  for (std::size_t i = 0; i < n_; ++i)
    for (std::size_t j = 0; j < n_; ++j) c(i, j) = m2_dense_(i, j) / d;
  return c;
}

void WelfordEstimator::restart() {
  count_ = 0;
  std::fill(mean_.begin(), mean_.end(), 0.0);
  std::fill(m2_.begin(), m2_.end(), 0.0);
  if (dense_) m2_dense_ = autodiff::Matrix<double>(n_, n_, 0.0);
}

}  // namespace tapir::inference::mcmc
