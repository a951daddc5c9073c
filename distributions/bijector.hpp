#pragma once
// Bijectors: smooth invertible maps from an unconstrained space R^n onto a constrained set (the
// positive reals, an interval, the simplex, Cholesky factors of correlation matrices, ...) with
// the log absolute determinant of their Jacobian. Models sample and optimise in the unconstrained
// space u; the density of the constrained x = f(u) pulls back as
//     log p_u(u) = log p_x(f(u)) + log|det J_f(u)|.
//
// Every bijector is a small immutable value type with this interface (the `BijectorType` concept),
// its member templates instantiated for T = double, Var and Dual<double>:
//
//   std::size_t constrained_size(std::size_t unconstrained_size) const;   // size of x for u
//   std::size_t unconstrained_size(std::size_t constrained_size) const;   // size of u for x
//   std::string name() const;                       // its spec ("exp", "interval:2,5", ...)
//   template <class T> void forward(std::span<const T> u, std::span<T> x, T& log_abs_det_jacobian) const;
//       // constrain: writes x = f(u) and ADDS log|det J_f(u)| to the accumulator
//   template <class T> void inverse(std::span<const T> x, std::span<T> u) const;
//       // unconstrain: writes u = f^{-1}(x)
//
// Conventions:
// - Sizes: a wrong output size, or an input size the bijector cannot take (a vector Affine of
//   another length, a CorrCholesky input that is not a triangular number), throws
//   tapir::size_error. Spans must not alias.
// - Dimension-changing bijectors: the "Jacobian" is that of u -> the free coordinates of x, so
//   that exp(log|det J|) is the volume factor of the density on the constrained set:
//   StickBreaking (R^{K-1} -> simplex in R^K): the first K-1 coordinates of x;
//   CorrCholesky (R^{K(K-1)/2} -> K x K Cholesky factor): the strictly lower entries, row-major.
// - inverse checks its argument: a NaN, or a value outside the closed constrained set, throws
//   tapir::domain_error naming the bijector, the index and the value. A value on the boundary
//   (x = 0 for Exp) maps to an infinite u, as Stan's unconstraining transforms do.
// - forward never throws on values: it follows IEEE arithmetic (x may round onto the boundary
//   when |u| is very large, e.g. Sigmoid at u > 37).
// - For T = Var, vector forms of the elementwise operations are used (one tape node per vector
//   operation) when the input has more than one element; scalar code otherwise and for double
//   and Dual<double>.
//
// The type-erased handle `Bijector` holds any bijector type behind a shared pointer (bijectors are
// immutable, so copies share) and offers the same operations for double, Var and Dual<double>
// through three virtual overloads each; default-constructed it is the identity.
//
// Free functions: constrain(b, u, lad) and unconstrain(b, x) return Vector<T>;
// log_abs_det_jacobian(b, u); inverse_log_abs_det_jacobian(b, x) = log|det J_{f^{-1}}(x)|
// = -log|det J_f(f^{-1}(x))|, which gives the density of a pushed-forward variable:
//     log p_x(x) = log p_u(f^{-1}(x)) + inverse_log_abs_det_jacobian(b, x).
//
// Bijectors, namespace tapir::distributions::bijectors (one header each in distributions/bijectors/, all
// included by bijectors/field.hpp):
//   Identity, Exp, Softplus, Sigmoid (onto (a, b)), Tanh, Affine, LowerBound, UpperBound,
//   LowerUpper, StickBreaking, Ordered, CorrCholesky, Chain (composition, right to left; a
//   dimension-changing part must be applied last), FieldBijector (named fields of a flat vector);
//   and make_bijector(spec) building one from its name (field.hpp).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/dual.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"
#include "distributions/bijectors/identity.hpp"

namespace tapir::distributions::bijectors {

using autodiff::Dual;
using autodiff::Var;
using autodiff::Vector;

// ---- the interface --------------------------------------------------------------------------

template <class B, class T>
concept BijectorFor = requires(const B& b, std::span<const T> in, std::span<T> out, T& lad, std::size_t n) {
  { b.constrained_size(n) } -> std::convertible_to<std::size_t>;
  { b.unconstrained_size(n) } -> std::convertible_to<std::size_t>;
  { b.name() } -> std::convertible_to<std::string>;
  b.forward(in, out, lad);
  b.inverse(in, out);
};

// A bijector for the three scalars of the library.
template <class B>
concept BijectorType = std::copy_constructible<B> && BijectorFor<B, double> && BijectorFor<B, Var> &&
                       BijectorFor<B, Dual<double>>;

// ---- shared helpers -------------------------------------------------------------------------

namespace detail {

// Shortest decimal form that reads back exactly ("2", "0.1", "-inf").
inline std::string format_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

inline std::string format_numbers(std::span<const double> v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += format_number(v[i]);
  }
  return s + "]";
}

template <class B>
void check_forward_sizes(const B& b, std::size_t nu, std::size_t nx) {
  const std::size_t want = b.constrained_size(nu);
  if (nx != want)
    throw size_error(b.name() + " forward: x has size " + std::to_string(nx) + ", expected " +
                     std::to_string(want) + " for u of size " + std::to_string(nu));
}

template <class B>
void check_inverse_sizes(const B& b, std::size_t nx, std::size_t nu) {
  const std::size_t want = b.unconstrained_size(nx);
  if (nu != want)
    throw size_error(b.name() + " inverse: u has size " + std::to_string(nu) + ", expected " +
                     std::to_string(want) + " for x of size " + std::to_string(nx));
}

// "<bijector> inverse: x[i] is v, must be <requirement>"
[[noreturn]] inline void inverse_domain_error(const std::string& bijector, std::size_t i, double v,
                                              const std::string& requirement) {
  const std::string fn = bijector + " inverse";
  const std::string arg = "x[" + std::to_string(i) + "]";
  throw_domain_error(fn.c_str(), arg.c_str(), v, requirement.c_str());
}

// Every x[i] (by value) in [lo, hi]; NaN fails.
template <class T>
void check_in_closed(const std::string& bijector, std::span<const T> x, double lo, double hi) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = autodiff::value_of(x[i]);
    if (!(v >= lo && v <= hi)) {
      std::string req;
      if (lo == -INFINITY)
        req = "<= " + format_number(hi);
      else if (hi == INFINITY)
        req = ">= " + format_number(lo);
      else
        req = "in [" + format_number(lo) + ", " + format_number(hi) + "]";
      inverse_domain_error(bijector, i, v, req);
    }
  }
}

// Vector forms for T = Var pay off from two elements on.
template <class T>
constexpr bool use_vector_ops(std::size_t n) {
  return autodiff::is_var_v<T> && n > 1;
}

template <class T>
Vector<T> to_vector(std::span<const T> s) {
  return Vector<T>(s);
}

template <class T>
void copy_out(const Vector<T>& v, std::span<T> out) {
  std::copy(v.begin(), v.end(), out.begin());
}

inline void check_finite_parameter(const char* bijector, const char* parameter, double v) {
  if (!std::isfinite(v)) throw_domain_error(bijector, parameter, v, "finite");
}

}  // namespace detail

// ---- the type-erased handle -----------------------------------------------------------------

class Bijector {
 public:
  // The identity.
  Bijector() : Bijector(Identity{}) {}

  template <class B>
    requires(!std::same_as<std::remove_cvref_t<B>, Bijector>) && BijectorType<std::remove_cvref_t<B>>
  Bijector(B&& b) : impl_(std::make_shared<const Model<std::remove_cvref_t<B>>>(std::forward<B>(b))) {}

  std::size_t constrained_size(std::size_t n) const { return impl_->constrained_size(n); }
  std::size_t unconstrained_size(std::size_t n) const { return impl_->unconstrained_size(n); }
  std::string name() const { return impl_->name(); }

  void forward(std::span<const double> u, std::span<double> x, double& lad) const { impl_->forward(u, x, lad); }
  void forward(std::span<const Var> u, std::span<Var> x, Var& lad) const { impl_->forward(u, x, lad); }
  void forward(std::span<const Dual<double>> u, std::span<Dual<double>> x, Dual<double>& lad) const {
    impl_->forward(u, x, lad);
  }
  void inverse(std::span<const double> x, std::span<double> u) const { impl_->inverse(x, u); }
  void inverse(std::span<const Var> x, std::span<Var> u) const { impl_->inverse(x, u); }
  void inverse(std::span<const Dual<double>> x, std::span<Dual<double>> u) const { impl_->inverse(x, u); }

  // The held bijector if it is a B, else nullptr (as std::function::target).
  template <class B>
  const B* target() const {
    const auto* m = dynamic_cast<const Model<B>*>(impl_.get());
    return m ? &m->b : nullptr;
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual std::size_t constrained_size(std::size_t n) const = 0;
    virtual std::size_t unconstrained_size(std::size_t n) const = 0;
    virtual std::string name() const = 0;
    virtual void forward(std::span<const double>, std::span<double>, double&) const = 0;
    virtual void forward(std::span<const Var>, std::span<Var>, Var&) const = 0;
    virtual void forward(std::span<const Dual<double>>, std::span<Dual<double>>, Dual<double>&) const = 0;
    virtual void inverse(std::span<const double>, std::span<double>) const = 0;
    virtual void inverse(std::span<const Var>, std::span<Var>) const = 0;
    virtual void inverse(std::span<const Dual<double>>, std::span<Dual<double>>) const = 0;
  };
  template <class B>
  struct Model final : Concept {
    explicit Model(B bij) : b(std::move(bij)) {}
    std::size_t constrained_size(std::size_t n) const override { return b.constrained_size(n); }
    std::size_t unconstrained_size(std::size_t n) const override { return b.unconstrained_size(n); }
    std::string name() const override { return b.name(); }
    void forward(std::span<const double> u, std::span<double> x, double& lad) const override { b.forward(u, x, lad); }
    void forward(std::span<const Var> u, std::span<Var> x, Var& lad) const override { b.forward(u, x, lad); }
    void forward(std::span<const Dual<double>> u, std::span<Dual<double>> x, Dual<double>& lad) const override {
      b.forward(u, x, lad);
    }
    void inverse(std::span<const double> x, std::span<double> u) const override { b.inverse(x, u); }
    void inverse(std::span<const Var> x, std::span<Var> u) const override { b.inverse(x, u); }
    void inverse(std::span<const Dual<double>> x, std::span<Dual<double>> u) const override { b.inverse(x, u); }
    B b;
  };
  std::shared_ptr<const Concept> impl_;
};

// ---- conveniences over any bijector ---------------------------------------------------------

// x = f(u) as a new vector; adds log|det J| to lad. u: any contiguous range of T.
template <class B, std::ranges::contiguous_range R, class T>
  requires std::same_as<std::ranges::range_value_t<R>, T>
Vector<T> constrain(const B& b, const R& u, T& lad) {
  std::span<const T> us(std::ranges::data(u), std::ranges::size(u));
  Vector<T> x(b.constrained_size(us.size()));
  b.forward(us, std::span<T>(x.data(), x.size()), lad);
  return x;
}

// u = f^{-1}(x) as a new vector.
template <class B, std::ranges::contiguous_range R>
auto unconstrain(const B& b, const R& x) {
  using T = std::ranges::range_value_t<R>;
  std::span<const T> xs(std::ranges::data(x), std::ranges::size(x));
  Vector<T> u(b.unconstrained_size(xs.size()));
  b.inverse(xs, std::span<T>(u.data(), u.size()));
  return u;
}

// log|det J_f(u)|.
template <class B, std::ranges::contiguous_range R>
auto log_abs_det_jacobian(const B& b, const R& u) {
  using T = std::ranges::range_value_t<R>;
  T lad = 0.0;
  constrain(b, u, lad);
  return lad;
}

// log|det J_{f^{-1}}(x)| = -log|det J_f(f^{-1}(x))|: log p_x(x) = log p_u(f^{-1}(x)) + this.
template <class B, std::ranges::contiguous_range R>
auto inverse_log_abs_det_jacobian(const B& b, const R& x) {
  return -log_abs_det_jacobian(b, unconstrain(b, x));
}

}  // namespace tapir::distributions::bijectors
