#pragma once
// An adaptive explicit Runge-Kutta solver for y' = f(t, y): the Dormand-Prince 5(4) pair
// (Dormand & Prince 1980, "A family of embedded Runge-Kutta formulae", J. Comp. Appl. Math. 6,
// the method RK5(4)7M), templated on the scalar so that derivatives flow through the integration.
//
//   auto f = [&](double t, const Vector<T>& y) { return Vector<T>{-k * y[0]}; };  // k may be a Var
//   const auto sol = ode::dopri5(f, Vector<T>{y0}, 0.0, times);   // sol.states(i, j): y_j(times[i])
//
// Method. Seven stages, the fifth-order solution propagated (local extrapolation), the fourth-order
// embedded solution used only for the error estimate; the last stage is evaluated at the new point,
// so it is the first stage of the next step (FSAL: six evaluations of f per accepted step). The
// Butcher tableau (c | A, b, and the error weights e = b - b*) is written out below.
//
// Error control (Hairer, Norsett & Wanner, "Solving Ordinary Differential Equations I", II.4):
//   sc_i = atol + rtol max(|y_i|, |y_new_i|),   err = sqrt(mean_i (est_i / sc_i)^2),
// a step is accepted when err <= 1. The next step is h safety err^-alpha err_prev^beta (a PI
// controller, Gustafsson 1991, with beta = pi_beta and alpha = 1/5 - 3/4 beta; pi_beta = 0 gives
// the standard controller h safety err^-1/5), limited to [min_factor, max_factor] times h; after a
// rejection the step does not grow. A non-finite error estimate (overflow in f) counts as a
// rejection and shrinks the step by min_factor.
//
// Output times. The solver steps exactly onto every requested output time (a step that would pass
// it is shortened to end on it; a step within 1% of it is stretched to end on it), so every output
// is a step endpoint of the fifth-order solution: no interpolation error, and the outputs are
// differentiable functions of the parameters like any other step. A shortened step does not make
// the following steps smaller: the controller resumes from the step size it had proposed.
//
// Differentiation (discretize-then-differentiate). The step sizes, the accept/reject decisions and
// the error norm are computed from plain double values (autodiff::value_of), so the step sequence
// is a constant of the recording: the derivatives are exactly those of the discrete map from the
// initial state and the parameters captured by f to the outputs, for that step sequence. With
// T = Var, a rejected attempt is removed from the tape (rewound), so the tape holds only accepted
// steps; each stage combination y + h sum_j a_ij k_j is ONE tape node for the whole state vector
// (its rules are linear: exact first and second order). Gradients and Hessian-vector products of a
// function of the solution therefore cost a sweep over (accepted steps) x (6 evaluations of f).
//
// The right-hand side: any callable f(double t, const Vector<T>& y) returning an indexable
// container of n scalars (Vector<T>, std::vector<T>, ...) convertible to T. It may capture Vars
// (the parameters) recorded before the call; with T = Var, f must not keep the Vars it creates
// beyond the call (a rejected step's records are rewound).
//
// Errors (tapir::domain_error unless noted), each naming time and step:
//   "dopri5: step size underflow at t = 0.5 (step size 1e-17, below 16 ulp of t); the problem may be stiff or singular"
//   "dopri5: maximum number of steps (100000) exceeded at t = 3.2 (step size 1e-05) before the output time 10"
//   invalid options or output times (not finite, decreasing, before t0); a non-finite f at t0;
//   tapir::size_error for an empty state or an f returning the wrong number of values.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/tape.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/var.hpp"
#include "autodiff/vector.hpp"
#include "autodiff/vector_node.hpp"

namespace tapir::models::ode {

using autodiff::Matrix;
using autodiff::Vector;

struct Dopri5Options {
  double relative_tolerance = 1e-6;
  double absolute_tolerance = 1e-6;
  // First step size; 0 chooses it from f at t0 (Hairer, Norsett & Wanner's starting-step
  // algorithm, II.4, with one extra evaluation of f that is not recorded).
  double initial_step = 0.0;
  double max_step = std::numeric_limits<double>::infinity();
  // Attempted steps (accepted and rejected) over the whole integration.
  std::size_t max_steps = 100000;
  double safety = 0.9;
  double min_factor = 0.2;   // a step shrinks by at most 1 / min_factor
  double max_factor = 10.0;  // and grows by at most max_factor
  double pi_beta = 0.04;     // 0: the standard (integral) controller
};

struct Dopri5Stats {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  std::size_t evaluations = 0;  // calls of f
};

template <class T>
struct Dopri5Solution {
  std::vector<double> times;
  Matrix<T> states;  // times.size() x n: row i is the state at times[i]
  Dopri5Stats stats;
};

// ---- the tableau (Dormand & Prince 1980, RK5(4)7M) ----
namespace dopri5_tableau {
inline constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
inline constexpr double a21 = 1.0 / 5;
inline constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
inline constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
inline constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
inline constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                        a65 = -5103.0 / 18656;
// Fifth-order weights (also row 7 of A: the FSAL stage is f at the new point).
inline constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
// e = b - b*, with the fourth-order weights b* = (5179/57600, 0, 7571/16695, 393/640,
// -92097/339200, 187/2100, 1/40).
inline constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                        e6 = 22.0 / 525, e7 = -1.0 / 40;
}  // namespace dopri5_tableau

namespace detail {

using autodiff::index_t;
using autodiff::SweepArrays;
using autodiff::VarRef;

// out[i] = sum_j c[j] in_j[i] over n elements, m terms: one node, linear in its inputs.
class LinearCombinationNode final : public autodiff::Node {
 public:
  LinearCombinationNode(const VarRef* in, const double* c, std::size_t m, std::size_t n, index_t out)
      : in_(in), c_(c), m_(m), n_(n), out_(out) {}
  void reverse(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < n_; ++i) {
      const double a = s.adj[out_ + i];
      if (a == 0.0) continue;
      for (std::size_t j = 0; j < m_; ++j) s.adj[in_[j][i]] += c_[j] * a;
    }
  }
  void tangent(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < n_; ++i) {
      double d = 0.0;
      for (std::size_t j = 0; j < m_; ++j) d += c_[j] * s.dot[in_[j][i]];
      s.dot[out_ + i] = d;
    }
  }
  void reverse2(const SweepArrays& s) const override {
    for (std::size_t i = 0; i < n_; ++i) {
      const double a = s.adj[out_ + i], a2 = s.adj2[out_ + i];
      for (std::size_t j = 0; j < m_; ++j) {
        s.adj[in_[j][i]] += c_[j] * a;
        s.adj2[in_[j][i]] += c_[j] * a2;
      }
    }
  }

 private:
  const VarRef* in_;
  const double* c_;
  std::size_t m_, n_;
  index_t out_;
};

// y + sum_j c_j k_j (terms with c_j = 0 skipped).
template <class T>
Vector<T> combine(const Vector<T>& y, std::initializer_list<double> c, std::initializer_list<const Vector<T>*> k) {
  const std::size_t n = y.size();
  Vector<T> out(n);
  if constexpr (autodiff::is_var_v<T>) {
    autodiff::Tape& t = autodiff::tape();
    std::size_t m = 1;
    for (double cj : c) m += cj != 0.0;
    VarRef* refs = t.arena().allocate_array<VarRef>(m);
    double* coef = t.arena().allocate_array<double>(m);
    refs[0] = VarRef(t, y.data(), n);
    coef[0] = 1.0;
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = y[i].value();
    std::size_t j = 1;
    auto kp = k.begin();
    for (double cj : c) {
      const Vector<T>& kj = **kp++;
      if (cj == 0.0) continue;
      refs[j] = VarRef(t, kj.data(), n);
      coef[j] = cj;
      for (std::size_t i = 0; i < n; ++i) v[i] += cj * kj[i].value();
      ++j;
    }
    const index_t first = autodiff::make_outputs(t, v.data(), n, out.data());
    t.make_node<LinearCombinationNode>(refs, coef, m, n, first);
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = y[i];
    auto kp = k.begin();
    for (double cj : c) {
      const Vector<T>& kj = **kp++;
      if (cj == 0.0) continue;
      for (std::size_t i = 0; i < n; ++i) out[i] = out[i] + cj * kj[i];
    }
  }
  return out;
}

inline std::string fmt(double x) {
  std::ostringstream o;
  o.precision(10);
  o << x;
  return o.str();
}

// Saves the tape position for T = Var, so that a rejected attempt can be dropped.
template <class T>
struct Rewind {
  autodiff::Tape::Mark mark{};
  Rewind() {
    if constexpr (autodiff::is_var_v<T>) mark = autodiff::tape().mark();
  }
  void operator()() const {
    if constexpr (autodiff::is_var_v<T>) autodiff::tape().rewind(mark);
  }
};

}  // namespace detail

template <class T, class F>
Dopri5Solution<T> dopri5(const F& f, std::span<const T> y0, double t0, std::span<const double> times,
                         const Dopri5Options& options = {}) {
  using namespace dopri5_tableau;
  using autodiff::value_of;
  constexpr const char* fn = "dopri5";
  const Dopri5Options& o = options;
  const std::size_t n = y0.size();
  if (n == 0) throw size_error("dopri5: the initial state is empty");
  auto bad_option = [&](const char* what, double v, const char* requirement) {
    throw_domain_error(fn, what, v, requirement);
  };
  if (!(o.relative_tolerance >= 0.0) || !std::isfinite(o.relative_tolerance))
    bad_option("relative_tolerance", o.relative_tolerance, "finite and >= 0");
  if (!(o.absolute_tolerance >= 0.0) || !std::isfinite(o.absolute_tolerance))
    bad_option("absolute_tolerance", o.absolute_tolerance, "finite and >= 0");
  if (!(o.relative_tolerance > 0.0 || o.absolute_tolerance > 0.0))
    bad_option("absolute_tolerance", o.absolute_tolerance, "positive when relative_tolerance is 0");
  if (!(o.initial_step >= 0.0) || !std::isfinite(o.initial_step))
    bad_option("initial_step", o.initial_step, "finite and >= 0 (0: automatic)");
  if (!(o.max_step > 0.0)) bad_option("max_step", o.max_step, "positive");
  if (!(o.safety > 0.0 && o.safety <= 1.0)) bad_option("safety", o.safety, "in (0, 1]");
  if (!(o.min_factor > 0.0 && o.min_factor < 1.0)) bad_option("min_factor", o.min_factor, "in (0, 1)");
  if (!(o.max_factor > 1.0)) bad_option("max_factor", o.max_factor, "greater than 1");
  if (!(o.pi_beta >= 0.0 && o.pi_beta < 0.2)) bad_option("pi_beta", o.pi_beta, "in [0, 0.2)");
  if (!std::isfinite(t0)) bad_option("initial time t0", t0, "finite");
  for (std::size_t i = 0; i < times.size(); ++i) {
    const double prev = i == 0 ? t0 : times[i - 1];
    if (!std::isfinite(times[i]) || !(times[i] >= prev)) {
      const std::string what = "output time " + std::to_string(i + 1);
      throw_domain_error(fn, what.c_str(), times[i],
                         (i == 0 ? "finite and >= t0 = " + detail::fmt(t0)
                                 : "finite and >= the previous output time " + detail::fmt(prev))
                             .c_str());
    }
  }

  Dopri5Solution<T> sol;
  sol.times.assign(times.begin(), times.end());
  sol.states = Matrix<T>(times.size(), n);
  Dopri5Stats& st = sol.stats;

  auto eval = [&](double t, const Vector<T>& y) {
    const auto r = f(t, y);
    ++st.evaluations;
    if (static_cast<std::size_t>(r.size()) != n)
      throw size_error("dopri5: the right-hand side returned " + std::to_string(r.size()) + " values at t = " +
                       detail::fmt(t) + ", the state has " + std::to_string(n));
    Vector<T> k(n);
    for (std::size_t i = 0; i < n; ++i) k[i] = T(r[i]);
    return k;
  };

  Vector<T> y(y0);
  double t = t0;
  const double rtol = o.relative_tolerance, atol = o.absolute_tolerance;
  auto scale = [&](double a, double b) { return atol + rtol * std::max(std::abs(a), std::abs(b)); };

  Vector<T> k1 = eval(t, y);
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(value_of(k1[i])) || !std::isfinite(value_of(y[i])))
      throw domain_error("dopri5: the initial state or its derivative is not finite at t0 = " + detail::fmt(t0) +
                         " (component " + std::to_string(i + 1) + ")");

  const double t_end = times.empty() ? t0 : times.back();
  double h = std::min(o.initial_step, o.max_step);
  if (h == 0.0 && t_end > t0) {
    // Starting step (Hairer, Norsett & Wanner II.4): from the sizes of y0, f0 and a difference
    // quotient of f, on values only (the trial evaluation is not kept on the tape).
    double d0 = 0.0, d1 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double sc = scale(value_of(y[i]), 0.0);
      d0 += std::pow(value_of(y[i]) / sc, 2);
      d1 += std::pow(value_of(k1[i]) / sc, 2);
    }
    d0 = std::sqrt(d0 / static_cast<double>(n));
    d1 = std::sqrt(d1 / static_cast<double>(n));
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    h0 = std::min({h0, t_end - t0, o.max_step});
    double d2 = 0.0;
    {
      detail::Rewind<T> rewind;
      Vector<T> y1 = detail::combine(y, {h0}, {&k1});
      Vector<T> f1 = eval(t + h0, y1);
      for (std::size_t i = 0; i < n; ++i) {
        const double sc = scale(value_of(y[i]), 0.0);
        d2 += std::pow((value_of(f1[i]) - value_of(k1[i])) / sc, 2);
      }
      rewind();
    }
    d2 = std::sqrt(d2 / static_cast<double>(n)) / h0;
    const double dm = std::max(d1, d2);
    const double h1 = !(dm > 1e-15) ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dm, 0.2);
    h = std::min({100.0 * h0, std::isfinite(h1) ? h1 : 100.0 * h0, o.max_step});
  }

  const double eps = std::numeric_limits<double>::epsilon();
  const double alpha = 0.2 - 0.75 * o.pi_beta;
  double err_prev = 1e-4;
  bool last_rejected = false;
  std::size_t attempts = 0;

  for (std::size_t out = 0; out < times.size(); ++out) {
    const double t_out = times[out];
    while (t < t_out) {
      const double remaining = t_out - t;
      const double tiny = 16.0 * eps * std::max(std::abs(t), std::abs(t_out));
      if (remaining <= tiny) {  // rounding distance: the state is already at t_out
        t = t_out;
        break;
      }
      if (!(h >= tiny))
        throw domain_error("dopri5: step size underflow at t = " + detail::fmt(t) + " (step size " + detail::fmt(h) +
                           ", below 16 ulp of t); the problem may be stiff or singular");
      if (attempts >= o.max_steps)
        throw domain_error("dopri5: maximum number of steps (" + std::to_string(o.max_steps) + ") exceeded at t = " +
                           detail::fmt(t) + " (step size " + detail::fmt(h) + ") before the output time " +
                           detail::fmt(t_out));
      ++attempts;
      const bool lands = h >= 0.99 * remaining;
      const double hs = lands ? remaining : h;

      detail::Rewind<T> rewind;
      const Vector<T> k2 = eval(t + c2 * hs, detail::combine(y, {hs * a21}, {&k1}));
      const Vector<T> k3 = eval(t + c3 * hs, detail::combine(y, {hs * a31, hs * a32}, {&k1, &k2}));
      const Vector<T> k4 = eval(t + c4 * hs, detail::combine(y, {hs * a41, hs * a42, hs * a43}, {&k1, &k2, &k3}));
      const Vector<T> k5 = eval(t + c5 * hs, detail::combine(y, {hs * a51, hs * a52, hs * a53, hs * a54},
                                                             {&k1, &k2, &k3, &k4}));
      const Vector<T> k6 = eval(t + hs, detail::combine(y, {hs * a61, hs * a62, hs * a63, hs * a64, hs * a65},
                                                        {&k1, &k2, &k3, &k4, &k5}));
      Vector<T> y5 = detail::combine(y, {hs * b1, hs * b3, hs * b4, hs * b5, hs * b6}, {&k1, &k3, &k4, &k5, &k6});
      const double t_new = lands ? t_out : t + hs;
      Vector<T> k7 = eval(t_new, y5);

      double err = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double est = hs * (e1 * value_of(k1[i]) + e3 * value_of(k3[i]) + e4 * value_of(k4[i]) +
                                 e5 * value_of(k5[i]) + e6 * value_of(k6[i]) + e7 * value_of(k7[i]));
        const double sc = scale(value_of(y[i]), value_of(y5[i]));
        err += (est / sc) * (est / sc);
      }
      err = std::sqrt(err / static_cast<double>(n));

      if (!std::isfinite(err)) {
        rewind();
        ++st.rejected;
        last_rejected = true;
        h = hs * o.min_factor;
        continue;
      }
      if (err <= 1.0) {
        ++st.accepted;
        const double e = std::max(err, 1e-10);
        double fac = o.safety * std::pow(e, -alpha) * std::pow(err_prev, o.pi_beta);
        fac = std::clamp(fac, o.min_factor, o.max_factor);
        double h_next = hs * fac;
        if (last_rejected) h_next = std::min(h_next, hs);
        // A step shortened to land on an output time does not shrink the next one.
        if (lands && hs < h) h_next = std::max(h_next, h);
        h = std::min(h_next, o.max_step);
        err_prev = std::max(err, 1e-4);
        last_rejected = false;
        t = t_new;
        y = std::move(y5);
        k1 = std::move(k7);
      } else {
        rewind();
        ++st.rejected;
        last_rejected = true;
        h = hs * std::max(o.min_factor, o.safety * std::pow(err, -0.2));
      }
    }
    for (std::size_t i = 0; i < n; ++i) sol.states(out, i) = y[i];
  }
  return sol;
}

// The same for an initial state held in a Vector<T> or std::vector<T>.
template <class T, class F>
Dopri5Solution<T> dopri5(const F& f, const Vector<T>& y0, double t0, std::span<const double> times,
                         const Dopri5Options& options = {}) {
  return dopri5<T>(f, std::span<const T>(y0.data(), y0.size()), t0, times, options);
}
template <class T, class F>
Dopri5Solution<T> dopri5(const F& f, const std::vector<T>& y0, double t0, std::span<const double> times,
                         const Dopri5Options& options = {}) {
  return dopri5<T>(f, std::span<const T>(y0.data(), y0.size()), t0, times, options);
}

}  // namespace tapir::models::ode
