#pragma once
// The reverse-mode scalar. A Var carries its value and its slot on this thread's tape; every
// operation on Vars appends one statement. Functions written once as templates over the scalar
// run on double, Var and Dual<T> alike.
//
// Outside a function's domain the value follows IEEE arithmetic, exactly as the double overload
// would (log(-1) is NaN, log(0) is -inf); derivatives are the formula's value there (NaN or inf),
// and nothing throws.
#include <bit>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "autodiff/scalar_ops.hpp"
#include "autodiff/tape.hpp"

namespace tapir::autodiff {

class Var {
 public:
  // The constant 0: slot 0 of the tape, recorded once per tape.
  constexpr Var() noexcept : val_(0.0), idx_(0) {}
  // A constant (or, through `independent`, an input). +0.0 shares slot 0 and records nothing.
  Var(double v)
      : val_(v),
        idx_(std::bit_cast<std::uint64_t>(v) == 0 ? 0 : detail::recording_tape().new_slot(v)) {}
  template <std::integral I>
  Var(I v) : Var(static_cast<double>(v)) {}
  // A variable already on the tape (for operation implementers).
  constexpr Var(double v, index_t slot) noexcept : val_(v), idx_(slot) {}

  // A new independent variable: its own slot even when v is 0.
  static Var independent(double v) { return Var(v, detail::recording_tape().new_slot(v)); }
  // out[i] = Var(x[i], first + i) for i < n: independents on slots the caller reserved.
  static void write_independents(Var* out, const double* x, std::size_t n, index_t first) noexcept;

  double value() const noexcept { return val_; }
  index_t index() const noexcept { return idx_; }
  // The adjoint after `backward` (or a sweep of the functional API).
  double adjoint() const { return tape().adjoint(idx_); }

  Var& operator+=(const Var& b);
  Var& operator-=(const Var& b);
  Var& operator*=(const Var& b);
  Var& operator/=(const Var& b);
  Var& operator+=(double b);
  Var& operator-=(double b);
  Var& operator*=(double b);
  Var& operator/=(double b);

 private:
  double val_;
  index_t idx_;
};

inline void Var::write_independents(Var* out, const double* x, std::size_t n,
                                     index_t first) noexcept {
#if defined(__GNUC__)
  // Written as two 64-bit words per Var, the value's bits and the slot zero-extended over the
  // padding: GCC vectorizes that loop, and not one that stores a double and a 32-bit index per
  // element (0.2 against 0.4 ns per input here). The may_alias word type makes the stores legal.
  if constexpr (std::endian::native == std::endian::little && sizeof(Var) == 16 &&
                offsetof(Var, val_) == 0 && offsetof(Var, idx_) == 8) {
    typedef std::uint64_t __attribute__((__may_alias__)) word;
    word* w = reinterpret_cast<word*>(out);
    const word* xw = reinterpret_cast<const word*>(x);
    for (std::size_t i = 0; i < n; ++i) {
      w[2 * i] = xw[i];
      w[2 * i + 1] = first + i;
    }
    return;
  }
#endif
  for (std::size_t i = 0; i < n; ++i) out[i] = Var(x[i], first + static_cast<index_t>(i));
}

namespace detail {
template <class Op>
inline Var unary(const Var& x) {
  double y = Op::value(x.value());
  return Var(y, detail::recording_tape().record(op_code<Op>::unary, x.index(), 0, y));
}
template <class Op>
inline Var binary(const Var& a, const Var& b) {
  double y = Op::value(a.value(), b.value());
  return Var(y, detail::recording_tape().record(op_code<Op>::vv, a.index(), b.index(), y));
}
template <class Op>
inline Var binary(const Var& a, double b) {
  double y = Op::value(a.value(), b);
  return Var(y, detail::recording_tape().record_with_datum(op_code<Op>::vd, a.index(), b, false, y));
}
template <class Op>
inline Var binary(double a, const Var& b) {
  double y = Op::value(a, b.value());
  return Var(y, detail::recording_tape().record_with_datum(op_code<Op>::dv, b.index(), a, true, y));
}
}  // namespace detail

#define TAPIR_VAR_U(Op, fn) \
  inline Var fn(const Var& x) { return detail::unary<ops::Op>(x); }
#define TAPIR_VAR_B(Op, fn)                                                                    \
  inline Var fn(const Var& a, const Var& b) { return detail::binary<ops::Op>(a, b); }         \
  inline Var fn(const Var& a, double b) { return detail::binary<ops::Op>(a, b); }             \
  inline Var fn(double a, const Var& b) { return detail::binary<ops::Op>(a, b); }
TAPIR_UNARY_OPS(TAPIR_VAR_U)
TAPIR_BINARY_OPS(TAPIR_VAR_B)
#undef TAPIR_VAR_U
#undef TAPIR_VAR_B

inline Var operator+(const Var& x) { return x; }
inline Var fabs(const Var& x) { return abs(x); }
inline Var polygamma(int n, const Var& x) { return polygamma_op(static_cast<double>(n), x); }

// fma(a, b, c) = a b + c, recorded as a product and a sum (both exact to second order).
template <class A, class B, class C>
  requires(std::is_same_v<A, Var> || std::is_same_v<B, Var> || std::is_same_v<C, Var>) &&
          std::is_convertible_v<A, Var> && std::is_convertible_v<B, Var> &&
          std::is_convertible_v<C, Var>
inline Var fma(const A& a, const B& b, const C& c) {
  return a * b + c;
}

inline Var& Var::operator+=(const Var& b) { return *this = *this + b; }
inline Var& Var::operator-=(const Var& b) { return *this = *this - b; }
inline Var& Var::operator*=(const Var& b) { return *this = *this * b; }
inline Var& Var::operator/=(const Var& b) { return *this = *this / b; }
inline Var& Var::operator+=(double b) { return *this = *this + b; }
inline Var& Var::operator-=(double b) { return *this = *this - b; }
inline Var& Var::operator*=(double b) { return *this = *this * b; }
inline Var& Var::operator/=(double b) { return *this = *this / b; }

// Comparisons look at values only: branches on them are not differentiated.
inline bool operator==(const Var& a, const Var& b) { return a.value() == b.value(); }
inline bool operator==(const Var& a, double b) { return a.value() == b; }
inline std::partial_ordering operator<=>(const Var& a, const Var& b) { return a.value() <=> b.value(); }
inline std::partial_ordering operator<=>(const Var& a, double b) { return a.value() <=> b; }

inline bool isnan(const Var& x) { return std::isnan(x.value()); }
inline bool isinf(const Var& x) { return std::isinf(x.value()); }
inline bool isfinite(const Var& x) { return std::isfinite(x.value()); }
using std::isfinite;
using std::isinf;
using std::isnan;

// The value of a scalar of any of the library's types.
inline double value_of(double x) { return x; }
inline double value_of(const Var& x) { return x.value(); }

// Adjoints of everything on this thread's tape with respect to y (Stan's `grad()`): read them
// with x.adjoint(). Prefer the functional API (functional.hpp), which also rewinds the tape.
void backward(const Var& y);

}  // namespace tapir::autodiff
