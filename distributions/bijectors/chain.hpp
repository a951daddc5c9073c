#pragma once
// Chain: composition of bijectors in the order of mathematical composition,
//   Chain{f_1, f_2, ..., f_m} = f_1 o f_2 o ... o f_m,
// so forward applies f_m first and f_1 last (right to left), and inverse applies f_1^{-1} first.
// E.g. Chain{Affine(2, 3), Exp{}} maps u to 2 + 3 e^u. log|det J| is the sum of the parts' (each
// evaluated at its own input), sizes compose, and an empty chain is the identity.
//
// A dimension-changing part (StickBreaking, CorrCholesky, a FieldBijector holding one) must be
// applied last, i.e. listed first: the log|det J| of a part applied after it would be taken over
// the whole ambient vector, which is not the volume factor on the lower-dimensional image. Sizes
// that change anywhere else throw tapir::domain_error.
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "distributions/bijector.hpp"

namespace tapir::distributions::bijectors {

class Chain {
 public:
  Chain() = default;
  Chain(std::initializer_list<Bijector> parts) : parts_(parts) {}
  explicit Chain(std::vector<Bijector> parts) : parts_(std::move(parts)) {}

  // In composition order: parts()[0] is applied last by forward.
  const std::vector<Bijector>& parts() const { return parts_; }

  std::size_t constrained_size(std::size_t n) const {
    for (std::size_t i = parts_.size(); i-- > 0;) {
      const std::size_t m = parts_[i].constrained_size(n);
      if (m != n && i > 0) dimension_change_error(i, n, m);
      n = m;
    }
    return n;
  }
  std::size_t unconstrained_size(std::size_t n) const {
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      const std::size_t m = parts_[i].unconstrained_size(n);
      if (m != n && i > 0) dimension_change_error(i, m, n);
      n = m;
    }
    return n;
  }
  std::string name() const {
    std::string s = "chain(";
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      if (i) s += ", ";
      s += parts_[i].name();
    }
    return s + ")";
  }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    detail::check_forward_sizes(*this, u.size(), x.size());
    std::vector<T> in(u.begin(), u.end()), out;
    for (std::size_t i = parts_.size(); i-- > 0;) {
      out.resize(parts_[i].constrained_size(in.size()));
      parts_[i].forward(std::span<const T>(in), std::span<T>(out), lad);
      std::swap(in, out);
    }
    std::copy(in.begin(), in.end(), x.begin());
  }

  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    detail::check_inverse_sizes(*this, x.size(), u.size());
    std::vector<T> in(x.begin(), x.end()), out;
    for (const Bijector& b : parts_) {
      out.resize(b.unconstrained_size(in.size()));
      b.inverse(std::span<const T>(in), std::span<T>(out));
      std::swap(in, out);
    }
    std::copy(in.begin(), in.end(), u.begin());
  }

 private:
  [[noreturn]] void dimension_change_error(std::size_t i, std::size_t from, std::size_t to) const {
    throw domain_error(name() + ": part " + std::to_string(i) + " (" + parts_[i].name() + ") maps size " +
                       std::to_string(from) + " to " + std::to_string(to) +
                       "; a dimension-changing bijector must be the first part (applied last)");
  }
  std::vector<Bijector> parts_;
};

}  // namespace tapir::distributions::bijectors
