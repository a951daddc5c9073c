#pragma once
// Shared checks of the distribution tests:
// - reference values (vectors.hpp, generated from SciPy by gen_vectors.py);
// - derivative checks of every Var/data combination of a family's arguments in scalar and
//   vectorized shapes (check_all_combos): gradient and Hessian-vector products against finite differences, the
//   single-node vectorized call against the sum of scalar calls (value, gradient, H v), the
//   Dual<double> path against the gradient, one tape statement per vectorized call, and (in the
//   all-vector shape) the propto form: the same derivatives and a constant difference;
// - quadrature (double-exponential rules: tanh-sinh, exp-sinh, sinh-sinh; Takahasi and Mori 1974)
//   for normalization.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/errors.hpp"
#include "autodiff/functional.hpp"
#include "vectors.hpp"

namespace dist_test {

using namespace tapir::autodiff;
using tapir_test_vectors::Case;

inline constexpr double inf = std::numeric_limits<double>::infinity();

// ---- reference values ----------------------------------------------------------------------

// Checks f(case.x) against every case of a table: |got - expected| <= tol * max(|expected|, scale)
// (-inf expected exactly). Returns the worst error in those units (printed by the caller).
template <std::size_t M, class F>
double check_reference(const char* fn, const Case (&cases)[M], F f, double tol) {
  const std::string name(fn);
  double worst = 0.0;
  for (std::size_t i = 0; i < M; ++i) {
    const Case& c = cases[i];
    const double got = f(c.x);
    if (std::isinf(c.expected)) {
      CHECK_MESSAGE(got == c.expected, name << " case " << i << ": got " << got << ", expected " << c.expected);
      continue;
    }
    const double err = std::abs(got - c.expected) / std::max({std::abs(c.expected), c.scale, 1e-300});
    worst = std::max(worst, err);
    CHECK_MESSAGE(err <= tol, name << " case " << i << " (" << c.x[0] << ", " << c.x[1] << ", " << c.x[2]
                                   << ", " << c.x[3] << "): got " << got << ", expected " << c.expected
                                   << ", error " << err);
  }
  MESSAGE(name << ": " << M << " reference cases, worst relative error " << worst);
  return worst;
}

// ---- arguments of a combination --------------------------------------------------------------

// Argument k of a call: Var-typed (T) if bit k of VarMask, a vector if bit k of VecMask, an int if
// bit k of IntMask (data), double data otherwise. A Var/T argument takes its values from x starting
// at `offset`; a data argument from `vals`.
template <class T, std::size_t k, unsigned VarMask, unsigned VecMask, unsigned IntMask>
auto make_arg(const Vector<T>& x, const std::vector<double>& vals, std::size_t offset) {
  constexpr bool is_var = (VarMask >> k) & 1u, is_vec = (VecMask >> k) & 1u, is_int = (IntMask >> k) & 1u;
  if constexpr (is_int) {
    if constexpr (is_vec) {
      Vector<int> v(vals.size());
      for (std::size_t i = 0; i < vals.size(); ++i) v[i] = static_cast<int>(vals[i]);
      return v;
    } else {
      return static_cast<int>(vals[0]);
    }
  } else if constexpr (is_var) {
    if constexpr (is_vec) {
      Vector<T> v(vals.size());
      for (std::size_t i = 0; i < vals.size(); ++i) v[i] = x[offset + i];
      return v;
    } else {
      return T(x[offset]);
    }
  } else {
    if constexpr (is_vec)
      return Vector<double>(std::vector<double>(vals));
    else
      return vals[0];
  }
}

// Element i of an argument built by make_arg (the argument itself if scalar).
template <class A>
auto element(const A& a, std::size_t i) {
  if constexpr (requires { a.size(); })
    return a[i];
  else
    return a;
}

template <std::size_t N>
struct Layout {
  std::array<std::size_t, N> offset{};
  std::vector<double> x;  // the point: the Var arguments' values, concatenated
  std::size_t m = 1;      // elements of a vectorized call
};

template <std::size_t N>
Layout<N> layout(unsigned var_mask, unsigned vec_mask, const std::array<std::vector<double>, N>& vals) {
  Layout<N> l;
  for (std::size_t k = 0; k < N; ++k) {
    const bool var = (var_mask >> k) & 1u, vec = (vec_mask >> k) & 1u;
    if (vec) l.m = vals[k].size();
    l.offset[k] = l.x.size();
    if (var) {
      if (vec)
        l.x.insert(l.x.end(), vals[k].begin(), vals[k].end());
      else
        l.x.push_back(vals[k][0]);
    }
  }
  return l;
}

// One function of x for a combination, in three modes chosen at run time (so that the functional
// API is instantiated once per combination): 0 the call, 1 the call with propto = true, 2 the loop
// of scalar calls over the elements. Fam: fam(std::bool_constant<propto>, args...).
template <unsigned VarMask, unsigned VecMask, unsigned IntMask, bool WithPropto, std::size_t N, class Fam>
auto combo_function(const Fam& fam, const std::array<std::vector<double>, N>& vals, const Layout<N>& l,
                    const int& mode) {
  return [&fam, &vals, &l, &mode](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    return [&]<std::size_t... K>(std::index_sequence<K...>) -> T {
      const auto args = std::make_tuple(make_arg<T, K, VarMask, VecMask, IntMask>(x, vals[K], l.offset[K])...);
      if constexpr (std::is_same_v<T, Var>) {  // the propto and loop modes are only recorded
        if constexpr (WithPropto)
          if (mode == 1) return fam(std::true_type{}, std::get<K>(args)...);
        if (mode == 2) {
          T s = 0.0;
          for (std::size_t i = 0; i < l.m; ++i) s += fam(std::false_type{}, element(std::get<K>(args), i)...);
          return s;
        }
      }
      return fam(std::false_type{}, std::get<K>(args)...);
    }(std::make_index_sequence<N>{});
  };
}

inline void close(double a, double b, double tol, const std::string& what) {
  const double err = std::abs(a - b) / std::max(1.0, std::abs(b));
  CHECK_MESSAGE(err <= tol, what << ": " << a << " vs " << b << " (error " << err << ")");
}

struct ComboOptions {
  double fd_tolerance = 1e-6;    // gradient / H v against finite differences
  double step = 1e-3;            // finite-difference step (relative)
  double twin_tolerance = 1e-12; // vectorized node against the sum of scalar calls
};

// A combination's function with its type erased, so that the functional API and the checks below
// are compiled once, not once per combination.
struct ErasedFunction {
  std::function<double(const Vector<double>&)> on_double;
  std::function<Var(const Vector<Var>&)> on_var;
  std::function<Dual<double>(const Vector<Dual<double>>&)> on_dual;
  double operator()(const Vector<double>& x) const { return on_double(x); }
  Var operator()(const Vector<Var>& x) const { return on_var(x); }
  Dual<double> operator()(const Vector<Dual<double>>& x) const { return on_dual(x); }
};

// The checks of one combination; `mode` switches the function between the call (0), the call with
// propto (1) and the loop of scalar calls (2).
inline void run_combo_checks(const std::string& tag, const ErasedFunction& f, int& mode,
                             const std::vector<double>& x, bool vectorized, bool with_propto,
                             const ComboOptions& opt) {
  mode = 0;
  DerivativeCheckOptions dopt;
  dopt.step = opt.step;
  dopt.tolerance = opt.fd_tolerance;
  const DerivativeCheck c = check_derivatives(f, x, dopt);
  CHECK_MESSAGE(c.ok, tag << "\n" << c.report());

  std::vector<double> v(x.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::cos(1.0 + 0.7 * static_cast<double>(i));
  const HessianVectorProduct a = hvp(f, x, v);

  // Forward mode agrees with the gradient.
  const ValueAndDerivative d = directional_derivative(f, x, v);
  double gv = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) gv += a.gradient[i] * v[i];
  close(d.value, a.value, 1e-14, tag + " Dual value");
  close(d.derivative, gv, 1e-12, tag + " Dual derivative");

  // The value on double agrees with the recorded one.
  close(f(Vector<double>(std::vector<double>(x))), a.value, 1e-14, tag + " double value");

  if (with_propto) {
    // propto: the same derivatives, and a difference that does not depend on the Var arguments.
    std::vector<double> x2(x);
    for (double& e : x2) e *= 1.01;
    mode = 1;
    const HessianVectorProduct ap = hvp(f, x, v);
    const double p2 = value_and_gradient(f, x2).value;
    mode = 0;
    const double f2 = value_and_gradient(f, x2).value;
    for (std::size_t i = 0; i < v.size(); ++i) {
      close(ap.gradient[i], a.gradient[i], 1e-13, tag + " propto gradient");
      close(ap.hvp[i], a.hvp[i], 1e-13, tag + " propto hvp");
    }
    close(a.value - ap.value, f2 - p2, 1e-12, tag + " propto difference is constant");
  }

  if (vectorized) {
    // The single node equals the loop of scalar calls.
    mode = 2;
    const HessianVectorProduct b = hvp(f, x, v);
    mode = 0;
    close(a.value, b.value, opt.twin_tolerance, tag + " twin value");
    for (std::size_t i = 0; i < v.size(); ++i) {
      close(a.gradient[i], b.gradient[i], opt.twin_tolerance, tag + " twin gradient");
      close(a.hvp[i], b.hvp[i], opt.twin_tolerance, tag + " twin hvp");
    }
    // One tape statement per vectorized call.
    NestedScope scope;
    Vector<Var> xv(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) xv[i] = Var::independent(x[i]);
    const std::size_t before = tape().statements();
    (void)f(xv);
    const std::size_t recorded = tape().statements() - before;
    CHECK_MESSAGE(recorded == 1, tag << ": " << recorded << " statements");
  }
}

template <unsigned VarMask, unsigned VecMask, unsigned IntMask, std::size_t N, class Fam>
void check_combo(const char* name, const Fam& fam, const std::array<std::vector<double>, N>& vals,
                 const ComboOptions& opt) {
  const Layout<N> l = layout(VarMask, VecMask, vals);
  int mode = 0;
  // propto is checked in the all-vector shape (every Var/data combination); compiling its node in
  // the other shapes too would only lengthen the build.
  constexpr bool with_propto = VecMask == (1u << N) - 1;
  const auto f = combo_function<VarMask, VecMask, IntMask, with_propto>(fam, vals, l, mode);
  const ErasedFunction ef{f, f, f};
  run_combo_checks(std::string(name) + " var_mask=" + std::to_string(VarMask) + " vec_mask=" + std::to_string(VecMask),
                   ef, mode, l.x, VecMask != 0, with_propto, opt);
}

// Every nonzero Var mask over the arguments not in IntMask, for one vector shape.
template <unsigned VecMask, unsigned IntMask, std::size_t N, class Fam>
void check_var_masks(const char* name, const Fam& fam, const std::array<std::vector<double>, N>& vals,
                     const ComboOptions& opt) {
  [&]<unsigned... Mk>(std::integer_sequence<unsigned, Mk...>) {
    ((((Mk + 1) & IntMask) == 0 ? check_combo<Mk + 1, VecMask, IntMask>(name, fam, vals, opt) : void()), ...);
  }(std::make_integer_sequence<unsigned, (1u << N) - 1>{});
}

// Every Var/data combination in the all-vector shape. There each vectorized call is also compared
// (value, gradient, H v, to ~1e-12) with the loop of all-scalar calls of the same combination, so
// the scalar forms of every combination are checked exactly against the finite-difference-checked
// node. Then broadcasting shapes (only the first argument a vector; every argument but the first
// a vector) with every non-integer argument Var and with all but the first Var, and the all-scalar
// shape with every non-integer argument Var (its Dual and double paths included).
template <unsigned IntMask = 0, std::size_t N, class Fam>
void check_all_combos(const char* name, const Fam& fam, const std::array<std::vector<double>, N>& vals,
                      const ComboOptions& opt = {}) {
  constexpr unsigned all = (1u << N) - 1, real = all & ~IntMask;
  check_var_masks<all, IntMask>(name, fam, vals, opt);
  check_combo<real, 1u, IntMask>(name, fam, vals, opt);
  check_combo<real, all & ~1u, IntMask>(name, fam, vals, opt);
  if constexpr ((real & ~1u) != 0u && (real & 1u) != 0u) {
    check_combo<real & ~1u, 1u, IntMask>(name, fam, vals, opt);
    check_combo<real & ~1u, all & ~1u, IntMask>(name, fam, vals, opt);
  }
  check_combo<real, 0u, IntMask>(name, fam, vals, opt);
}

// A lighter set for the log CDFs: every Var/data combination in the all-vector shape (with the
// scalar twins), and one broadcasting shape (a data first argument vector, the others Var scalars).
template <unsigned IntMask = 0, std::size_t N, class Fam>
void check_basic_combos(const char* name, const Fam& fam, const std::array<std::vector<double>, N>& vals,
                        const ComboOptions& opt = {}) {
  constexpr unsigned all = (1u << N) - 1;
  check_var_masks<all, IntMask>(name, fam, vals, opt);
  check_combo<all & ~1u & ~IntMask, 1u, IntMask>(name, fam, vals, opt);
}

// ---- errors ---------------------------------------------------------------------------------

// f() throws tapir::domain_error with a message "fn: ... arg ...".
template <class F>
void check_domain_error(F f, const std::string& fn, const std::string& arg) {
  bool thrown = false;
  try {
    f();
  } catch (const tapir::domain_error& e) {
    thrown = true;
    const std::string m = e.what();
    CHECK_MESSAGE(m.rfind(fn + ": ", 0) == 0, m);
    CHECK_MESSAGE(m.find(arg) != std::string::npos, m);
  }
  CHECK_MESSAGE(thrown, fn << ": expected a domain_error naming " << arg);
}
// f() throws tapir::size_error with a message naming fn.
template <class F>
void check_size_error(F f, const std::string& fn) {
  bool thrown = false;
  try {
    f();
  } catch (const tapir::size_error& e) {
    thrown = true;
    const std::string m = e.what();
    CHECK_MESSAGE(m.rfind(fn + ": ", 0) == 0, m);
  }
  CHECK_MESSAGE(thrown, fn << ": expected a size_error");
}

// Independent variables on this thread's tape (use inside a NestedScope).
inline Vector<Var> vars(const std::vector<double>& x) {
  Vector<Var> v(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) v[i] = Var::independent(x[i]);
  return v;
}

// ---- quadrature -----------------------------------------------------------------------------
// Double-exponential rules with step h over t in [-T, T]: the integrand decays doubly
// exponentially in t, so the trapezoid sum converges very fast, endpoint singularities included.

template <class F>
double de_sum(F g, double h = 1.0 / 64.0, double t_max = 6.0) {
  double s = 0.0;
  for (double t = -t_max; t <= t_max; t += h) {
    const double v = g(t);
    if (std::isfinite(v)) s += v;
  }
  return s * h;
}
// integral over (a, b) (tanh-sinh); x is computed from the nearer end, so that points close to a
// finite end (and an integrable singularity there) are resolved down to the underflow threshold
// near 0 and to the spacing of doubles elsewhere.
template <class F>
double integrate(F f, double a, double b) {
  const double r = 0.5 * (b - a), hp = 0.5 * std::numbers::pi;
  return de_sum([&](double t) {
    const double u = hp * std::sinh(t), ch = std::cosh(u);
    // 1 + tanh(u) = 2 / (1 + e^{-2u}), 1 - tanh(u) = 2 / (1 + e^{2u})
    const double x = u < 0.0 ? a + 2.0 * r / (1.0 + std::exp(-2.0 * u)) : b - 2.0 * r / (1.0 + std::exp(2.0 * u));
    if (x <= a || x >= b) return 0.0;
    return f(x) * r * hp * std::cosh(t) / (ch * ch);
  });
}
// integral over (a, inf) (exp-sinh)
template <class F>
double integrate_to_inf(F f, double a, double scale = 1.0) {
  const double hp = 0.5 * std::numbers::pi;
  return de_sum([&](double t) {
    const double e = std::exp(hp * std::sinh(t));
    return f(a + scale * e) * scale * e * hp * std::cosh(t);
  }, 1.0 / 64.0, 4.5);
}
// integral over the real line (sinh-sinh)
template <class F>
double integrate_real(F f, double center = 0.0, double scale = 1.0) {
  const double hp = 0.5 * std::numbers::pi;
  return de_sum([&](double t) {
    const double u = hp * std::sinh(t);
    return f(center + scale * std::sinh(u)) * scale * std::cosh(u) * hp * std::cosh(t);
  }, 1.0 / 64.0, 4.5);
}

}  // namespace dist_test
