#pragma once
// Affine: x = loc + scale * u elementwise, loc and scale each a scalar (broadcast to any size) or a
// vector (fixing the size). log|det J| = sum log|scale_i|. scale must be finite and nonzero (it may
// be negative). Inverse u = (x - loc) / scale; every finite x is in the range.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class Affine {
 public:
  Affine(double loc, double scale) : Affine(std::vector<double>{loc}, std::vector<double>{scale}, 0) {}
  Affine(double loc, std::vector<double> scale) : Affine(std::vector<double>{loc}, std::move(scale), 2) {}
  Affine(std::vector<double> loc, double scale) : Affine(std::move(loc), std::vector<double>{scale}, 1) {}
  Affine(std::vector<double> loc, std::vector<double> scale) : Affine(std::move(loc), std::move(scale), 3) {}

  // 0 when loc and scale are both scalars (any size), else the size of the vector parameter(s).
  std::size_t dimension() const { return dim_; }
  const Vector<double>& loc() const { return loc_; }
  const Vector<double>& scale() const { return scale_; }

  std::size_t constrained_size(std::size_t n) const {
    check_size(n);
    return n;
  }
  std::size_t unconstrained_size(std::size_t n) const {
    check_size(n);
    return n;
  }
  std::string name() const {
    auto part = [&](const Vector<double>& v, bool vec) {
      return vec ? detail::format_numbers(std::span<const double>(v.data(), v.size())) : detail::format_number(v[0]);
    };
    return "affine:" + part(loc_, loc_vec_) + "," + part(scale_, scale_vec_);
  }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    using namespace autodiff;
    detail::check_forward_sizes(*this, u.size(), x.size());
    const std::size_t n = u.size();
    if (detail::use_vector_ops<T>(n)) {
      Vector<T> y = detail::to_vector(u);
      if (scale_vec_)
        y = elt_multiply(scale_, y);
      else if (scale_[0] != 1.0)
        y = scale_[0] * y;
      if (loc_vec_)
        y = y + loc_;
      else if (loc_[0] != 0.0)
        y = y + loc_[0];
      detail::copy_out(y, x);
    } else {
      for (std::size_t i = 0; i < n; ++i) x[i] = loc_[loc_vec_ ? i : 0] + scale_[scale_vec_ ? i : 0] * u[i];
    }
    lad += scale_vec_ ? sum_log_abs_scale_ : static_cast<double>(n) * sum_log_abs_scale_;
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    detail::check_inverse_sizes(*this, x.size(), u.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double v = autodiff::value_of(x[i]);
      if (std::isnan(v)) detail::inverse_domain_error(name(), i, v, "a number");
      u[i] = (x[i] - loc_[loc_vec_ ? i : 0]) / scale_[scale_vec_ ? i : 0];
    }
  }

 private:
  Affine(std::vector<double> loc, std::vector<double> scale, int vectors)
      : loc_vec_(vectors & 1), scale_vec_(vectors & 2), loc_(std::move(loc)), scale_(std::move(scale)) {
    if (loc_vec_ && scale_vec_ && loc_.size() != scale_.size())
      throw size_error("Affine: loc has size " + std::to_string(loc_.size()) + ", scale has size " +
                       std::to_string(scale_.size()));
    dim_ = loc_vec_ ? loc_.size() : scale_vec_ ? scale_.size() : 0;
    for (std::size_t i = 0; i < loc_.size(); ++i) {
      const std::string arg = "loc[" + std::to_string(i) + "]";
      if (!std::isfinite(loc_[i])) throw_domain_error("Affine", arg.c_str(), loc_[i], "finite");
    }
    sum_log_abs_scale_ = 0.0;
    for (std::size_t i = 0; i < scale_.size(); ++i) {
      const std::string arg = "scale[" + std::to_string(i) + "]";
      if (!(std::isfinite(scale_[i]) && scale_[i] != 0.0))
        throw_domain_error("Affine", arg.c_str(), scale_[i], "finite and nonzero");
      sum_log_abs_scale_ += std::log(std::abs(scale_[i]));
    }
  }
  void check_size(std::size_t n) const {
    if ((loc_vec_ || scale_vec_) && n != dim_)
      throw size_error(name() + ": input has size " + std::to_string(n) + ", expected " + std::to_string(dim_));
  }

  bool loc_vec_, scale_vec_;
  Vector<double> loc_, scale_;
  std::size_t dim_ = 0;
  double sum_log_abs_scale_ = 0.0;
};

}  // namespace tapir::distributions::bijectors
