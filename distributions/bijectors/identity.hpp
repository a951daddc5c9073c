#pragma once
// Identity: x = u, log|det J| = 0. The default of the type-erased `Bijector` handle and of
// unnamed fields of a FieldBijector. Self-contained (distributions/bijector.hpp includes it).
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>

#include "autodiff/errors.hpp"

namespace tapir::distributions::bijectors {

class Identity {
 public:
  std::size_t constrained_size(std::size_t n) const { return n; }
  std::size_t unconstrained_size(std::size_t n) const { return n; }
  std::string name() const { return "identity"; }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& /*log_abs_det_jacobian*/) const {
    check(u.size(), x.size(), "forward");
    std::copy(u.begin(), u.end(), x.begin());
  }
  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    check(x.size(), u.size(), "inverse");
    std::copy(x.begin(), x.end(), u.begin());
  }

 private:
  static void check(std::size_t in, std::size_t out, const char* fn) {
    if (in != out)
      throw size_error(std::string("identity ") + fn + ": input has size " + std::to_string(in) +
                       ", output has size " + std::to_string(out) + ", expected " + std::to_string(in));
  }
};

}  // namespace tapir::distributions::bijectors
