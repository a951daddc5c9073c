#pragma once
// Normalizing flows: parameterized bijections z = f_theta(u) of R^d onto R^d with a tractable
// log|det J|, used as variational families (base density pushed through the flow, see
// flow_distribution.hpp). Unlike a bijector (distributions/bijector.hpp), a flow has parameters
// theta, passed as a flat vector so that the optimizer sees one parameter vector.
//
// Every flow is a small immutable value type with this interface (the `FlowType` concept); its
// forward template is instantiated for T = double, Var and Dual<double>:
//
//   std::size_t dim() const;              // d
//   std::size_t num_parameters() const;   // size of theta
//   std::string name() const;             // "planar(3)", "affine_coupling(4; 16,16; parity 0)", ...
//   template <class T>
//   void forward(std::span<const T> theta, std::span<const T> u, std::span<T> z, T& log_abs_det_jacobian) const;
//       // writes z = f_theta(u) and ADDS log|det df/du| to the accumulator (as bijectors do)
//   void inverse(std::span<const double> theta, std::span<const double> z, std::span<double> u) const;
//       // writes u = f_theta^{-1}(z)
//   void initialize(distributions::Generator& g, std::span<double> theta) const;
//       // writes a reasonable starting point (documented by each flow; near the identity map)
//
// Conventions: sizes are checked (theta, u and z) and a wrong size throws tapir::size_error; spans
// must not alias. forward never throws on values (IEEE arithmetic). Flows are templates over T so
// that forward with T = Var is differentiable in theta AND in u (the reparameterization gradient
// of variational inference), and T = Dual<double> gives directional derivatives without a tape.
//
// Flows (one header each, all included by flows.hpp):
//   Planar                  Rezende & Mohamed 2015, with the invertibility reparameterization
//   AffineCoupling          RealNVP, Dinh, Sohl-Dickstein & Bengio 2017
//   InverseAutoregressive   IAF, Kingma et al. 2016 (fast forward, sequential inverse)
//   MaskedAutoregressive    MAF, Papamakarios, Pavlakou & Murray 2017 (sequential forward, fast inverse)
// and the type-erased handle `Flow` below; FlowSequence (sequence.hpp) composes flows and
// bijectors; FlowDistribution (flow_distribution.hpp) is the variational family.
#include <cmath>
#include <concepts>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/dual.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"
#include "distributions/random.hpp"

namespace tapir::distributions::flows {

using autodiff::Dual;
using autodiff::Matrix;
using autodiff::Var;
using autodiff::Vector;

template <class F, class T>
concept FlowFor = requires(const F& f, std::span<const T> in, std::span<T> out, T& lad) {
  f.forward(in, in, out, lad);
};

template <class F>
concept FlowType = std::copy_constructible<F> && FlowFor<F, double> && FlowFor<F, Var> &&
                   FlowFor<F, Dual<double>> &&
                   requires(const F& f, std::span<const double> in, std::span<double> out, Generator& g) {
                     { f.dim() } -> std::convertible_to<std::size_t>;
                     { f.num_parameters() } -> std::convertible_to<std::size_t>;
                     { f.name() } -> std::convertible_to<std::string>;
                     f.inverse(in, in, out);
                     f.initialize(g, out);
                   };

namespace detail {

inline void check_size(const std::string& fn, const char* what, std::size_t got, std::size_t want) {
  if (got != want)
    throw size_error(fn + ": " + what + " has size " + std::to_string(got) + ", expected " + std::to_string(want));
}

// The three size checks of forward and inverse.
template <class F>
void check_sizes(const F& f, const char* op, std::size_t n_theta, std::size_t n_in, std::size_t n_out) {
  const std::string fn = f.name() + " " + op;
  check_size(fn, "theta", n_theta, f.num_parameters());
  check_size(fn, "input", n_in, f.dim());
  check_size(fn, "output", n_out, f.dim());
}

// The soft bound of a log-scale: c tanh(s / c) (slope 1 at 0, values in (-c, c)); identity when c
// is infinite. Elementwise over a Vector<T>.
template <class T>
Vector<T> bound_log_scale(const Vector<T>& raw, double c) {
  using autodiff::tanh;
  if (std::isinf(c)) return raw;
  return c * tanh(raw * (1.0 / c));
}
template <class T>
T bound_log_scale_scalar(const T& raw, double c) {
  using autodiff::tanh;
  using std::tanh;
  if (std::isinf(c)) return raw;
  return c * tanh(raw * (1.0 / c));
}

inline void check_log_scale_bound(const char* flow, double c) {
  if (!(c > 0.0)) throw_domain_error(flow, "log_scale_bound", c, "positive (or +inf for no bound)");
}

template <class T>
Matrix<T> row_matrix(std::span<const T> x) {
  Matrix<T> m(1, x.size());
  for (std::size_t j = 0; j < x.size(); ++j) m(0, j) = x[j];
  return m;
}

inline std::string join_sizes(const std::vector<std::size_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  return s;
}

}  // namespace detail

// ---- the type-erased handle -----------------------------------------------------------------

class Flow {
 public:
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, Flow>) && FlowType<std::remove_cvref_t<F>>
  Flow(F&& f) : impl_(std::make_shared<const Model<std::remove_cvref_t<F>>>(std::forward<F>(f))) {}

  std::size_t dim() const { return impl_->dim(); }
  std::size_t num_parameters() const { return impl_->num_parameters(); }
  std::string name() const { return impl_->name(); }

  void forward(std::span<const double> theta, std::span<const double> u, std::span<double> z, double& lad) const {
    impl_->forward(theta, u, z, lad);
  }
  void forward(std::span<const Var> theta, std::span<const Var> u, std::span<Var> z, Var& lad) const {
    impl_->forward(theta, u, z, lad);
  }
  void forward(std::span<const Dual<double>> theta, std::span<const Dual<double>> u, std::span<Dual<double>> z,
               Dual<double>& lad) const {
    impl_->forward(theta, u, z, lad);
  }
  void inverse(std::span<const double> theta, std::span<const double> z, std::span<double> u) const {
    impl_->inverse(theta, z, u);
  }
  void initialize(Generator& g, std::span<double> theta) const { impl_->initialize(g, theta); }

  // The held flow if it is an F, else nullptr.
  template <class F>
  const F* target() const {
    const auto* m = dynamic_cast<const Model<F>*>(impl_.get());
    return m ? &m->f : nullptr;
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual std::size_t dim() const = 0;
    virtual std::size_t num_parameters() const = 0;
    virtual std::string name() const = 0;
    virtual void forward(std::span<const double>, std::span<const double>, std::span<double>, double&) const = 0;
    virtual void forward(std::span<const Var>, std::span<const Var>, std::span<Var>, Var&) const = 0;
    virtual void forward(std::span<const Dual<double>>, std::span<const Dual<double>>, std::span<Dual<double>>,
                         Dual<double>&) const = 0;
    virtual void inverse(std::span<const double>, std::span<const double>, std::span<double>) const = 0;
    virtual void initialize(Generator&, std::span<double>) const = 0;
  };
  template <class F>
  struct Model final : Concept {
    explicit Model(F flow) : f(std::move(flow)) {}
    std::size_t dim() const override { return f.dim(); }
    std::size_t num_parameters() const override { return f.num_parameters(); }
    std::string name() const override { return f.name(); }
    void forward(std::span<const double> t, std::span<const double> u, std::span<double> z, double& lad) const override {
      f.forward(t, u, z, lad);
    }
    void forward(std::span<const Var> t, std::span<const Var> u, std::span<Var> z, Var& lad) const override {
      f.forward(t, u, z, lad);
    }
    void forward(std::span<const Dual<double>> t, std::span<const Dual<double>> u, std::span<Dual<double>> z,
                 Dual<double>& lad) const override {
      f.forward(t, u, z, lad);
    }
    void inverse(std::span<const double> t, std::span<const double> z, std::span<double> u) const override {
      f.inverse(t, z, u);
    }
    void initialize(Generator& g, std::span<double> t) const override { f.initialize(g, t); }
    F f;
  };
  std::shared_ptr<const Concept> impl_;
};

}  // namespace tapir::distributions::flows
