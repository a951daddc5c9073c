#pragma once
// An owning, contiguous, row-major dense matrix over any scalar.
#include <cstddef>
#include <vector>

#include "autodiff/block_cache.hpp"

namespace tapir::autodiff {

template <class T>
class Matrix {
 public:
  using value_type = T;
  using Scalar = T;

  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(rows * cols) {}
  Matrix(std::size_t rows, std::size_t cols, const T& v)
      : rows_(rows), cols_(cols), data_(rows * cols, v) {}

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  std::size_t size() const noexcept { return data_.size(); }
  T& operator()(std::size_t i, std::size_t j) noexcept { return data_[i * cols_ + j]; }
  const T& operator()(std::size_t i, std::size_t j) const noexcept { return data_[i * cols_ + j]; }
  T* data() noexcept { return data_.data(); }
  const T* data() const noexcept { return data_.data(); }
  T* row(std::size_t i) noexcept { return data_.data() + i * cols_; }
  const T* row(std::size_t i) const noexcept { return data_.data() + i * cols_; }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<T, CachingAllocator<T>> data_;
};

}  // namespace tapir::autodiff
