#!/usr/bin/python3
"""Generate tests/distributions/multivariate_vectors.hpp: reference values for the multivariate
densities, mixtures and KL divergences of distributions/ (dirichlet.hpp, multi_normal.hpp,
lkj_corr_cholesky.hpp, mixture.hpp, kl_divergence.hpp).

Every reference is computed with mpmath at 50 significant digits from the exact double inputs
written to the header. Where SciPy has the function (scipy.stats.dirichlet.logpdf,
scipy.stats.multivariate_normal.logpdf, scipy.special.logsumexp with scipy.stats.norm.logpdf for
mixtures) SciPy's value is computed too and must agree with mpmath (the script stops otherwise, at
1e-10 relative to the sum of the magnitudes of the terms); SciPy's value is written when the two
agree to 4 ulps, else mpmath's, and the header's comment counts both. Every value is printed with
17 significant digits.

LKJ has no SciPy function: its normalizing constant is computed in the paper's original form
(Lewandowski, Kurowicka and Joe 2009, the product over k of [2^(2 eta - 2 + K - k) B(b_k, b_k)]^(K-k),
b_k = eta + (K - k - 1) / 2), not in the lbeta(1/2, .) form the library uses, and checked here
against direct numerical integration (mpmath.quad) for K = 2 and K = 3.

Each density case carries `scale`: the sum of the magnitudes of the terms of the log density. The
tests accept |got - expected| <= tol * max(|expected|, scale): where terms of size `scale` cancel to
a result near zero, relative accuracy of the result is not attainable in double arithmetic.

Usage: /usr/bin/python3 tests/distributions/gen_multivariate_vectors.py   (writes the header next to
it). Only needed to regenerate the committed vectors; not a build dependency.
"""

import math
import os
import random

import mpmath as mp
import numpy as np
import scipy
from scipy import special, stats

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "multivariate_vectors.hpp")
M = mp.mpf
ULP4 = 4 * 2.0 ** -52

rng = random.Random(20240611)
counts = {}


def fmt(v):
    f = float(v)
    if math.isnan(f):
        raise ValueError("NaN reference")
    if math.isinf(f):
        return "-inf" if f < 0 else "inf"
    s = "%.17g" % f
    if "e" not in s and "." not in s and "n" not in s:
        s += ".0"
    return s


def vec(xs):
    return "{" + ", ".join(fmt(x) for x in xs) + "}"


def pick(name, exact, terms, scipy_value=None):
    """The value to write: SciPy's when within 4 ulps of mpmath, else mpmath's."""
    e = float(exact)
    scale = float(sum(abs(t) for t in terms))
    c = counts.setdefault(name, [0, 0, 0.0])
    c[0] += 1
    if scipy_value is None:
        c[1] += 1
        return e, scale
    s = float(scipy_value)
    err = abs(s - e) / max(abs(e), scale, 1e-300)
    if err > 1e-10:
        raise AssertionError("%s: SciPy %r vs mpmath %r" % (name, s, e))
    if abs(s - e) <= ULP4 * abs(e):
        return s, scale
    c[1] += 1
    c[2] = max(c[2], abs(s - e) / abs(e))
    return e, scale


# ---- linear algebra in mpmath ----------------------------------------------------------------

def mp_mat(flat, k):
    return mp.matrix([[M(flat[i * k + j]) for j in range(k)] for i in range(k)])


def mp_chol(a):
    return mp.cholesky(a)


def mp_forward(l, b):
    k = l.rows
    z = [M(0)] * k
    for i in range(k):
        s = b[i]
        for j in range(i):
            s -= l[i, j] * z[j]
        z[i] = s / l[i, i]
    return z


def random_lower(k, diag_lo=0.3, diag_hi=2.0, off=1.0):
    return [rng.uniform(diag_lo, diag_hi) if i == j else (rng.uniform(-off, off) if j < i else 0.0)
            for i in range(k) for j in range(k)]


def random_spd(k):
    """A symmetric positive definite double matrix (exactly symmetric)."""
    a = np.array([[rng.gauss(0, 1) for _ in range(k)] for _ in range(k)])
    s = a @ a.T + 0.5 * np.eye(k) * rng.uniform(0.2, 2.0)
    s = 0.5 * (s + s.T)
    return [float(s[i, j]) for i in range(k) for j in range(k)]


# ---- Dirichlet -------------------------------------------------------------------------------

def random_simplex(k, tiny=False):
    w = [rng.expovariate(1.0) for _ in range(k)]
    if tiny and k > 1:
        w[rng.randrange(k)] *= 1e-10
    t = sum(w)
    th = [x / t for x in w]
    # make the sum as close to 1 as doubles allow: put the rounding on the largest entry
    i = max(range(k), key=lambda j: th[j])
    th[i] = 1.0 - (math.fsum(th) - th[i])
    return th


def dirichlet_cases():
    out = []
    shapes = [(2, 0.5), (2, 3.0), (3, 1.0), (3, 0.2), (4, 5.0), (5, 0.9), (5, 30.0), (8, 2.0), (10, 0.1),
              (10, 100.0), (3, 1e-3), (6, 1e3)]
    for k, a0 in shapes:
        for rep in range(3):
            alpha = [a0 * rng.uniform(0.3, 3.0) for _ in range(k)]
            if rep == 2:
                alpha[0] = 1.0  # a term (alpha - 1) log theta that vanishes
            theta = random_simplex(k, tiny=(rep == 1))
            A = sum(M(a) for a in alpha)
            terms = [mp.loggamma(A)] + [-mp.loggamma(M(a)) for a in alpha] + \
                    [(M(a) - 1) * mp.log(M(t)) for a, t in zip(alpha, theta)]
            exact = sum(terms)
            sv = stats.dirichlet.logpdf(np.array(theta), np.array(alpha))
            v, scale = pick("dirichlet_lpdf", exact, terms, sv)
            out.append((theta, alpha, v, scale))
    return out


# ---- multivariate normal ---------------------------------------------------------------------

def mvn_terms_chol(y_rows, mu, l):
    """Terms of sum_n log N(y_n | mu, L L^T), L an mp lower-triangular matrix."""
    k = l.rows
    n = len(y_rows)
    logdet = sum(mp.log(l[i, i]) for i in range(k))
    quad = M(0)
    for y in y_rows:
        z = mp_forward(l, [M(y[i]) - M(mu[i]) for i in range(k)])
        quad += sum(zi * zi for zi in z)
    return [-n * k * mp.log(2 * mp.pi) / 2, -n * logdet, -quad / 2]


def mvn_cases():
    out = []
    for k, n in [(1, 1), (1, 3), (2, 1), (2, 4), (3, 1), (3, 5), (4, 2), (5, 3), (6, 1), (8, 4)]:
        mu = [rng.uniform(-2, 2) for _ in range(k)]
        y = [[mu[i] + rng.gauss(0, 1.5) for i in range(k)] for _ in range(n)]
        # Cholesky form: L given, Sigma = L L^T exactly (in mpmath)
        lflat = random_lower(k)
        l = mp_mat(lflat, k)
        terms = mvn_terms_chol(y, mu, l)
        ln = np.array(lflat).reshape(k, k)
        sv = sum(stats.multivariate_normal.logpdf(np.array(yy), np.array(mu), ln @ ln.T) for yy in y)
        lp_chol, sc_chol = pick("multi_normal_cholesky_lpdf", sum(terms), terms, sv)
        # covariance form
        sflat = random_spd(k)
        terms = mvn_terms_chol(y, mu, mp_chol(mp_mat(sflat, k)))
        sv = sum(stats.multivariate_normal.logpdf(np.array(yy), np.array(mu), np.array(sflat).reshape(k, k))
                 for yy in y)
        lp_cov, sc_cov = pick("multi_normal_lpdf", sum(terms), terms, sv)
        # precision form: Sigma = Omega^{-1} exactly (in mpmath)
        oflat = random_spd(k)
        om = mp_mat(oflat, k)
        lo = mp_chol(om)
        logdet = 2 * sum(mp.log(lo[i, i]) for i in range(k))
        quad = M(0)
        for yy in y:
            r = mp.matrix([M(yy[i]) - M(mu[i]) for i in range(k)])
            quad += (r.T * om * r)[0, 0]
        terms = [-n * k * mp.log(2 * mp.pi) / 2, n * logdet / 2, -quad / 2]
        sv = sum(stats.multivariate_normal.logpdf(np.array(yy), np.array(mu),
                                                  np.linalg.inv(np.array(oflat).reshape(k, k))) for yy in y)
        lp_prec, sc_prec = pick("multi_normal_prec_lpdf", sum(terms), terms, sv)
        out.append((k, n, [v for row in y for v in row], mu, lflat, sflat, oflat, lp_chol, sc_chol, lp_cov, sc_cov,
                    lp_prec, sc_prec))
    return out


# ---- LKJ -------------------------------------------------------------------------------------

def lkj_log_c_paper(k, eta):
    """log of the LKJ normalizing constant in the paper's original form."""
    eta = M(eta)
    s = M(0)
    for kk in range(1, k):
        b = eta + M(k - kk - 1) / 2
        s += (k - kk) * ((2 * eta - 2 + k - kk) * mp.log(2) + mp.log(mp.beta(b, b)))
    return s


def check_lkj_quadrature():
    """c_K by direct integration over the strictly lower entries of L, K = 2 and 3."""
    for eta in [M("0.5"), M(1), M("2.5"), M(7)]:
        c2 = mp.quad(lambda r: (1 - r * r) ** (eta - 1), [-1, 1])
        assert abs(mp.log(c2) - lkj_log_c_paper(2, eta)) < M(10) ** -20, eta
        # K = 3: density L22^(2 eta - 1) L33^(2 eta - 2) on (L21, L31, L32) with L21^2 < 1 and
        # L31^2 + L32^2 < 1; the disk in polar coordinates.
        first = mp.quad(lambda x: (1 - x * x) ** ((2 * eta - 1) / 2), [-1, 1])
        disk = 2 * mp.pi * mp.quad(lambda rho: (1 - rho * rho) ** (eta - 1) * rho, [0, 1])
        assert abs(mp.log(first * disk) - lkj_log_c_paper(3, eta)) < M(10) ** -20, eta


def random_corr_cholesky(k):
    """A Cholesky factor of a correlation matrix from random canonical partial correlations."""
    l = [[0.0] * k for _ in range(k)]
    l[0][0] = 1.0
    for i in range(1, k):
        rem = 1.0
        for j in range(i):
            z = math.tanh(rng.gauss(0, 0.8))
            l[i][j] = z * math.sqrt(rem)
            rem -= l[i][j] ** 2
        l[i][i] = math.sqrt(max(rem, 0.0))
        # renormalize the row in double so that its norm is 1 to rounding
        nrm = math.sqrt(math.fsum(x * x for x in l[i][: i + 1]))
        for j in range(i + 1):
            l[i][j] /= nrm
    return [l[i][j] for i in range(k) for j in range(k)]


def lkj_cases():
    out = []
    for k in [1, 2, 3, 4, 5, 7, 10, 15]:
        for eta in [0.1, 0.5, 1.0, 1.7, 4.0, 25.0, 1000.0]:
            lflat = random_corr_cholesky(k)
            logc = lkj_log_c_paper(k, eta)
            terms = [-logc] + [(k - kk + 2 * M(eta) - 2) * mp.log(M(lflat[(kk - 1) * k + kk - 1]))
                               for kk in range(2, k + 1)]
            v, scale = pick("lkj_corr_cholesky_lpdf", sum(terms), terms)
            out.append((k, eta, lflat, float(logc), v, scale))
    return out


# ---- mixtures --------------------------------------------------------------------------------

def log_mix_cases():
    out = []
    for k in [1, 2, 3, 5, 8]:
        for rep in range(3):
            theta = random_simplex(k)
            lam = [rng.uniform(-30, 5) if rep < 2 else rng.uniform(-800, -700) for _ in range(k)]
            exact = mp.log(sum(M(t) * mp.exp(M(l)) for t, l in zip(theta, lam)))
            sv = special.logsumexp(np.array(lam), b=np.array(theta))
            v, scale = pick("log_mix", exact, [exact], sv)
            out.append((theta, lam, v))
    return out


def normal_mixture_cases():
    out = []
    for k, n in [(1, 3), (2, 1), (2, 6), (3, 4), (5, 10)]:
        theta = random_simplex(k)
        mu = [rng.uniform(-3, 3) for _ in range(k)]
        sigma = [rng.uniform(0.2, 3.0) for _ in range(k)]
        y = [rng.uniform(-5, 5) for _ in range(n)]
        terms = []
        for yy in y:
            dens = [M(t) * mp.npdf(M(yy), M(m), M(s)) for t, m, s in zip(theta, mu, sigma)]
            terms.append(mp.log(sum(dens)))
        sv = sum(special.logsumexp(stats.norm.logpdf(yy, np.array(mu), np.array(sigma)), b=np.array(theta))
                 for yy in y)
        v, scale = pick("normal_mixture_lpdf", sum(terms), terms, sv)
        out.append((y, theta, mu, sigma, v, scale))
    return out


# ---- KL divergences --------------------------------------------------------------------------

def kl_normal_cases():
    out = []
    base = [(0.0, 1.0, 0.0, 1.0), (0.1, 1.2, -0.3, 0.9), (3.0, 0.01, -2.0, 5.0), (0.0, 1.0, 0.0, 1.0 + 1e-7),
            (1e3, 2.0, 1e3 + 1e-6, 2.0), (0.5, 1.0 + 2.0 ** -20, 0.5, 1.0), (-4.0, 50.0, 2.0, 0.5),
            (0.0, 1.0, 0.0, 1.1), (0.0, 1.0, 0.0, 0.85), (2.0, 3.0, 2.0, 3.0 * (1 - 1e-3))]
    for _ in range(15):
        base.append((rng.uniform(-5, 5), math.exp(rng.uniform(-3, 3)), rng.uniform(-5, 5),
                     math.exp(rng.uniform(-3, 3))))
    for m1, s1, m2, s2 in base:
        m1, s1, m2, s2 = M(m1), M(s1), M(m2), M(s2)
        exact = mp.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - M(1) / 2
        counts.setdefault("kl_divergence_normal", [0, 0, 0.0])
        counts["kl_divergence_normal"][0] += 1
        counts["kl_divergence_normal"][1] += 1
        out.append((float(m1), float(s1), float(m2), float(s2), float(exact)))
    return out


def kl_mvn_cases():
    out = []
    for k in [1, 2, 3, 4, 6]:
        for rep in range(2):
            mu1 = [rng.uniform(-2, 2) for _ in range(k)]
            mu2 = [rng.uniform(-2, 2) for _ in range(k)]
            l1 = random_lower(k)
            l2 = random_lower(k)
            L1, L2 = mp_mat(l1, k), mp_mat(l2, k)
            S1, S2 = L1 * L1.T, L2 * L2.T
            S2i = mp.inverse(S2)
            d = mp.matrix([M(b) - M(a) for a, b in zip(mu1, mu2)])
            tr = sum((S2i * S1)[i, i] for i in range(k))
            quad = (d.T * S2i * d)[0, 0]
            ld1 = 2 * sum(mp.log(L1[i, i]) for i in range(k))
            ld2 = 2 * sum(mp.log(L2[i, i]) for i in range(k))
            terms = [tr / 2, quad / 2, -M(k) / 2, ld2 / 2, -ld1 / 2]
            v, scale = pick("kl_divergence_multi_normal_cholesky", sum(terms), terms)
            out.append((k, mu1, l1, mu2, l2, v, scale))
    return out


def main():
    check_lkj_quadrature()
    dcases = dirichlet_cases()
    mcases = mvn_cases()
    lcases = lkj_cases()
    xcases = log_mix_cases()
    ncases = normal_mixture_cases()
    kcases = kl_normal_cases()
    kmcases = kl_mvn_cases()
    lines = []
    w = lines.append
    w("#pragma once")
    w("// Generated by tests/distributions/gen_multivariate_vectors.py: do not edit.")
    w("// Reference values from mpmath %s at 50 digits, written as SciPy %s's value where SciPy has the" %
      (mp.__version__, scipy.__version__))
    w("// function and agrees to 4 ulps (every SciPy value agrees to 1e-10 relative to the terms' size):")
    for name, (n, nmp, worst) in counts.items():
        extra = " (SciPy off by up to %.1e)" % worst if worst > 0 else ""
        w("//   %-36s %3d cases, %3d from mpmath%s" % (name, n, nmp, extra))
    w("// LKJ constants: the paper's product form in mpmath, itself checked against mpmath.quad")
    w("// integration for K = 2 and K = 3.")
    w("#include <cstddef>")
    w("#include <vector>")
    w("")
    w("namespace mv_vectors {")
    w("")
    w("struct DirichletCase {")
    w("  std::vector<double> theta, alpha;")
    w("  double expected, scale;")
    w("};")
    w("inline const std::vector<DirichletCase> dirichlet = {")
    for th, al, v, sc in dcases:
        w("    {%s, %s, %s, %s}," % (vec(th), vec(al), fmt(v), fmt(sc)))
    w("};")
    w("")
    w("// y: n x k row-major (one observation per row); L lower triangular; Sigma and Omega symmetric.")
    w("struct MultiNormalCase {")
    w("  std::size_t k, n;")
    w("  std::vector<double> y, mu, L, Sigma, Omega;")
    w("  double lp_cholesky, scale_cholesky, lp_covariance, scale_covariance, lp_precision, scale_precision;")
    w("};")
    w("inline const std::vector<MultiNormalCase> multi_normal = {")
    for (k, n, y, mu, l, s, o, a, sa, b, sb, c, sc) in mcases:
        w("    {%d, %d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s}," %
          (k, n, vec(y), vec(mu), vec(l), vec(s), vec(o), fmt(a), fmt(sa), fmt(b), fmt(sb), fmt(c), fmt(sc)))
    w("};")
    w("")
    w("// log_c: log of the normalizing constant c_K(eta); expected: lkj_corr_cholesky_lpdf(L | eta).")
    w("struct LkjCase {")
    w("  std::size_t k;")
    w("  double eta;")
    w("  std::vector<double> L;")
    w("  double log_c, expected, scale;")
    w("};")
    w("inline const std::vector<LkjCase> lkj = {")
    for k, eta, l, logc, v, sc in lcases:
        w("    {%d, %s, %s, %s, %s, %s}," % (k, fmt(eta), vec(l), fmt(logc), fmt(v), fmt(sc)))
    w("};")
    w("")
    w("struct LogMixCase {")
    w("  std::vector<double> theta, lambda;")
    w("  double expected;")
    w("};")
    w("inline const std::vector<LogMixCase> log_mix = {")
    for th, lam, v in xcases:
        w("    {%s, %s, %s}," % (vec(th), vec(lam), fmt(v)))
    w("};")
    w("")
    w("struct NormalMixtureCase {")
    w("  std::vector<double> y, theta, mu, sigma;")
    w("  double expected, scale;")
    w("};")
    w("inline const std::vector<NormalMixtureCase> normal_mixture = {")
    for y, th, mu, sg, v, sc in ncases:
        w("    {%s, %s, %s, %s, %s, %s}," % (vec(y), vec(th), vec(mu), vec(sg), fmt(v), fmt(sc)))
    w("};")
    w("")
    w("struct KlNormalCase {")
    w("  double mu1, sigma1, mu2, sigma2, expected;")
    w("};")
    w("inline const std::vector<KlNormalCase> kl_normal = {")
    for c in kcases:
        w("    {%s}," % ", ".join(fmt(x) for x in c))
    w("};")
    w("")
    w("struct KlMultiNormalCase {")
    w("  std::size_t k;")
    w("  std::vector<double> mu1, L1, mu2, L2;")
    w("  double expected, scale;")
    w("};")
    w("inline const std::vector<KlMultiNormalCase> kl_multi_normal = {")
    for k, m1, l1, m2, l2, v, sc in kmcases:
        w("    {%d, %s, %s, %s, %s, %s, %s}," % (k, vec(m1), vec(l1), vec(m2), vec(l2), fmt(v), fmt(sc)))
    w("};")
    w("")
    w("}  // namespace mv_vectors")
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", OUT)
    for name, (n, nmp, worst) in counts.items():
        print("  %-36s %3d cases, %3d from mpmath, SciPy worst %.2e" % (name, n, nmp, worst))


if __name__ == "__main__":
    main()
