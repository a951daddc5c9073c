#pragma once
// Activation functions for neural networks, over a scalar (double, Var, Dual<T>) or elementwise
// over a Vector<T> or Matrix<T>. Over vectors and matrices each activation is ONE tape node for
// T = Var (the elementwise operations of autodiff/elementwise.hpp), with exact first and second
// derivatives, so networks built from them have exact Hessian-vector products.
//
//   tanh(x)      hyperbolic tangent (autodiff's elementwise tanh, re-exported here)
//   relu(x)      fmax(x, 0). Its second derivative is 0 everywhere (a network of ReLUs is
//                piecewise linear in its input). At x = 0 the derivative is 1 (fmax sends the
//                derivative of a tie to its first argument); relu(NaN) = 0, as IEEE fmax does.
//   gelu(x)      x Phi(x), the exact (erf) form of Hendrycks & Gimpel 2016, "Gaussian Error
//                Linear Units"; Phi is the standard normal CDF. Derivatives:
//                gelu' = Phi(x) + x phi(x), gelu'' = phi(x) (2 - x^2), phi the normal density.
//   softplus(x)  log(1 + e^x), stable for every x (log1p_exp)
//   sigmoid(x)   1 / (1 + e^-x) (inv_logit)
//
// `Activation` names them at run time (for layers and networks): activate(a, x) applies one.
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

#include "autodiff/elementwise.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"

namespace tapir::models::nn {

using autodiff::Matrix;
using autodiff::Vector;

// The elementwise tanh of the AD library (scalar, Vector and Matrix overloads).
using autodiff::tanh;

namespace detail {

inline constexpr double inv_sqrt_2pi = 0.3989422804014326779399460599343818684758586311649;

// The rules of x Phi(x) for the elementwise machinery (see autodiff/scalar_ops.hpp for the form).
struct Gelu {
  template <class T>
  static T value(const T& x) {
    using autodiff::Phi;
    return x * Phi(x);
  }
  template <class T>
  static T d1(const T& x, const T&) {
    using autodiff::Phi;
    using std::exp;
    return Phi(x) + x * (inv_sqrt_2pi * exp(-0.5 * (x * x)));
  }
  template <class T>
  static T d2(const T& x, const T&) {
    using std::exp;
    return (inv_sqrt_2pi * exp(-0.5 * (x * x))) * (2.0 - x * x);
  }
};

template <class X>
struct is_array : std::false_type {};
template <class T>
struct is_array<Vector<T>> : std::true_type {};
template <class T>
struct is_array<Matrix<T>> : std::true_type {};

template <class T>
Vector<T> same_shape(const Vector<T>& x) {
  return Vector<T>(x.size());
}
template <class T>
Matrix<T> same_shape(const Matrix<T>& x) {
  return Matrix<T>(x.rows(), x.cols());
}

}  // namespace detail

// fmax(x, 0).
template <class X>
X relu(const X& x) {
  using autodiff::fmax;
  return fmax(x, 0.0);
}

// x Phi(x), one node over a vector or matrix of Vars.
template <class X>
X gelu(const X& x) {
  if constexpr (detail::is_array<X>::value) {
    X y = detail::same_shape(x);
    autodiff::detail::unary_flat<detail::Gelu>(x.data(), x.size(), y.data());
    return y;
  } else {
    using autodiff::Phi;
    return x * Phi(x);
  }
}

// log(1 + e^x).
template <class X>
X softplus(const X& x) {
  using autodiff::log1p_exp;
  return log1p_exp(x);
}

// 1 / (1 + e^-x).
template <class X>
X sigmoid(const X& x) {
  using autodiff::inv_logit;
  return inv_logit(x);
}

enum class Activation { identity, tanh, relu, gelu, softplus, sigmoid };

inline std::string to_string(Activation a) {
  switch (a) {
    case Activation::identity: return "identity";
    case Activation::tanh: return "tanh";
    case Activation::relu: return "relu";
    case Activation::gelu: return "gelu";
    case Activation::softplus: return "softplus";
    case Activation::sigmoid: return "sigmoid";
  }
  return "unknown";
}

// The activation of a name as to_string writes it; throws tapir::domain_error otherwise.
inline Activation activation_from_string(std::string_view name) {
  for (Activation a : {Activation::identity, Activation::tanh, Activation::relu, Activation::gelu,
                       Activation::softplus, Activation::sigmoid})
    if (name == to_string(a)) return a;
  throw domain_error("activation_from_string: unknown activation \"" + std::string(name) +
                     "\", must be identity, tanh, relu, gelu, softplus or sigmoid");
}

// a(x) for a scalar, Vector or Matrix x.
template <class X>
X activate(Activation a, const X& x) {
  using autodiff::tanh;
  switch (a) {
    case Activation::identity: return x;
    case Activation::tanh: return tanh(x);
    case Activation::relu: return relu(x);
    case Activation::gelu: return gelu(x);
    case Activation::softplus: return softplus(x);
    case Activation::sigmoid: return sigmoid(x);
  }
  return x;
}

}  // namespace tapir::models::nn
