#!/usr/bin/python3
"""Generate tests/autodiff/special_functions_vectors.hpp.

Reference values for tapir::autodiff special functions, computed with mpmath
at 50+ significant digits (working precision raised where the arguments are
large or a cancellation has to be resolved).  Every argument is a double and
is converted to mpmath exactly, so each expected value is the correctly
rounded result for that exact double input (printed with 17 significant
digits).

Usage:
    /usr/bin/python3 tests/autodiff/gen_special_functions.py            # writes the header
    /usr/bin/python3 tests/autodiff/gen_special_functions.py --coefficients
        # prints the digamma Taylor coefficients used in autodiff/special_functions.cpp

Only needed to regenerate the committed vectors; not a build dependency.

Each case carries a `scale` (default 0).  The tests accept
    |got - expected| <= tol * max(|expected|, scale),
i.e. scale is an absolute-error floor.  It is nonzero only where the exact
result can be near a zero of the function while the computation involves
terms of size `scale` (so that relative accuracy is not meaningful there):
  * digamma, x < 0: max(1, log(1 - x))  (size of psi(1 - x) in the reflection);
  * polygamma n even >= 2, x < 0: n! zeta(n + 1) = |psi^(n)(1)| (bound on the
    reflected term psi^(n)(1 - x));
  * lbeta, lchoose: 1 (zero crossings of log B / log C for O(1) arguments);
  * log_sum_exp, log_diff_exp: max(1, |a|, |b|) (result m + log1p(...) can
    cancel to ~0).
"""

import math
import os
import random
import sys

import mpmath as mp

mp.mp.dps = 50

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "special_functions_vectors.hpp")


def fmt(v):
    f = float(v)
    if math.isnan(f) or math.isinf(f):
        raise ValueError("non-finite value in vectors: %r" % (v,))
    s = "%.17g" % f
    if "e" not in s and "." not in s and "inf" not in s and "nan" not in s:
        s += ".0"
    return s


# ---------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------

def cot_derivative_poly(n):
    """Integer coefficients of P_n with d^n/dy^n cot y = P_n(cot y)."""
    p = [0, 1]
    for _ in range(n):
        d = [(i + 1) * p[i + 1] for i in range(len(p) - 1)] + [0, 0]
        q = [0] * (len(d) + 2)
        for i, di in enumerate(d):
            q[i] -= di
            q[i + 2] -= di
        while q and q[-1] == 0:
            q.pop()
        p = q
    return p


def polygamma_ref(n, x):
    X = mp.mpf(x)
    if X > 0:
        return mp.polygamma(n, X)
    # Reflection (mpmath's own recurrence is very slow for large negative x):
    # psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1) P_n(cot(pi x)).
    digits = 60 + int(mp.log10(abs(X) + 1))
    with mp.workdps(digits):
        c = mp.cot(mp.pi * X)
        pv = sum(mp.mpf(co) * c**i for i, co in enumerate(cot_derivative_poly(n)))
        return (-1) ** n * mp.polygamma(n, 1 - X) - mp.pi ** (n + 1) * pv


def lgamma_ref(x):
    X = mp.mpf(x)
    with mp.workdps(50 + int(mp.log10(abs(X) + 1))):
        if X > 0:
            return mp.loggamma(X)
        # log|Gamma(x)| = log(pi) - log|sin(pi x)| - log Gamma(1 - x)
        return mp.log(mp.pi) - mp.log(abs(mp.sin(mp.pi * X))) - mp.loggamma(1 - X)


def lbeta_ref(a, b):
    A, B = mp.mpf(a), mp.mpf(b)
    with mp.workdps(50 + int(mp.log10(max(A, B) + 1))):
        return mp.loggamma(A) + mp.loggamma(B) - mp.loggamma(A + B)


def lchoose_ref(n, k):
    N, K = mp.mpf(n), mp.mpf(k)
    with mp.workdps(50 + int(mp.log10(N + 1))):
        return mp.loggamma(N + 1) - mp.loggamma(K + 1) - mp.loggamma(N - K + 1)


def log_phi_ref(x):
    X = mp.mpf(x)
    if X > 0:
        return mp.log1p(-mp.ncdf(-X))
    return mp.log(mp.ncdf(X))


def inv_phi_ref(p):
    P = mp.mpf(p)
    t = min(P, 1 - P)
    with mp.workdps(60 + int(-mp.log10(t))):
        z = -mp.sqrt(2) * mp.erfinv(1 - 2 * t)
        for _ in range(2):  # polish
            z -= (mp.ncdf(z) - t) / mp.npdf(z)
        return z if P < mp.mpf(0.5) else -z


def log1m_exp_ref(x):
    X = mp.mpf(x)
    if X > -1:
        return mp.log(-mp.expm1(X))
    return mp.log1p(-mp.exp(X))


def log_diff_exp_ref(a, b):
    A, B = mp.mpf(a), mp.mpf(b)
    return A + log1m_exp_ref(B - A)


# ---------------------------------------------------------------------------
# Argument sets
# ---------------------------------------------------------------------------

rng = random.Random(20240611)


def logu(lo, hi, k):
    return [10.0 ** rng.uniform(lo, hi) for _ in range(k)]


X0 = mp.findroot(mp.digamma, mp.mpf("1.46"))  # positive zero of digamma
X0_HI = float(X0)


def near_root():
    pts = [X0_HI]
    for k in (1, 2, 3, 10):
        pts.append(X0_HI + k * 2.0**-52)
        pts.append(X0_HI - k * 2.0**-52)
    for d in (1e-12, 1e-8, 1e-4, 1e-2, 0.1, 0.3):
        pts.append(X0_HI + d)
        pts.append(X0_HI - d)
    return pts


POS_X = ([1e-300, 1e-20, 1e-8, 1e-3, 0.1, 0.25, 0.5, 0.9, 1.0, 1.5, 2.0, 2.5, 3.0,
          5.0, 9.5, 9.999999999, 10.0, 10.000000001, 15.5, 20.0, 33.3, 100.0, 1e3,
          12345.678, 1e10, 1e15, 1e100, 1e300]
         + near_root() + logu(-8, 4, 40) + [rng.uniform(0.0, 30.0) for _ in range(30)])

NEG_X = ([-1e-8, -1e-3, -0.25, -0.5, -0.5040830082644554, -0.75, -0.999999,
          -1.000001, -1.5, -2.3, -3.7342018704621305, -10.3, -20.5, -100.7,
          -1000.25, -100000.25, -1e10 + 0.5, -71711005745850.97]
         + [-x for x in logu(-6, 2, 20)] + [-rng.uniform(0.0, 6.0) for _ in range(20)])
NEG_X = [x for x in NEG_X if x != math.floor(x)]


def digamma_cases():
    cases = []
    for x in POS_X:
        cases.append((x, polygamma_ref(0, x), 0.0))
    for x in NEG_X:
        cases.append((x, polygamma_ref(0, x), max(1.0, math.log1p(-x))))
    return cases


def trigamma_cases():
    out = []
    for x in POS_X + NEG_X:
        v = polygamma_ref(1, x)
        if 1e-300 < abs(float(v)) < 1e300:  # keep results in the normal range
            out.append((x, v, 0.0))
    return out


POLY_ORDERS = [0, 1, 2, 3, 4, 5, 6, 10, 16]


def polygamma_cases():
    pos = [1e-8, 1e-3, 0.1, 0.5, 1.0, X0_HI, 2.0, 3.5, 7.25, 10.0, 12.0, 19.0, 25.5, 40.0,
           100.0, 1e3, 1e5, 1e10, 1e15, 5.443728771103625e19, 1e150] + logu(-4, 3, 8)
    neg = [-1e-8, -1e-3, -0.25, -0.5, -0.75, -1.5, -2.3, -7.9, -20.5, -100.7, -1e5 - 0.25,
           -1e10 + 0.5] + [-rng.uniform(0.0, 12.0) for _ in range(8)]
    cases = []
    for n in POLY_ORDERS:
        for x in pos:
            v = polygamma_ref(n, x)
            if 1e-300 < abs(float(v)) < 1e300:  # keep results in the normal range
                cases.append((n, x, v, 0.0))
        for x in neg:
            v = polygamma_ref(n, x)
            if not (1e-300 < abs(float(v)) < 1e300):
                continue
            if n == 0:
                scale = max(1.0, math.log1p(-x))
            elif n % 2 == 0:
                scale = float(mp.factorial(n) * mp.zeta(n + 1))
            else:
                scale = 0.0
            cases.append((n, x, v, scale))
    return cases


def lgamma_cases():
    xs = ([1e-300, 1e-20, 1e-8, 1e-3, 0.1, 0.5, 0.9, 0.999, 1.0, 1.001, 1.0 + 2.0**-40, 1.5,
           1.999, 2.0, 2.0 + 1e-9, 2.5, 3.0, 7.5, 10.0, 20.0, 100.5, 1e3, 1e10, 1e15, 1e100,
           1e300, -1e-8, -0.5, -1.5, -2.5, -2.4570247382208006, -3.5, -10.25, -100.5,
           -170.5]
          + logu(-8, 5, 20) + [-rng.uniform(0.0, 20.0) for _ in range(10)])
    return [(x, lgamma_ref(x), 0.0) for x in xs if x != math.floor(x) or x > 0]


def lbeta_cases():
    pairs = [(1.0, 1.0), (0.5, 0.5), (1e-8, 1e-8), (1e-8, 2.5), (2.5, 1e-8), (1e10, 2.5),
             (2.5, 1e10), (1e10, 1e10), (1e10, 1e-8), (1e-300, 1e300), (1e300, 1e300),
             (1e15, 3.0), (5.0, 15.0), (9.99, 10.01), (10.0, 10.0), (9.5, 9.5), (0.3, 9.9),
             (0.3, 10.1), (100.0, 0.01), (1e5, 1e3), (1e6, 1e6 + 0.5), (0.25, 8.74),
             (12.5, 1e12), (3.0, 4.0), (30.0, 70.0)]
    for _ in range(30):
        pairs.append((10.0 ** rng.uniform(-6, 12), 10.0 ** rng.uniform(-6, 12)))
    for _ in range(20):
        pairs.append((rng.uniform(0.0, 20.0), rng.uniform(0.0, 20.0)))
    return [(a, b, lbeta_ref(a, b), 1.0) for a, b in pairs]


def lchoose_cases():
    pairs = [(10.0, 3.0), (50.0, 25.0), (1e10, 2.5), (1e10, 5e9), (1e10, 1.0), (50.5, 20.25),
             (1.0, 0.5), (1e-3, 5e-4), (3.5, 3.0), (1000.0, 999.5), (1e15, 7.0), (20.0, 10.0)]
    for _ in range(30):
        n = 10.0 ** rng.uniform(-2, 12)
        pairs.append((n, n * rng.random()))
    return [(n, k, lchoose_ref(n, k), 1.0) for n, k in pairs]


def phi_cases():
    xs = ([-37.5, -37.0, -30.0, -20.0, -10.0, -8.0, -5.0, -2.0, -1.0, -0.5, -1e-8, 0.0, 1e-8,
           0.5, 1.0, 2.0, 5.0, 8.0, 8.3, 10.0, 38.0]
          + [rng.uniform(-37.5, 9.0) for _ in range(30)])
    return [(x, mp.ncdf(mp.mpf(x)), 0.0) for x in xs]


def log_phi_cases():
    xs = ([-1e10, -1e5, -1000.0, -100.0, -40.0, -38.0, -37.5, -37.000000000000007, -37.0,
           -36.999999999999993, -30.0, -20.0, -10.0, -5.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 5.0,
           10.0, 20.0, 30.0, 37.0]
          + [rng.uniform(-60.0, 9.0) for _ in range(30)] + [-x for x in logu(1.8, 12, 10)])
    return [(x, log_phi_ref(x), 0.0) for x in xs]


def inv_phi_cases():
    ps = [1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5, 1e-3, 0.0249, 0.074999999,
          0.075, 0.075000001, 0.1, 0.3, 0.5 - 1e-10, 0.5 - 2.0**-54, 0.5, 0.5 + 2.0**-53,
          0.5 + 1e-10, 0.7, 0.924999999, 0.925, 0.925000001, 0.99, 1.0 - 1e-10, 1.0 - 1e-16,
          1.0 - 2.0**-52]
    ps += logu(-300, -1, 20) + [rng.random() for _ in range(20)] + [1.0 - x for x in logu(-15, -1, 10)]
    return [(p, inv_phi_ref(p), 0.0) for p in ps]


def inv_logit_cases():
    xs = ([-700.0, -100.0, -40.0, -20.0, -5.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 5.0, 20.0, 36.0,
           40.0, 700.0, 800.0]
          + [rng.uniform(-700.0, 40.0) for _ in range(20)])
    return [(x, 1 / (1 + mp.exp(-mp.mpf(x))), 0.0) for x in xs]


def log1p_exp_cases():
    xs = ([-700.0, -100.0, -40.0, -37.0, -20.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 20.0, 37.0,
           40.0, 700.0, 800.0, 1e10, 1e300]
          + [rng.uniform(-700.0, 700.0) for _ in range(15)] + [rng.uniform(-40.0, 40.0) for _ in range(15)])
    return [(x, mp.log1p(mp.exp(mp.mpf(x))), 0.0) for x in xs]


def log1m_exp_cases():
    xs = ([-1e-300, -1e-20, -1e-8, -0.1, -0.6931471805599453, -0.69314718055994529, -0.7,
           -1.0, -5.0, -20.0, -40.0, -100.0, -700.0]
          + [-x for x in logu(-12, 2.8, 20)])
    return [(x, log1m_exp_ref(x), 0.0) for x in xs]


def logit_cases():
    ps = ([1e-300, 1e-20, 1e-8, 0.001, 0.1, 0.25, 0.3, 0.5 - 1e-9, 0.5 - 2.0**-54, 0.5,
           0.5 + 2.0**-53, 0.5 + 1e-9, 0.7, 0.9, 0.999, 1.0 - 1e-10, 1.0 - 2.0**-53]
          + [rng.random() for _ in range(20)])
    out = []
    for p in ps:
        P = mp.mpf(p)
        out.append((p, mp.log(P / (1 - P)), 0.0))
    return out


def log_sum_exp_cases():
    pairs = [(0.0, 0.0), (1.0, 2.0), (-800.0, -800.0), (800.0, 800.0), (-800.0, 800.0),
             (1e300, 1.0), (-1e300, 0.0), (-0.28809393561989793, -1.3415990213958109),
             (-40.0, 0.0), (-745.0, -746.0), (1e-300, -1e-300)]
    pairs += [(rng.uniform(-800.0, 800.0), rng.uniform(-800.0, 800.0)) for _ in range(15)]
    pairs += [(rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0)) for _ in range(15)]
    return [(a, b, mp.log(mp.exp(mp.mpf(a)) + mp.exp(mp.mpf(b))), max(1.0, abs(a), abs(b)))
            for a, b in pairs]


def log_diff_exp_cases():
    pairs = [(1.0, 0.0), (0.0, -1e-10), (0.0, -40.0), (800.0, 799.0), (-745.0, -746.0),
             (1e-300, -1e-300), (2.0, 2.0 - 2.0**-51), (5.0, -1e300)]
    for _ in range(15):
        a, b = rng.uniform(-800.0, 800.0), rng.uniform(-800.0, 800.0)
        pairs.append((max(a, b), min(a, b)))
    for _ in range(15):
        a, b = rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0)
        pairs.append((max(a, b), min(a, b)))
    return [(a, b, log_diff_exp_ref(a, b), max(1.0, abs(a), abs(b))) for a, b in pairs if a > b]


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def emit1(name, cases, doc):
    lines = ["// %s" % doc, "inline constexpr Case1 %s[] = {" % name]
    for x, v, s in cases:
        lines.append("    {%s, %s, %s}," % (fmt(x), fmt(v), fmt(s)))
    lines.append("};")
    return "\n".join(lines)


def emit2(name, cases, doc):
    lines = ["// %s" % doc, "inline constexpr Case2 %s[] = {" % name]
    for x, y, v, s in cases:
        lines.append("    {%s, %s, %s, %s}," % (fmt(x), fmt(y), fmt(v), fmt(s)))
    lines.append("};")
    return "\n".join(lines)


def emitn(name, cases, doc):
    lines = ["// %s" % doc, "inline constexpr CaseN %s[] = {" % name]
    for n, x, v, s in cases:
        lines.append("    {%d, %s, %s, %s}," % (n, fmt(x), fmt(v), fmt(s)))
    lines.append("};")
    return "\n".join(lines)


HEADER = """\
// GENERATED FILE — do not edit by hand.
// Regenerate with: /usr/bin/python3 tests/autodiff/gen_special_functions.py
// (mpmath %s, 50+ significant digits; every argument is the exact double shown).
//
// Each case: arguments, expected value (correctly rounded, 17 significant
// digits) and `scale`, an absolute-error floor: the tests accept
//   |got - expected| <= tol * max(|expected|, scale).
// See gen_special_functions.py for the rule that sets scale.
#pragma once

namespace tapir::autodiff::test_vectors {

struct Case1 {
  double x;
  double expected;
  double scale;
};

struct Case2 {
  double x;
  double y;
  double expected;
  double scale;
};

struct CaseN {
  int n;
  double x;
  double expected;
  double scale;
};
"""


def write_vectors():
    parts = [HEADER % mp.__version__]
    parts.append(emit1("digamma_cases", digamma_cases(), "digamma(x)"))
    parts.append(emit1("trigamma_cases", trigamma_cases(), "trigamma(x)"))
    parts.append(emitn("polygamma_cases", polygamma_cases(), "polygamma(n, x)"))
    parts.append(emit1("lgamma_cases", lgamma_cases(), "lgamma(x) = log|Gamma(x)|"))
    parts.append(emit2("lbeta_cases", lbeta_cases(), "lbeta(a, b)"))
    parts.append(emit2("lchoose_cases", lchoose_cases(), "lchoose(n, k)"))
    parts.append(emit1("Phi_cases", phi_cases(), "Phi(x)"))
    parts.append(emit1("log_Phi_cases", log_phi_cases(), "log_Phi(x)"))
    parts.append(emit1("inv_Phi_cases", inv_phi_cases(), "inv_Phi(p)"))
    parts.append(emit1("inv_logit_cases", inv_logit_cases(), "inv_logit(x)"))
    parts.append(emit1("log1p_exp_cases", log1p_exp_cases(), "log1p_exp(x)"))
    parts.append(emit1("log1m_exp_cases", log1m_exp_cases(), "log1m_exp(x)"))
    parts.append(emit1("logit_cases", logit_cases(), "logit(p)"))
    parts.append(emit2("log_sum_exp_cases", log_sum_exp_cases(), "log_sum_exp(a, b)"))
    parts.append(emit2("log_diff_exp_cases", log_diff_exp_cases(), "log_diff_exp(a, b)"))
    parts.append("}  // namespace tapir::autodiff::test_vectors\n")
    with open(OUT, "w") as f:
        f.write("\n\n".join(parts))
    print("wrote", OUT)


def print_coefficients():
    """Digamma Taylor coefficients c_j = psi^(j)(x0 + 2) / j!, j = 21..1."""
    a = X0 + 2
    print("// x0 = %s" % mp.nstr(X0, 40))
    print("// kX0Hi = %r, kX0Lo = %r, x0 + 1 = %r"
          % (float(X0), float(X0 - mp.mpf(float(X0))), float(X0 + 1)))
    for j in range(21, 0, -1):
        c = mp.polygamma(j, a) / mp.factorial(j)
        print("    %s,  // j = %d" % (mp.nstr(c, 21, min_fixed=0, max_fixed=0), j))


if __name__ == "__main__":
    if "--coefficients" in sys.argv[1:]:
        print_coefficients()
    else:
        write_vectors()
