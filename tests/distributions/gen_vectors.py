#!/usr/bin/python3
"""Generate tests/distributions/vectors.hpp: reference log densities, log mass functions and log
CDFs for the tests of distributions/.

Each value is SciPy's (scipy.stats logpdf / logpmf / logcdf / logsf), checked against the same
density evaluated with mpmath at 50 significant digits from the exact double inputs. SciPy is
kept when the two agree to 4 ulps; otherwise (SciPy's own rounding, e.g. where a parameter has
to be transformed to SciPy's parameterization first, like scale = 1 / rate or p = inv_logit(alpha))
the mpmath value is written and the case is counted in the header's comment. Every value is
printed with 17 significant digits.

Each case also carries `scale`: the sum of the magnitudes of the terms of the log density (0 for
the log CDFs, which are checked relative to their value). The tests accept
|got - expected| <= tol * max(|expected|, scale): where terms of size `scale` cancel to a result
near zero, relative accuracy of the result is not attainable in double arithmetic.

Usage: /usr/bin/python3 tests/distributions/gen_vectors.py   (writes the header next to it)
Only needed to regenerate the committed vectors; not a build dependency.
"""

import math
import os
import random

import mpmath as mp
import numpy as np
from scipy import special, stats

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors.hpp")
WIDTH = 6  # doubles per case

M = mp.mpf
PI = mp.pi


def fmt(v):
    f = float(v)
    if math.isnan(f):
        raise ValueError("NaN reference")
    if math.isinf(f):
        return "-inf" if f < 0 else "inf"
    s = "%.17g" % f
    if "e" not in s and "." not in s:
        s += ".0"
    return s


# ---- mpmath references: each returns a list of terms (value = sum) -------------------------

def mp_normal(y, mu, s):
    z = (M(y) - M(mu)) / M(s)
    return [-z * z / 2, -mp.log(M(s)), -mp.log(2 * PI) / 2]


def mp_log_Phi(z):
    # log1p(-Phi(-z)) in the upper tail, where Phi(z) rounds to 1 at any fixed precision
    return mp.log1p(-mp.ncdf(-z)) if z > 0 else mp.log(mp.ncdf(z))


def mp_normal_lcdf(y, mu, s):
    return [mp_log_Phi((M(y) - M(mu)) / M(s))]


def mp_normal_lccdf(y, mu, s):
    return [mp_log_Phi(-(M(y) - M(mu)) / M(s))]


def mp_half_normal(y, s):
    return [mp.log(2)] + mp_normal(y, 0.0, s)


def mp_lognormal(y, mu, s):
    u = mp.log(M(y))
    z = (u - M(mu)) / M(s)
    return [-z * z / 2, -mp.log(M(s)), -u, -mp.log(2 * PI) / 2]


def mp_cauchy(y, mu, s):
    z = (M(y) - M(mu)) / M(s)
    return [-mp.log(PI), -mp.log(M(s)), -mp.log1p(z * z)]


def mp_half_cauchy(y, s):
    return [mp.log(2)] + mp_cauchy(y, 0.0, s)


def mp_student_t(y, nu, mu, s):
    nu = M(nu)
    z = (M(y) - M(mu)) / M(s)
    return [mp.loggamma((nu + 1) / 2), -mp.loggamma(nu / 2), -mp.log(nu * PI) / 2, -mp.log(M(s)),
            -(nu + 1) / 2 * mp.log1p(z * z / nu)]


def mp_laplace(y, mu, s):
    return [-mp.log(2), -mp.log(M(s)), -abs(M(y) - M(mu)) / M(s)]


def mp_logistic(y, mu, s):
    z = (M(y) - M(mu)) / M(s)
    return [-z, -2 * mp.log1p(mp.exp(-z)), -mp.log(M(s))]


def mp_logistic_lcdf(y, mu, s):
    z = (M(y) - M(mu)) / M(s)
    return [-mp.log1p(mp.exp(-z))]


def mp_exponential(y, b):
    return [mp.log(M(b)), -M(b) * M(y)]


def mp_exponential_lcdf(y, b):
    return [mp.log(-mp.expm1(-M(b) * M(y)))]


def mp_gamma(y, a, b):
    a, b, y = M(a), M(b), M(y)
    t = [a * mp.log(b), -mp.loggamma(a), -b * y]
    if a != 1:
        t.append((a - 1) * mp.log(y))
    return t


def mp_inv_gamma(y, a, b):
    a, b, y = M(a), M(b), M(y)
    return [a * mp.log(b), -mp.loggamma(a), -(a + 1) * mp.log(y), -b / y]


def mp_beta(y, a, b):
    a, b, y = M(a), M(b), M(y)
    t = [-(mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b))]
    if a != 1:
        t.append((a - 1) * mp.log(y))
    if b != 1:
        t.append((b - 1) * mp.log1p(-y))
    return t


def mp_uniform(y, a, b):
    return [-mp.log(M(b) - M(a))]


def mp_weibull(y, a, s):
    a, s, y = M(a), M(s), M(y)
    t = [mp.log(a), -a * mp.log(s), -(y / s) ** a]
    if a != 1:
        t.append((a - 1) * mp.log(y))
    return t


def mp_bernoulli(n, p):
    return [mp.log(M(p)) if n == 1 else mp.log1p(-M(p))]


def mp_log_inv_logit(a):
    return -mp.log1p(mp.exp(-a))


def mp_bernoulli_logit(n, a):
    a = M(a)
    return [mp_log_inv_logit(a if n == 1 else -a)]


def mp_lchoose(nn, k):
    return mp.loggamma(nn + 1) - mp.loggamma(k + 1) - mp.loggamma(nn - k + 1)


def mp_binomial(n, N, p):
    p = M(p)
    t = [mp_lchoose(M(N), M(n))]
    if n:
        t.append(n * mp.log(p))
    if N - n:
        t.append((N - n) * mp.log1p(-p))
    return t


def mp_binomial_logit(n, N, a):
    a = M(a)
    t = [mp_lchoose(M(N), M(n))]
    if n:
        t.append(n * mp_log_inv_logit(a))
    if N - n:
        t.append((N - n) * mp_log_inv_logit(-a))
    return t


def mp_poisson(n, lam):
    t = [-M(lam), -mp.loggamma(n + 1)]
    if n:
        t.append(n * mp.log(M(lam)))
    return t


def mp_poisson_log(n, a):
    a = M(a)
    return [n * a, -mp.exp(a), -mp.loggamma(n + 1)]


def mp_nb2(n, mu, phi):
    mu, phi = M(mu), M(phi)
    t = [mp.loggamma(n + phi), -mp.loggamma(phi), -mp.loggamma(n + 1), phi * mp.log(phi / (mu + phi))]
    if n:
        t.append(n * mp.log(mu / (mu + phi)))
    return t


def mp_nb2_log(n, eta, phi):
    return mp_nb2(n, mp.exp(M(eta)), phi)


def mp_categorical(k, *beta):
    b = [M(x) for x in beta]
    lse = mp.log(mp.fsum(mp.exp(x) for x in b))
    return [b[int(k)], -lse]


# ---- SciPy -----------------------------------------------------------------------------------

def sp_inv_logit(a):
    return special.expit(a)


SCIPY = {
    "normal_lpdf": lambda y, mu, s: stats.norm.logpdf(y, mu, s),
    "normal_lcdf": lambda y, mu, s: stats.norm.logcdf(y, mu, s),
    "normal_lccdf": lambda y, mu, s: stats.norm.logsf(y, mu, s),
    "half_normal_lpdf": lambda y, s: stats.halfnorm.logpdf(y, scale=s),
    "lognormal_lpdf": lambda y, mu, s: stats.lognorm.logpdf(y, s, scale=math.exp(mu)),
    "cauchy_lpdf": lambda y, mu, s: stats.cauchy.logpdf(y, mu, s),
    "half_cauchy_lpdf": lambda y, s: stats.halfcauchy.logpdf(y, scale=s),
    "student_t_lpdf": lambda y, nu, mu, s: stats.t.logpdf(y, nu, mu, s),
    "laplace_lpdf": lambda y, mu, s: stats.laplace.logpdf(y, mu, s),
    "logistic_lpdf": lambda y, mu, s: stats.logistic.logpdf(y, mu, s),
    "logistic_lcdf": lambda y, mu, s: stats.logistic.logcdf(y, mu, s),
    "exponential_lpdf": lambda y, b: stats.expon.logpdf(y, scale=1.0 / b),
    "exponential_lcdf": lambda y, b: stats.expon.logcdf(y, scale=1.0 / b),
    "gamma_lpdf": lambda y, a, b: stats.gamma.logpdf(y, a, scale=1.0 / b),
    "inv_gamma_lpdf": lambda y, a, b: stats.invgamma.logpdf(y, a, scale=b),
    "beta_lpdf": lambda y, a, b: stats.beta.logpdf(y, a, b),
    "uniform_lpdf": lambda y, a, b: stats.uniform.logpdf(y, a, b - a),
    "weibull_lpdf": lambda y, a, s: stats.weibull_min.logpdf(y, a, scale=s),
    "bernoulli_lpmf": lambda n, p: stats.bernoulli.logpmf(int(n), p),
    "bernoulli_logit_lpmf": lambda n, a: stats.bernoulli.logpmf(int(n), sp_inv_logit(a)),
    "binomial_lpmf": lambda n, N, p: stats.binom.logpmf(int(n), int(N), p),
    "binomial_logit_lpmf": lambda n, N, a: stats.binom.logpmf(int(n), int(N), sp_inv_logit(a)),
    "poisson_lpmf": lambda n, lam: stats.poisson.logpmf(int(n), lam),
    "poisson_log_lpmf": lambda n, a: stats.poisson.logpmf(int(n), math.exp(a)),
    "neg_binomial_2_lpmf": lambda n, mu, phi: stats.nbinom.logpmf(int(n), phi, phi / (mu + phi)),
    "neg_binomial_2_log_lpmf": lambda n, eta, phi: stats.nbinom.logpmf(int(n), phi, phi / (math.exp(eta) + phi)),
    "categorical_logit_lpmf": lambda k, *beta: special.log_softmax(np.array(beta))[int(k)],
}

MPMATH = {
    "normal_lpdf": mp_normal,
    "normal_lcdf": mp_normal_lcdf,
    "normal_lccdf": mp_normal_lccdf,
    "half_normal_lpdf": mp_half_normal,
    "lognormal_lpdf": mp_lognormal,
    "cauchy_lpdf": mp_cauchy,
    "half_cauchy_lpdf": mp_half_cauchy,
    "student_t_lpdf": mp_student_t,
    "laplace_lpdf": mp_laplace,
    "logistic_lpdf": mp_logistic,
    "logistic_lcdf": mp_logistic_lcdf,
    "exponential_lpdf": mp_exponential,
    "exponential_lcdf": mp_exponential_lcdf,
    "gamma_lpdf": mp_gamma,
    "inv_gamma_lpdf": mp_inv_gamma,
    "beta_lpdf": mp_beta,
    "uniform_lpdf": mp_uniform,
    "weibull_lpdf": mp_weibull,
    "bernoulli_lpmf": mp_bernoulli,
    "bernoulli_logit_lpmf": mp_bernoulli_logit,
    "binomial_lpmf": mp_binomial,
    "binomial_logit_lpmf": mp_binomial_logit,
    "poisson_lpmf": mp_poisson,
    "poisson_log_lpmf": mp_poisson_log,
    "neg_binomial_2_lpmf": mp_nb2,
    "neg_binomial_2_log_lpmf": mp_nb2_log,
    "categorical_logit_lpmf": mp_categorical,
}

# Log CDFs are checked relative to their value (scale 0): no cancelling terms.
CDFS = {"normal_lcdf", "normal_lccdf", "logistic_lcdf", "exponential_lcdf"}

# ---- cases -----------------------------------------------------------------------------------

rng = random.Random(20240607)


def grid(k, *lists):
    """k pseudo-random combinations of the value lists, plus the first element of each."""
    out = [tuple(l[0] for l in lists)]
    for _ in range(k):
        out.append(tuple(rng.choice(l) for l in lists))
    return out


REAL = [0.3, -1.7, 0.0, 2.5, -12.25, 7.0, 1e-3, 150.0, -1e4, 1e6]
LOC = [0.0, -1.5, 0.75, 3.0, 1e3, -250.0]
SCALE = [1.0, 0.5, 2.3, 1e-3, 17.0, 1e4, 1e-8]
POS = [0.3, 1.0, 2.5, 1e-3, 7.5, 42.0, 1e-8, 1e3]
SHAPE = [0.5, 1.0, 2.5, 1e-3, 7.0, 30.0, 1e4, 0.05]
RATE = [1.0, 0.2, 3.5, 1e-4, 60.0, 1e3]
UNIT = [0.5, 0.1, 0.9, 1e-6, 1 - 1e-6, 0.33, 0.999]
COUNTS = [0, 1, 3, 10, 57, 400, 5000]

CASES = {}
CASES["normal_lpdf"] = grid(40, REAL, LOC, SCALE) + [(1e150, -1e150, 1e140, None), (1e-300, 0.0, 1e-300, None)]
CASES["normal_lcdf"] = grid(30, REAL, LOC, SCALE) + [
    (-40.0, 0.0, 1.0, None), (-1e3, 0.0, 1.0, None), (-38.5, 1.0, 1.0, None), (-5.0, 0.0, 1.0, None),
    (0.0, 0.0, 1.0, None), (8.0, 0.0, 1.0, None), (30.0, 0.0, 1.0, None), (-1e5, 0.0, 1.0, None)]
CASES["normal_lccdf"] = grid(30, REAL, LOC, SCALE) + [
    (40.0, 0.0, 1.0, None), (1e3, 0.0, 1.0, None), (5.0, 0.0, 1.0, None), (-8.0, 0.0, 1.0, None),
    (-30.0, 0.0, 1.0, None), (0.0, 0.0, 1.0, None)]
CASES["half_normal_lpdf"] = grid(20, [0.3, 0.0, 2.5, 1e-3, 150.0, 1e6, 7.0], SCALE)
CASES["lognormal_lpdf"] = grid(30, POS, [0.0, -1.5, 0.75, 3.0, 20.0, -30.0], SCALE[:6])
CASES["cauchy_lpdf"] = grid(30, REAL, LOC, SCALE) + [(1e200, 0.0, 1.0, None)]
CASES["half_cauchy_lpdf"] = grid(20, [0.3, 0.0, 2.5, 1e-3, 150.0, 1e6, 7.0], SCALE)
CASES["student_t_lpdf"] = grid(40, REAL, [1.0, 2.5, 0.3, 7.0, 30.0, 1e3, 1e8, 0.05], LOC, SCALE)
CASES["laplace_lpdf"] = grid(30, REAL, LOC, SCALE)
CASES["logistic_lpdf"] = grid(30, REAL, LOC, SCALE)
CASES["logistic_lcdf"] = grid(30, REAL, LOC, SCALE) + [(-800.0, 0.0, 1.0, None), (40.0, 0.0, 1.0, None)]
CASES["exponential_lpdf"] = grid(25, [0.0] + POS, RATE)
CASES["exponential_lcdf"] = grid(25, POS, RATE) + [(1e-300, 1.0, None, None), (800.0, 1.0, None, None)]
CASES["gamma_lpdf"] = grid(40, POS, SHAPE, RATE) + [(0.0, 1.0, 2.0, None), (0.0, 3.0, 2.0, None)]
CASES["inv_gamma_lpdf"] = grid(40, POS, SHAPE, [1.0, 0.2, 3.5, 1e-4, 60.0, 1e3])
CASES["beta_lpdf"] = grid(40, UNIT, SHAPE, SHAPE) + [(0.0, 1.0, 2.0, None), (1.0, 3.0, 1.0, None), (0.0, 2.5, 3.0, None)]
CASES["uniform_lpdf"] = [(0.3, 0.0, 1.0), (-2.0, -3.5, 7.25), (5.0, 5.0, 6.0), (6.0, 5.0, 6.0),
                         (1e-5, -1e-4, 1e-4), (0.5, -1e6, 1e6), (3.0, 2.9999, 3.0001)]
CASES["weibull_lpdf"] = grid(40, POS, [0.5, 1.0, 2.5, 7.0, 0.05, 30.0], [1.0, 0.2, 3.5, 1e-3, 60.0, 1e3]) + [
    (0.0, 1.0, 2.0, None), (0.0, 3.0, 2.0, None)]
CASES["bernoulli_lpmf"] = [(n, p) for n in (0, 1) for p in UNIT + [0.0, 1.0]]
CASES["bernoulli_logit_lpmf"] = [(n, a) for n in (0, 1) for a in [0.0, 0.3, -2.5, 15.0, -40.0, 800.0, -800.0, 1e-10]]
CASES["binomial_lpmf"] = ([(n, N, p) for (n, N) in [(0, 0), (0, 5), (3, 5), (5, 5), (17, 40), (250, 1000), (1, 100000)]
                           for p in [0.5, 0.1, 0.97, 1e-6]] + [(0, 5, 0.0), (5, 5, 1.0)])
CASES["binomial_logit_lpmf"] = [(n, N, a) for (n, N) in [(0, 0), (0, 5), (3, 5), (5, 5), (17, 40), (250, 1000)]
                                for a in [0.0, 1.3, -2.5, 25.0, -40.0]]
CASES["poisson_lpmf"] = [(n, lam) for n in COUNTS for lam in [0.5, 3.0, 1e-4, 60.0, 1e4]] + [(0, 0.0)]
CASES["poisson_log_lpmf"] = [(n, a) for n in COUNTS for a in [0.0, 1.5, -7.0, 6.0, 12.0]]
CASES["neg_binomial_2_lpmf"] = grid(45, COUNTS, [0.5, 3.0, 1e-3, 60.0, 1e4], [0.1, 1.0, 4.5, 100.0, 1e6, 1e-3])
CASES["neg_binomial_2_log_lpmf"] = grid(40, COUNTS, [0.0, 1.5, -7.0, 4.0, 9.0, -0.5], [0.1, 1.0, 4.5, 100.0, 1e6, 1e-3])
CASES["categorical_logit_lpmf"] = [
    (0, 0.0, 0.0, 0.0, 0.0, 0.0), (2, 0.3, -1.2, 2.5, 0.0, 4.0), (4, 0.3, -1.2, 2.5, 0.0, 4.0),
    (1, 100.0, -100.0, 3.0, 2.0, 1.0), (0, 700.0, 1.0, 0.5, -2.0, 3.0), (3, -30.0, -31.0, -29.0, -30.5, -28.0)]


def clean(case):
    return tuple(x for x in case if x is not None)


def main():
    lines = []
    notes = []
    total = 0
    for name in SCIPY:
        sp, mpf = SCIPY[name], MPMATH[name]
        rows = []
        replaced = 0
        worst = 0.0
        for raw in CASES[name]:
            case = clean(raw)
            terms = mpf(*case)
            exact = mp.fsum(terms)
            scale = 0.0 if name in CDFS else float(mp.fsum(abs(t) for t in terms))
            with np.errstate(all="ignore"):
                s = float(sp(*case))
            e = float(exact)
            if math.isinf(e) or (abs(s - e) <= 4 * 2.0 ** -52 * abs(e)):
                value = s if not math.isnan(s) else e
            else:
                value = e
                replaced += 1
                worst = max(worst, abs(s - e) / max(abs(e), scale, 1e-300) if not math.isnan(s) else math.inf)
            xs = list(case) + [0.0] * (WIDTH - len(case))
            rows.append("    {{%s}, %s, %s}," % (", ".join(fmt(x) for x in xs), fmt(value), fmt(scale)))
        total += len(rows)
        notes.append("//   %-26s %3d cases, %2d from mpmath%s" % (
            name, len(rows), replaced, " (SciPy off by up to %.1e)" % worst if replaced else ""))
        lines.append("inline constexpr Case %s[] = {\n%s\n};\n" % (name, "\n".join(rows)))
    with open(OUT, "w") as f:
        f.write("#pragma once\n")
        f.write("// Generated by tests/distributions/gen_vectors.py: do not edit.\n")
        f.write("// Reference values from SciPy %s (mpmath %s at 50 digits where SciPy is off by more\n"
                "// than 4 ulps); %d cases:\n" % (__import__("scipy").__version__, mp.__version__, total))
        f.write("\n".join(notes) + "\n")
        f.write("// x: the arguments in the function's order (integers stored exactly), then zeros.\n")
        f.write("#include <limits>\n\nnamespace tapir_test_vectors {\n\n")
        f.write("inline constexpr double inf = std::numeric_limits<double>::infinity();\n\n")
        f.write("struct Case {\n  double x[%d];\n  double expected;\n  double scale;\n};\n\n" % WIDTH)
        f.write("\n".join(lines))
        f.write("\n}  // namespace tapir_test_vectors\n")
    print("wrote %s (%d cases)" % (OUT, total))
    print("\n".join(notes))


if __name__ == "__main__":
    main()
