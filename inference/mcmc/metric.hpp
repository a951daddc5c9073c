#pragma once
// The Euclidean metric of Hamiltonian Monte Carlo: kinetic energy K(p) = p' M^{-1} p / 2, with the
// inverse metric M^{-1} diagonal or dense (Stan's diag_e and dense_e).
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/linalg.hpp"
#include "autodiff/matrix.hpp"
#include "distributions/random.hpp"

namespace tapir::inference::mcmc {

using autodiff::Matrix;

class Metric {
 public:
  enum class Kind { diagonal, dense };

  // The unit diagonal metric of dimension n.
  static Metric unit_diagonal(std::size_t n) { return diagonal(std::vector<double>(n, 1.0)); }
  static Metric diagonal(std::vector<double> inverse_metric) {
    for (double v : inverse_metric)
      if (!(v > 0.0) || !std::isfinite(v)) throw_domain_error("Metric", "a diagonal inverse-metric element", v, "positive and finite");
    Metric m;
    m.kind_ = Kind::diagonal;
    m.diag_ = std::move(inverse_metric);
    m.sqrt_diag_.resize(m.diag_.size());
    for (std::size_t i = 0; i < m.diag_.size(); ++i) m.sqrt_diag_[i] = std::sqrt(m.diag_[i]);
    return m;
  }
  // A dense inverse metric (symmetric positive definite); its Cholesky factor is kept for momenta.
  static Metric dense(const Matrix<double>& inverse_metric) {
    Metric m;
    m.kind_ = Kind::dense;
    m.dense_ = inverse_metric;
    const std::size_t n = inverse_metric.rows();
    autodiff::linalg::check_square("Metric::dense", "inverse metric", n, inverse_metric.cols());
    m.chol_ = Matrix<double>(n, n);
    autodiff::linalg::cholesky("Metric::dense", n, inverse_metric.data(), m.chol_.data());
    return m;
  }

  Kind kind() const { return kind_; }
  std::size_t dimension() const { return kind_ == Kind::diagonal ? diag_.size() : dense_.rows(); }
  const std::vector<double>& inverse_diagonal() const { return diag_; }
  const Matrix<double>& inverse_dense() const { return dense_; }

  // p ~ N(0, M). Diagonal: p_i = z_i / sqrt(Minv_i). Dense: with Minv = L L', p = L^{-T} z, whose
  // covariance is (L L')^{-1} = M (Stan's dense_e_metric::sample_p).
  void sample_momentum(distributions::Generator& g, std::span<double> p) const {
    for (double& e : p) e = distributions::standard_normal(g);
    if (kind_ == Kind::diagonal) {
      for (std::size_t i = 0; i < p.size(); ++i) p[i] /= sqrt_diag_[i];
    } else {
      autodiff::linalg::solve_lower_transpose(p.size(), 1, chol_.data(), p.data());
    }
  }
  // dK/dp = M^{-1} p.
  void velocity(std::span<const double> p, std::span<double> v) const {
    if (kind_ == Kind::diagonal) {
      for (std::size_t i = 0; i < p.size(); ++i) v[i] = diag_[i] * p[i];
    } else {
      const std::size_t n = p.size();
      for (std::size_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (std::size_t j = 0; j < n; ++j) s += dense_(i, j) * p[j];
        v[i] = s;
      }
    }
  }
  double kinetic_energy(std::span<const double> p) const {
    double k = 0.0;
    if (kind_ == Kind::diagonal) {
      for (std::size_t i = 0; i < p.size(); ++i) k += diag_[i] * p[i] * p[i];
    } else {
      const std::size_t n = p.size();
      for (std::size_t i = 0; i < n; ++i) {
        double s = 0.0;
        for (std::size_t j = 0; j < n; ++j) s += dense_(i, j) * p[j];
        k += p[i] * s;
      }
    }
    return 0.5 * k;
  }

 private:
  Kind kind_ = Kind::diagonal;
  std::vector<double> diag_, sqrt_diag_;
  Matrix<double> dense_, chol_;
};

}  // namespace tapir::inference::mcmc
