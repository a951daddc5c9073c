#pragma once
// Forward mode: Dual<T> = value + tangent * epsilon. Every operation is generated from the same
// rule definitions as the tape (scalar_ops.hpp), evaluated in T, so Dual<double> gives directional
// derivatives, Dual<Var> forward-over-reverse and Dual<Dual<double>> second directional
// derivatives.
#include <compare>
#include <concepts>
#include <type_traits>

#include "autodiff/var.hpp"

namespace tapir::autodiff {

template <class T>
struct Dual {
  T val{};
  T tan{};

  constexpr Dual() = default;
  constexpr Dual(const T& v, const T& t) : val(v), tan(t) {}
  // A constant: zero tangent.
  template <class U>
    requires std::is_convertible_v<const U&, T> && (!std::is_same_v<std::remove_cvref_t<U>, Dual>)
  constexpr Dual(const U& v) : val(v), tan(0.0) {}

  Dual& operator+=(const Dual& b) { return *this = *this + b; }
  Dual& operator-=(const Dual& b) { return *this = *this - b; }
  Dual& operator*=(const Dual& b) { return *this = *this * b; }
  Dual& operator/=(const Dual& b) { return *this = *this / b; }
};

template <class T> struct is_dual : std::false_type {};
template <class T> struct is_dual<Dual<T>> : std::true_type {};
template <class T> inline constexpr bool is_dual_v = is_dual<std::remove_cvref_t<T>>::value;

namespace detail {
template <class T>
using same_t = std::type_identity_t<T>;
}

#define TAPIR_DUAL_U(Op, fn)                                                                   \
  template <class T>                                                                           \
  Dual<T> fn(const Dual<T>& x) {                                                               \
    T y = ops::Op::value(x.val);                                                               \
    return Dual<T>(y, ops::Op::d1(x.val, y) * x.tan);                                          \
  }
#define TAPIR_DUAL_B(Op, fn)                                                                   \
  template <class T>                                                                           \
  Dual<T> fn(const Dual<T>& a, const Dual<T>& b) {                                             \
    T y = ops::Op::value(a.val, b.val);                                                        \
    return Dual<T>(y, ops::Op::da(a.val, b.val, y) * a.tan + ops::Op::db(a.val, b.val, y) * b.tan); \
  }                                                                                            \
  template <class T>                                                                           \
  Dual<T> fn(const Dual<T>& a, const detail::same_t<T>& b) {                                   \
    T y = ops::Op::value(a.val, b);                                                            \
    return Dual<T>(y, ops::Op::da(a.val, b, y) * a.tan);                                       \
  }                                                                                            \
  template <class T>                                                                           \
  Dual<T> fn(const detail::same_t<T>& a, const Dual<T>& b) {                                   \
    T y = ops::Op::value(a, b.val);                                                            \
    return Dual<T>(y, ops::Op::db(a, b.val, y) * b.tan);                                       \
  }
TAPIR_UNARY_OPS(TAPIR_DUAL_U)
TAPIR_BINARY_OPS(TAPIR_DUAL_B)
#undef TAPIR_DUAL_U
#undef TAPIR_DUAL_B

// Literal data mixed with a Dual whose inner scalar is not double (Dual<Var>, Dual<Dual<...>>).
#define TAPIR_DUAL_MIXED(fn)                                                                   \
  template <class T, class D>                                                                  \
    requires std::is_arithmetic_v<D> && (!std::is_same_v<T, double>)                           \
  Dual<T> fn(const Dual<T>& a, D b) {                                                          \
    return fn(a, T(static_cast<double>(b)));                                                   \
  }                                                                                            \
  template <class T, class D>                                                                  \
    requires std::is_arithmetic_v<D> && (!std::is_same_v<T, double>)                           \
  Dual<T> fn(D a, const Dual<T>& b) {                                                          \
    return fn(T(static_cast<double>(a)), b);                                                   \
  }
TAPIR_DUAL_MIXED(operator+)
TAPIR_DUAL_MIXED(operator-)
TAPIR_DUAL_MIXED(operator*)
TAPIR_DUAL_MIXED(operator/)
TAPIR_DUAL_MIXED(pow)
#undef TAPIR_DUAL_MIXED

template <class T>
Dual<T> operator+(const Dual<T>& x) {
  return x;
}
template <class T>
Dual<T> fabs(const Dual<T>& x) {
  return abs(x);
}
template <class T>
Dual<T> polygamma(int n, const Dual<T>& x) {
  return Dual<T>(polygamma(n, x.val), polygamma(n + 1, x.val) * x.tan);
}
// fma(a, b, c) = a b + c with any mix of Dual and plain arguments.
template <class A, class B, class C>
  requires(is_dual_v<A> || is_dual_v<B> || is_dual_v<C>)
auto fma(const A& a, const B& b, const C& c) {
  return a * b + c;
}

template <class T>
bool operator==(const Dual<T>& a, const Dual<T>& b) {
  return a.val == b.val;
}
template <class T>
bool operator==(const Dual<T>& a, const detail::same_t<T>& b) {
  return a.val == b;
}
template <class T, class D>
  requires std::is_arithmetic_v<D> && (!std::is_same_v<T, double>)
bool operator==(const Dual<T>& a, D b) {
  return value_of(a.val) == static_cast<double>(b);
}
template <class T>
std::partial_ordering operator<=>(const Dual<T>& a, const Dual<T>& b) {
  return value_of(a.val) <=> value_of(b.val);
}
template <class T>
std::partial_ordering operator<=>(const Dual<T>& a, const detail::same_t<T>& b) {
  return value_of(a.val) <=> value_of(b);
}
template <class T, class D>
  requires std::is_arithmetic_v<D> && (!std::is_same_v<T, double>)
std::partial_ordering operator<=>(const Dual<T>& a, D b) {
  return value_of(a.val) <=> static_cast<double>(b);
}
template <class T>
double value_of(const Dual<T>& x) {
  return value_of(x.val);
}
template <class T>
bool isnan(const Dual<T>& x) {
  return isnan(x.val);
}
template <class T>
bool isinf(const Dual<T>& x) {
  return isinf(x.val);
}
template <class T>
bool isfinite(const Dual<T>& x) {
  return isfinite(x.val);
}

}  // namespace tapir::autodiff
