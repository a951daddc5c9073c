#pragma once
// An owning, contiguous vector over any scalar (double, Var, Dual<T>): the argument type of the
// functions the functional API differentiates.
#include <cstddef>
#include <initializer_list>
#include <span>
#include <vector>

#include "autodiff/block_cache.hpp"

namespace tapir::autodiff {

template <class T>
class Vector {
 public:
  using value_type = T;
  using Scalar = T;

  Vector() = default;
  explicit Vector(std::size_t n) : data_(n) {}
  Vector(std::size_t n, const T& v) : data_(n, v) {}
  Vector(std::initializer_list<T> values) : data_(values) {}
  explicit Vector(std::span<const T> values) : data_(values.begin(), values.end()) {}
  explicit Vector(const std::vector<T>& values) : data_(values.begin(), values.end()) {}

  std::size_t size() const noexcept { return data_.size(); }
  bool empty() const noexcept { return data_.empty(); }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* data() noexcept { return data_.data(); }
  const T* data() const noexcept { return data_.data(); }
  auto begin() noexcept { return data_.begin(); }
  auto end() noexcept { return data_.end(); }
  auto begin() const noexcept { return data_.begin(); }
  auto end() const noexcept { return data_.end(); }
  void resize(std::size_t n) { data_.resize(n); }
  operator std::span<const T>() const noexcept { return {data_.data(), data_.size()}; }
  operator std::span<T>() noexcept { return {data_.data(), data_.size()}; }
  std::vector<T> std_vector() const { return std::vector<T>(data_.begin(), data_.end()); }

 private:
  std::vector<T, CachingAllocator<T>> data_;
};

}  // namespace tapir::autodiff
