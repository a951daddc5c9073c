#pragma once
// The shared harness of the multivariate distribution tests: functions with their scalar type
// erased, derivative checks through every mode, arguments taken as Vars or data, and error-message
// checks.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"

namespace {

using namespace tapir::autodiff;


// A function of x with its type erased, so that the functional API is compiled once per file.
struct Erased {
  std::function<double(const Vector<double>&)> on_double;
  std::function<Var(const Vector<Var>&)> on_var;
  std::function<Dual<double>(const Vector<Dual<double>>&)> on_dual;
  double operator()(const Vector<double>& x) const { return on_double(x); }
  Var operator()(const Vector<Var>& x) const { return on_var(x); }
  Dual<double> operator()(const Vector<Dual<double>>& x) const { return on_dual(x); }
};
template <class F>
Erased erase(const F& f) {
  return {[f](const Vector<double>& x) { return double(f(x)); }, [f](const Vector<Var>& x) { return Var(f(x)); },
          [f](const Vector<Dual<double>>& x) { return Dual<double>(f(x)); }};
}

void close(double got, double want, double tol, const std::string& what) {
  const double err = std::abs(got - want) / std::max(1.0, std::abs(want));
  CHECK_MESSAGE(err <= tol, what << ": " << got << " vs " << want << " (error " << err << ")");
}

// Gradient and every Hessian column against finite differences (relative step 1e-4); forward mode
// against the gradient; the double value against the recorded one.
void check_function(const std::string& tag, const Erased& f, const std::vector<double>& x) {
  DerivativeCheckOptions opt;
  opt.step = 1e-4;
  const DerivativeCheck c = check_derivatives(f, x, opt);
  CHECK_MESSAGE(c.ok, tag << "\n" << c.report());
  std::vector<double> v(x.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::cos(1.0 + 0.7 * static_cast<double>(i));
  const HessianVectorProduct h = hvp(f, x, v);
  const ValueAndDerivative d = directional_derivative(f, x, v);
  double gv = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) gv += h.gradient[i] * v[i];
  close(d.value, h.value, 1e-14, tag + " Dual value");
  close(d.derivative, gv, 1e-12, tag + " Dual derivative");
  close(f(Vector<double>(std::vector<double>(x))), h.value, 1e-14, tag + " double value");
}

// Arguments of a combination: Vars taken from x (starting at `off`, which advances) or data.
template <bool IsVar, class T>
auto arg(const Vector<T>& x, std::size_t& off, const std::vector<double>& data) {
  if constexpr (IsVar) {
    Vector<T> v(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) v[i] = x[off + i];
    off += data.size();
    return v;
  } else {
    return Vector<double>(data);
  }
}

template <class E, class F>
void check_throws(const F& f, const std::vector<std::string>& parts) {
  try {
    f();
    FAIL("no exception thrown");
  } catch (const E& e) {
    const std::string what = e.what();
    for (const std::string& p : parts) CHECK_MESSAGE(what.find(p) != std::string::npos, what << " lacks '" << p << "'");
  }
}

}  // namespace
