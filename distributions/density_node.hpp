#pragma once
// The machinery shared by the vectorized log densities (distributions/*.hpp): scalar-or-vector
// arguments with broadcasting, argument checks, and the single tape node that records a whole
// density call.
//
// Every argument of a density is a scalar (an arithmetic type, Var or Dual<double>) or a vector
// of one (Vector<T> or std::vector<T>). Vectors must have equal sizes (else tapir::size_error);
// scalars are broadcast against them; the result is the sum over elements i of
// f(x_1[i], ..., x_N[i]). The result type is Var if any argument holds Vars, Dual<double> if any
// holds Duals, double otherwise.
//
// The per-element function is given by a kernel: a struct with the value of f and its first and
// second partial derivatives in every argument, written side by side. `reduce` evaluates a kernel
// over a call:
//   double        the sum of the values;
//   Dual<double>  the value and sum_i sum_k f_k(i) xdot_k(i);
//   Var           ONE tape node for the whole call. While recording, the kernel's first partials
//                 are summed over the elements for a broadcast scalar Var argument (one number,
//                 one adjoint update in the reverse sweep) and kept per element in the arena for a
//                 vector Var argument. The reverse and tangent rules only read those. The
//                 second-order rule evaluates the kernel's second partials again:
//                   adj[x_k(i)]  += g f_k(i)
//                   adj2[x_k(i)] += g2 f_k(i) + g sum_j f_kj(i) xdot_j(i)
//                 with g, g2 the output's adjoint and second-order adjoint. Data arguments never
//                 go on the tape; the node keeps arena copies of data vectors.
//
// Kernel interface: a class template K<bool propto, unsigned var_mask, unsigned scalar_mask>
// (bit k of var_mask: argument k holds Vars or Duals; bit k of scalar_mask: argument k is a
// broadcast scalar) deriving from KernelBase, with
//   static constexpr const char* name;                 e.g. "gamma_lpdf"
//   static constexpr std::array<const char*, N> args;  argument names, for size errors
//   K(const double* x0, int order);   x0: every argument's value at element 0 (so the values of
//                                     the scalar arguments): per-call work (log sigma, lgamma of
//                                     a scalar shape, ...) is hoisted here. `order` is the
//                                     highest Order that eval will be called with.
//   template <int Order> double eval(const double* x, Partials<N>& p) const;
//     Order 0: returns the value;
//     Order 1: returns the value and sets p.d[k] for every Var/Dual argument k;
//     Order 2: sets p.h[k][j] for every pair of Var arguments (the value and p.d are unused).
// With propto, eval drops the terms that depend on no Var/Dual argument (KernelBase::keep).
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/dual.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/special_functions.hpp"
#include "autodiff/tape.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"
#include "autodiff/vector_node.hpp"

namespace tapir::distributions {

using autodiff::Dual;
using autodiff::Var;
using autodiff::Vector;

namespace detail {

using autodiff::index_t;

inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
inline constexpr double log_two = std::numbers::ln2;
inline constexpr double log_pi = 1.1447298858494001741434273513530587116472948129153;
inline constexpr double half_log_two_pi = autodiff::ops::half_log_two_pi;

// ---- arguments --------------------------------------------------------------------------

template <class T>
struct arg_traits {
  using scalar = T;
  static constexpr bool is_vector = false;
};
template <class T>
struct arg_traits<Vector<T>> {
  using scalar = T;
  static constexpr bool is_vector = true;
};
template <class T, class Alloc>
struct arg_traits<std::vector<T, Alloc>> {
  using scalar = T;
  static constexpr bool is_vector = true;
};

template <class A>
using scalar_t = typename arg_traits<std::remove_cvref_t<A>>::scalar;
template <class A>
inline constexpr bool is_vector_v = arg_traits<std::remove_cvref_t<A>>::is_vector;
template <class A>
inline constexpr bool is_var_arg = std::is_same_v<scalar_t<A>, Var>;
template <class A>
inline constexpr bool is_dual_arg = std::is_same_v<scalar_t<A>, Dual<double>>;
template <class A>
inline constexpr bool is_data_arg = std::is_arithmetic_v<scalar_t<A>>;
template <class A>
inline constexpr bool is_int_arg = std::is_integral_v<scalar_t<A>>;
template <class A>
inline constexpr bool is_ad_arg = is_var_arg<A> || is_dual_arg<A>;

template <class... Args>
inline constexpr bool any_ad_v = (is_ad_arg<Args> || ...);
template <class... Args>
inline constexpr bool all_scalar_v = (!is_vector_v<Args> && ...);

template <class... Args>
struct result {
  static_assert(((is_data_arg<Args> || is_var_arg<Args> || is_dual_arg<Args>) && ...),
                "vectorized densities take arithmetic, Var or Dual<double> scalars (or vectors of them)");
  static constexpr bool var = (is_var_arg<Args> || ...);
  static constexpr bool dual = (is_dual_arg<Args> || ...);
  static_assert(!(var && dual), "a density call cannot mix Var and Dual<double> arguments");
  using type = std::conditional_t<var, Var, std::conditional_t<dual, Dual<double>, double>>;
};
template <class... Args>
using result_t = typename result<std::remove_cvref_t<Args>...>::type;

template <class... Args>
constexpr unsigned var_mask() {
  unsigned m = 0, bit = 1;
  ((m |= is_ad_arg<Args> ? bit : 0u, bit <<= 1), ...);
  return m;
}
template <class... Args>
constexpr unsigned scalar_mask() {
  unsigned m = 0, bit = 1;
  ((m |= is_vector_v<Args> ? 0u : bit, bit <<= 1), ...);
  return m;
}
template <template <bool, unsigned, unsigned> class K, bool propto, class... Args>
using kernel_t = K<propto, var_mask<Args...>(), scalar_mask<Args...>()>;

inline double dval(double x) { return x; }
template <std::integral I>
double dval(I x) {
  return static_cast<double>(x);
}
inline double dval(float x) { return x; }
inline double dval(const Var& x) { return x.value(); }
inline double dval(const Dual<double>& x) { return x.val; }

// Element i of an argument: the argument itself when it is a scalar.
template <class A>
decltype(auto) elem(const A& a, std::size_t i) {
  if constexpr (is_vector_v<A>)
    return a[i];
  else
    return a;
}
template <class A>
std::size_t arg_size(const A& a) {
  if constexpr (is_vector_v<A>)
    return a.size();
  else
    return 1;
}

// Calls f(std::integral_constant<std::size_t, k>{}) for k = 0, ..., N-1.
template <std::size_t N, class F>
inline void static_for(F&& f) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (f(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<N>{});
}

// The common size of the vector arguments (1 when all are scalars); throws tapir::size_error
// naming the function and the two arguments whose sizes differ.
template <class K, class... Args>
std::size_t common_size(const Args&... args) {
  const std::size_t sizes[] = {arg_size(args)...};
  const bool vec[] = {is_vector_v<Args>...};
  std::size_t n = 1, first = sizeof...(Args);
  for (std::size_t k = 0; k < sizeof...(Args); ++k) {
    if (!vec[k]) continue;
    if (first == sizeof...(Args)) {
      first = k;
      n = sizes[k];
    } else if (sizes[k] != n) [[unlikely]] {
      throw size_error(std::string(K::name) + ": size of " + K::args[first] + " is " +
                       std::to_string(n) + " and size of " + K::args[k] + " is " +
                       std::to_string(sizes[k]) + ", vector arguments must have equal sizes");
    }
  }
  return n;
}

// ---- argument checks --------------------------------------------------------------------
// One pass per argument, outside the density's element loop; the message is built only on
// failure: "gamma_lpdf: shape alpha is -1, must be positive finite" (with "[i]" for a vector).

[[noreturn, gnu::cold, gnu::noinline]] inline void fail(const char* fn, const char* what, double v,
                                                        const char* requirement) {
  throw_domain_error(fn, what, v, requirement);
}
[[noreturn, gnu::cold, gnu::noinline]] inline void fail(const char* fn, const char* what, std::size_t i,
                                                        double v, const char* requirement) {
  const std::string name = std::string(what) + "[" + std::to_string(i) + "]";
  throw_domain_error(fn, name.c_str(), v, requirement);
}

template <class A, class Ok>
void check(const char* fn, const char* what, const A& a, const char* requirement, Ok ok) {
  if constexpr (is_vector_v<A>) {
    const std::size_t n = a.size();
    bool bad = false;
    for (std::size_t i = 0; i < n; ++i) bad |= !ok(dval(a[i]));
    if (bad) [[unlikely]] {
      for (std::size_t i = 0; i < n; ++i)
        if (!ok(dval(a[i]))) fail(fn, what, i, dval(a[i]), requirement);
    }
  } else {
    const double v = dval(a);
    if (!ok(v)) [[unlikely]]
      fail(fn, what, v, requirement);
  }
}

template <class A>
void check_not_nan(const char* fn, const char* what, const A& a) {
  check(fn, what, a, "not NaN", [](double v) { return v == v; });
}
template <class A>
void check_finite(const char* fn, const char* what, const A& a) {
  check(fn, what, a, "finite", [](double v) { return v - v == 0.0; });
}
template <class A>
void check_positive_finite(const char* fn, const char* what, const A& a) {
  check(fn, what, a, "positive finite", [](double v) { return v > 0.0 && v < inf; });
}
template <class A>
void check_nonnegative_finite(const char* fn, const char* what, const A& a) {
  check(fn, what, a, "nonnegative finite", [](double v) { return v >= 0.0 && v < inf; });
}
template <class A>
void check_nonnegative(const char* fn, const char* what, const A& a) {
  check(fn, what, a, "nonnegative", [](double v) { return v >= 0.0; });
}
template <class A>
void check_probability(const char* fn, const char* what, const A& a) {
  check(fn, what, a, "in [0, 1]", [](double v) { return v >= 0.0 && v <= 1.0; });
}

// Whether p holds for every element of a (a support test: no early exit, so it vectorizes).
template <class A, class P>
bool all_of(const A& a, P p) {
  if constexpr (is_vector_v<A>) {
    bool ok = true;
    for (std::size_t i = 0; i < a.size(); ++i) ok &= p(dval(a[i]));
    return ok;
  } else {
    return p(dval(a));
  }
}
// Whether p(a[i], b[i], ...) holds for every broadcast element i < n.
template <class P, class... Args>
bool all_elements(std::size_t n, P p, const Args&... args) {
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i) ok &= p(dval(elem(args, i))...);
  return ok;
}

// ---- kernels -----------------------------------------------------------------------------

template <std::size_t N>
struct Partials {
  double d[N];
  double h[N][N];
  void set(std::size_t i, std::size_t j, double v) {
    h[i][j] = v;
    h[j][i] = v;
  }
};

template <std::size_t N, bool Propto, unsigned V, unsigned S>
struct KernelBase {
  static constexpr std::size_t arity = N;
  static constexpr bool propto = Propto;
  // Argument k holds Vars or Duals.
  static constexpr bool var(std::size_t k) { return (V >> k) & 1u; }
  // Argument k is a broadcast scalar.
  static constexpr bool scalar(std::size_t k) { return (S >> k) & 1u; }
  // Whether a term that depends on the arguments in `mask` (bit k: argument k) is kept.
  static constexpr bool keep(unsigned mask) { return !Propto || (V & mask) != 0u; }
};

// `cached` (computed once per call in the kernel's constructor) when the argument is a broadcast
// scalar, f() (computed per element) otherwise.
template <bool Scalar, class F>
inline double hoisted(double cached, F f) {
  if constexpr (Scalar)
    return cached;
  else
    return f();
}

// psi(n + x) - psi(x) and psi'(n + x) - psi'(x) for a count n >= 0: the finite sums
// sum_{j<n} 1/(x+j) and -sum_{j<n} 1/(x+j)^2 for small n (no cancellation when x >> n),
// differences of digamma / trigamma otherwise.
inline double digamma_diff(double n, double x) {
  if (n < 16.0) {
    double s = 0.0;
    for (double j = 0.0; j < n; j += 1.0) s += 1.0 / (x + j);
    return s;
  }
  return autodiff::digamma(n + x) - autodiff::digamma(x);
}
inline double trigamma_diff(double n, double x) {
  if (n < 16.0) {
    double s = 0.0;
    for (double j = 0.0; j < n; j += 1.0) s -= 1.0 / ((x + j) * (x + j));
    return s;
  }
  return autodiff::trigamma(n + x) - autodiff::trigamma(x);
}

// log(n!) for a count n >= 0: from a table for n < 1024 (filled on first use with lgamma, so the
// values are identical), lgamma(n + 1) beyond.
inline double log_factorial(double n) {
  struct Table {
    double v[1024];
    Table() {
      for (int i = 0; i < 1024; ++i) v[i] = autodiff::lgamma(i + 1.0);
    }
  };
  static const Table table;
  return n < 1024.0 ? table.v[static_cast<std::size_t>(n)] : autodiff::lgamma(n + 1.0);
}

// x log(y) with 0 log(0) = 0 (the limit the densities need at the ends of their supports).
inline double multiply_log(double x, double y) { return x == 0.0 ? 0.0 : x * std::log(y); }
// x log1p(y) with 0 log1p(-1) = 0.
inline double multiply_log1p(double x, double y) { return x == 0.0 ? 0.0 : x * std::log1p(y); }

// Partials of a location-scale term f(y, mu, sigma) = g(z) - k log(sigma), z = (y - mu) / sigma,
// from g'(z) = g1 and g''(z) = g2, for arguments at positions Y, M, S (M < 0: no location).
//   f_y = g1/s, f_mu = -g1/s, f_s = -(g1 z + k)/s,
//   f_yy = f_mumu = -f_ymu = g2/s^2, f_ys = -f_mus = -(g2 z + g1)/s^2,
//   f_ss = (g2 z^2 + 2 g1 z + k)/s^2.
template <int Order, int Y, int M, int S, std::size_t N>
inline void location_scale(Partials<N>& p, double z, double inv_s, double g1, double g2, double k) {
  if constexpr (Order == 1) {
    p.d[Y] = g1 * inv_s;
    if constexpr (M >= 0) p.d[M] = -g1 * inv_s;
    p.d[S] = -(g1 * z + k) * inv_s;
  } else if constexpr (Order == 2) {
    const double is2 = inv_s * inv_s, a = g2 * is2, b = (g2 * z + g1) * is2;
    p.set(Y, Y, a);
    p.set(Y, S, -b);
    p.set(S, S, (g2 * z * z + 2.0 * g1 * z + k) * is2);
    if constexpr (M >= 0) {
      p.set(Y, M, -a);
      p.set(M, M, a);
      p.set(M, S, b);
    }
  }
}

// ---- the node ----------------------------------------------------------------------------

// How the node refers to argument k: a Var scalar by slot (`idx`, its summed partial in `num`),
// a Var vector by VarRef (`ref`, its per-element partials in `ptr`), a data scalar by value
// (`num`), a data vector by an arena copy (`ptr`).
struct DensityOperand {
  autodiff::VarRef ref;
  const double* ptr = nullptr;
  double num = 0.0;
  index_t idx = 0;
};

template <class K>
class DensityNode final : public autodiff::Node {
  static constexpr std::size_t N = K::arity;

 public:
  DensityNode(const std::array<DensityOperand, N>& ops, std::size_t n, index_t out)
      : ops_(ops), n_(n), out_(out) {}

  void reverse(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_];
    static_for<N>([&](auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      if constexpr (K::var(k)) {
        const DensityOperand& o = ops_[k];
        if constexpr (K::scalar(k)) {
          s.adj[o.idx] += g * o.num;
        } else if (o.ref.contiguous()) {
          double* adj = s.adj + o.ref.first();
          for (std::size_t i = 0; i < n_; ++i) adj[i] += g * o.ptr[i];
        } else {
          for (std::size_t i = 0; i < n_; ++i) s.adj[o.ref[i]] += g * o.ptr[i];
        }
      }
    });
  }

  void tangent(const autodiff::SweepArrays& s) const override {
    double d = 0.0;
    static_for<N>([&](auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      if constexpr (K::var(k)) {
        const DensityOperand& o = ops_[k];
        if constexpr (K::scalar(k)) {
          d += o.num * s.dot[o.idx];
        } else {
          double dk = 0.0;
          for (std::size_t i = 0; i < n_; ++i) dk += o.ptr[i] * s.dot[o.ref[i]];
          d += dk;
        }
      }
    });
    s.dot[out_] = d;
  }

  void reverse2(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_];
    double x[N], t[N], hsum[N];
    static_for<N>([&](auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      x[k] = value_at<k>(s.val, 0);
      t[k] = (K::var(k) && K::scalar(k)) ? s.dot[ops_[k].idx] : 0.0;
      hsum[k] = 0.0;
    });
    const K kern(x, 2);
    Partials<N> p;
    for (std::size_t i = 0; i < n_; ++i) {
      static_for<N>([&](auto kc) {
        constexpr std::size_t k = decltype(kc)::value;
        x[k] = value_at<k>(s.val, i);
        if constexpr (K::var(k) && !K::scalar(k)) t[k] = s.dot[ops_[k].ref[i]];
      });
      kern.template eval<2>(x, p);
      static_for<N>([&](auto kc) {
        constexpr std::size_t k = decltype(kc)::value;
        if constexpr (K::var(k)) {
          double hv = 0.0;
          static_for<N>([&](auto jc) {
            constexpr std::size_t j = decltype(jc)::value;
            if constexpr (K::var(j)) hv += p.h[k][j] * t[j];
          });
          if constexpr (K::scalar(k)) {
            hsum[k] += hv;
          } else {
            const index_t slot = ops_[k].ref[i];
            const double dk = ops_[k].ptr[i];
            s.adj[slot] += g * dk;
            s.adj2[slot] += g2 * dk + g * hv;
          }
        }
      });
    }
    static_for<N>([&](auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      if constexpr (K::var(k) && K::scalar(k)) {
        const DensityOperand& o = ops_[k];
        s.adj[o.idx] += g * o.num;
        s.adj2[o.idx] += g2 * o.num + g * hsum[k];
      }
    });
  }

 private:
  template <std::size_t k>
  double value_at(const double* val, std::size_t i) const {
    if constexpr (K::var(k)) {
      if constexpr (K::scalar(k))
        return val[ops_[k].idx];
      else
        return val[ops_[k].ref[i]];
    } else {
      if constexpr (K::scalar(k))
        return ops_[k].num;
      else
        return ops_[k].ptr[i];
    }
  }

  std::array<DensityOperand, N> ops_;
  std::size_t n_;
  index_t out_;
};

template <class K, class Tuple>
Var record(std::size_t n, const double* x0, const Tuple& args) {
  constexpr std::size_t N = K::arity;
  autodiff::Tape& t = autodiff::tape();
  std::array<DensityOperand, N> ops{};
  double* part[N] = {};
  static_for<N>([&](auto kc) {
    constexpr std::size_t k = decltype(kc)::value;
    const auto& a = std::get<k>(args);
    if constexpr (K::var(k)) {
      if constexpr (K::scalar(k)) {
        ops[k].idx = a.index();
      } else {
        ops[k].ref = autodiff::VarRef(t, a.data(), n);
        part[k] = t.arena().allocate_array<double>(n);
        ops[k].ptr = part[k];
      }
    } else if constexpr (K::scalar(k)) {
      ops[k].num = x0[k];
    } else {
      double* copy = t.arena().allocate_array<double>(n);
      for (std::size_t i = 0; i < n; ++i) copy[i] = dval(a[i]);
      ops[k].ptr = copy;
    }
  });
  const K kern(x0, 1);
  double total = 0.0, sums[N] = {}, x[N];
  Partials<N> p;
  for (std::size_t i = 0; i < n; ++i) {
    static_for<N>([&](auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      x[k] = dval(elem(std::get<k>(args), i));
    });
    total += kern.template eval<1>(x, p);
    static_for<N>([&](auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      if constexpr (K::var(k)) {
        if constexpr (K::scalar(k))
          sums[k] += p.d[k];
        else
          part[k][i] = p.d[k];
      }
    });
  }
  static_for<N>([&](auto kc) {
    constexpr std::size_t k = decltype(kc)::value;
    if constexpr (K::var(k) && K::scalar(k)) ops[k].num = sums[k];
  });
  const index_t out = t.new_slot(total);
  t.make_node<DensityNode<K>>(ops, n, out);
  return Var(total, out);
}

// Sum over the n broadcast elements of the kernel K; see the top of this file.
template <class K, class... Args>
result_t<Args...> reduce(std::size_t n, const Args&... args) {
  using R = result_t<Args...>;
  constexpr std::size_t N = sizeof...(Args);
  static_assert(N == K::arity);
  if (n == 0) return R(0.0);
  const auto tup = std::forward_as_tuple(args...);
  double x0[N];
  static_for<N>([&](auto kc) {
    constexpr std::size_t k = decltype(kc)::value;
    x0[k] = dval(elem(std::get<k>(tup), 0));
  });
  if constexpr (std::is_same_v<R, Var>) {
    return record<K>(n, x0, tup);
  } else {
    constexpr int order = std::is_same_v<R, double> ? 0 : 1;
    const K kern(x0, order);
    double total = 0.0, tan = 0.0, x[N];
    Partials<N> p;
    for (std::size_t i = 0; i < n; ++i) {
      static_for<N>([&](auto kc) {
        constexpr std::size_t k = decltype(kc)::value;
        x[k] = dval(elem(std::get<k>(tup), i));
      });
      total += kern.template eval<order>(x, p);
      if constexpr (order == 1) {
        static_for<N>([&](auto kc) {
          constexpr std::size_t k = decltype(kc)::value;
          if constexpr (K::var(k)) tan += p.d[k] * elem(std::get<k>(tup), i).tan;
        });
      }
    }
    if constexpr (order == 1)
      return Dual<double>(total, tan);
    else
      return total;
  }
}

}  // namespace detail
}  // namespace tapir::distributions
