#pragma once
// FlowSequence: flows applied one after the other, optionally followed by bijectors
// (distributions/bijector.hpp) that carry the result into a constrained space:
//
//   FlowSequence seq({Planar(2), AffineCoupling(2, {8}, 0), AffineCoupling(2, {8}, 1)},
//                    {bijectors::Bijector(bijectors::Exp{})});
//   x = b_m(... b_1(f_K(... f_1(u)))),   log|det J| = sum of the parts' (each at its own input).
//
// Order: flows and bijectors are listed in the order they are APPLIED (first listed, first
// applied; note that bijectors::Chain lists in composition order instead). theta is the
// concatenation of the flows' parameters in list order: flow k owns
// [parameter_offset(k), parameter_offset(k) + flows()[k].num_parameters()).
//
// Sizes: every flow has the same dimension d = dim(); bijectors may change the size only as the
// last one applied (e.g. StickBreaking onto a simplex), for the reason given in bijectors/chain.hpp;
// output_dim() is the size of x. Size errors throw tapir::size_error (tapir::domain_error for a
// misplaced dimension-changing bijector, at construction).
//
// inverse (double) undoes the bijectors (last first), then the flows (last first).
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "distributions/bijector.hpp"
#include "distributions/flows/flow.hpp"

namespace tapir::distributions::flows {

class FlowSequence {
 public:
  FlowSequence(std::vector<Flow> flows, std::vector<bijectors::Bijector> bijectors = {})
      : flows_(std::move(flows)), bijectors_(std::move(bijectors)) {
    if (flows_.empty()) throw size_error("FlowSequence: no flows");
    d_ = flows_[0].dim();
    offsets_.assign(1, 0);
    for (std::size_t k = 0; k < flows_.size(); ++k) {
      if (flows_[k].dim() != d_)
        throw size_error("FlowSequence: flow " + std::to_string(k) + " (" + flows_[k].name() + ") has dimension " +
                         std::to_string(flows_[k].dim()) + ", flow 0 has " + std::to_string(d_));
      offsets_.push_back(offsets_.back() + flows_[k].num_parameters());
    }
    sizes_.assign(1, d_);
    for (std::size_t k = 0; k < bijectors_.size(); ++k) {
      const std::size_t n = bijectors_[k].constrained_size(sizes_.back());
      if (n != sizes_.back() && k + 1 < bijectors_.size())
        throw domain_error("FlowSequence: bijector " + std::to_string(k) + " (" + bijectors_[k].name() +
                           ") maps size " + std::to_string(sizes_.back()) + " to " + std::to_string(n) +
                           "; a dimension-changing bijector must be the last one applied");
      sizes_.push_back(n);
    }
  }
  FlowSequence(std::initializer_list<Flow> flows) : FlowSequence(std::vector<Flow>(flows)) {}
  // A single flow.
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, FlowSequence>) &&
            (FlowType<std::remove_cvref_t<F>> || std::same_as<std::remove_cvref_t<F>, Flow>)
  FlowSequence(F&& f) : FlowSequence(std::vector<Flow>{Flow(std::forward<F>(f))}) {}

  // Dimension of the base space (every flow's).
  std::size_t dim() const { return d_; }
  // Size of the final output (after the bijectors).
  std::size_t output_dim() const { return sizes_.back(); }
  std::size_t num_parameters() const { return offsets_.back(); }
  std::size_t parameter_offset(std::size_t k) const { return offsets_.at(k); }
  const std::vector<Flow>& flows() const { return flows_; }
  const std::vector<bijectors::Bijector>& bijectors() const { return bijectors_; }
  std::string name() const {
    std::string s = "flow_sequence(";
    for (std::size_t k = 0; k < flows_.size(); ++k) {
      if (k) s += ", ";
      s += flows_[k].name();
    }
    for (const auto& b : bijectors_) {
      s += ", ";
      s += b.name();
    }
    return s + ")";
  }

  // x = sequence(u); ADDS log|det J| to lad. T = double, Var or Dual<double>.
  template <class T>
  void forward(std::span<const T> theta, std::span<const T> u, std::span<T> x, T& lad) const {
    check("forward", theta.size(), u.size(), d_, x.size(), output_dim());
    std::vector<T> in(u.begin(), u.end()), out(d_);
    for (std::size_t k = 0; k < flows_.size(); ++k) {
      flows_[k].forward(theta.subspan(offsets_[k], flows_[k].num_parameters()), std::span<const T>(in),
                        std::span<T>(out), lad);
      std::swap(in, out);
    }
    for (std::size_t k = 0; k < bijectors_.size(); ++k) {
      out.resize(sizes_[k + 1]);
      bijectors_[k].forward(std::span<const T>(in), std::span<T>(out), lad);
      std::swap(in, out);
    }
    std::copy(in.begin(), in.end(), x.begin());
  }

  // u = sequence^{-1}(x).
  void inverse(std::span<const double> theta, std::span<const double> x, std::span<double> u) const {
    check("inverse", theta.size(), x.size(), output_dim(), u.size(), d_);
    std::vector<double> in(x.begin(), x.end()), out;
    for (std::size_t k = bijectors_.size(); k-- > 0;) {
      out.resize(sizes_[k]);
      bijectors_[k].inverse(std::span<const double>(in), std::span<double>(out));
      std::swap(in, out);
    }
    out.resize(d_);
    for (std::size_t k = flows_.size(); k-- > 0;) {
      flows_[k].inverse(theta.subspan(offsets_[k], flows_[k].num_parameters()), std::span<const double>(in),
                        std::span<double>(out));
      std::swap(in, out);
    }
    std::copy(in.begin(), in.end(), u.begin());
  }

  // Each flow's initialize on its part of theta, in list order, from one generator.
  void initialize(Generator& g, std::span<double> theta) const {
    detail::check_size("FlowSequence initialize", "theta", theta.size(), num_parameters());
    for (std::size_t k = 0; k < flows_.size(); ++k)
      flows_[k].initialize(g, theta.subspan(offsets_[k], flows_[k].num_parameters()));
  }
  std::vector<double> initialize(Key key) const {
    std::vector<double> theta(num_parameters());
    Generator g(key);
    initialize(g, std::span<double>(theta));
    return theta;
  }

 private:
  void check(const char* op, std::size_t n_theta, std::size_t n_in, std::size_t want_in, std::size_t n_out,
             std::size_t want_out) const {
    const std::string fn = std::string("FlowSequence ") + op;
    detail::check_size(fn, "theta", n_theta, num_parameters());
    detail::check_size(fn, "input", n_in, want_in);
    detail::check_size(fn, "output", n_out, want_out);
  }

  std::vector<Flow> flows_;
  std::vector<bijectors::Bijector> bijectors_;
  std::size_t d_ = 0;
  std::vector<std::size_t> offsets_;
  std::vector<std::size_t> sizes_;
};

}  // namespace tapir::distributions::flows
