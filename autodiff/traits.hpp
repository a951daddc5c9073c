#pragma once
// Scalar traits: which of the library's scalars a type is, and the scalar two operands promote to
// (double with Var gives Var, double with Dual<T> gives Dual<T>).
#include <type_traits>

#include "autodiff/dual.hpp"
#include "autodiff/var.hpp"

namespace tapir::autodiff {

template <class T>
inline constexpr bool is_var_v = std::is_same_v<std::remove_cvref_t<T>, Var>;

template <class T>
inline constexpr bool is_scalar_v =
    std::is_arithmetic_v<std::remove_cvref_t<T>> || is_var_v<T> || is_dual_v<T>;

template <class T>
concept Scalar = is_scalar_v<T>;

namespace detail {
template <class A, class B>
struct promote2 {
  using type = std::conditional_t<std::is_arithmetic_v<A>, std::conditional_t<std::is_arithmetic_v<B>, double, B>, A>;
};
}  // namespace detail

template <class... Ts>
struct promote;
template <class A>
struct promote<A> {
  using type = std::conditional_t<std::is_arithmetic_v<A>, double, A>;
};
template <class A, class B, class... Rest>
struct promote<A, B, Rest...> {
  using type = typename promote<typename detail::promote2<std::remove_cvref_t<A>, std::remove_cvref_t<B>>::type, Rest...>::type;
};
template <class... Ts>
using promote_t = typename promote<std::remove_cvref_t<Ts>...>::type;

}  // namespace tapir::autodiff
