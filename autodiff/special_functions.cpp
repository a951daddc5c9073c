// tapir — double-precision special functions (see special_functions.hpp).
//
// Only the C++ standard library (and, for lgamma, the POSIX/BSD lgamma_r of
// the C math library) is used.  Constants are either exact rationals, values
// of published formulas (sources named in place), or series coefficients whose
// defining formula is given in place and which are reproduced by
// tests/autodiff/gen_special_functions.py --coefficients.

// Ask glibc to declare lgamma_r (g++ already defines _GNU_SOURCE, which
// implies it; this matters only for other compilers on glibc).
#if !defined(_DEFAULT_SOURCE) && !defined(_GNU_SOURCE)
#define _DEFAULT_SOURCE 1
#endif

#include "autodiff/special_functions.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <math.h>  // lgamma_r

namespace tapir::autodiff {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.141592653589793238462643383279502884;
constexpr double kHalfLog2Pi = 0.918938533204672741780329736405617640;  // log(2 pi) / 2
constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934381868;  // 1 / sqrt(2 pi)
constexpr double k2OverSqrtPi = 1.128379167095512573896158903121545172;  // 2 / sqrt(pi)
// 1/sqrt(2) = kSqrtHalfHi + kSqrtHalfLo (double-double).
constexpr double kSqrtHalfHi = 0.7071067811865476;
constexpr double kSqrtHalfLo = -4.833646656726457e-17;

// sin(pi r) and cos(pi r) for |r| <= 1/2 (r exact, so no error from
// reducing a large pi x).
inline double sinpi_reduced(double r) noexcept { return std::sin(kPi * r); }
inline double cospi_reduced(double r) noexcept { return std::sin(kPi * (0.5 - std::fabs(r))); }

// x - round(x): exact, in [-1/2, 1/2]; cot(pi x) = cot(pi r) etc.
inline double reduce_half(double x) noexcept { return x - std::round(x); }

// ---------------------------------------------------------------------------
// digamma
// ---------------------------------------------------------------------------

// Positive zero of digamma, x0 = 1.46163214496836234126265954232572132846819...
// split as x0 = kX0Hi + kX0Lo.
constexpr double kX0Hi = 1.4616321449683622;
constexpr double kX0Lo = 9.549995429965697e-17;
constexpr double kX0Plus1 = 2.4616321449683625;  // x0 + 1 rounded

// Taylor coefficients c_j = psi^(j)(x0 + 2) / j!, j = 21 .. 1 (highest first),
// computed with mpmath at 50 digits (gen_special_functions.py --coefficients).
// The series psi(x0 + 2 + t) - psi(x0 + 2) = sum_j c_j t^j has radius of
// convergence x0 + 2 = 3.46, so on |t| <= 0.54 the truncation after j = 21 is
// below 1e-18 relative.
constexpr std::array<double, 21> kDigammaTaylor = {
    1.37236537130771373176e-12,   // j = 21
    -4.75589108999904781143e-12,  // j = 20
    1.64867748966363608239e-11,   // j = 19
    -5.71772963467989284696e-11,  // j = 18
    1.98404360293508341857e-10,   // j = 17
    -6.88956120546008454732e-10,  // j = 16
    2.39464484696446432156e-9,    // j = 15
    -8.33350765245726748997e-9,   // j = 14
    2.90484306517787936069e-8,    // j = 13
    -1.01474230829950849107e-7,   // j = 12
    3.55500436554899898764e-7,    // j = 11
    -1.2502790337317231251e-6,    // j = 10
    4.42038143780144829572e-6,    // j = 9
    -1.57420427936451567944e-5,   // j = 8
    5.66340393114235075383e-5,    // j = 7
    -2.06746076283544663178e-4,   // j = 6
    7.71302070892278707482e-4,    // j = 5
    -2.97667705043083332345e-3,   // j = 4
    1.21633513665496643705e-2,    // j = 3
    -5.54762082828196582464e-2,   // j = 2
    3.345617098544669218e-1,      // j = 1
};

// psi(X) for X = x0 + t near the zero, t given accurately (t = X - x0).
// Since psi(x0) = 0 and psi(X) = psi(X + 2) - 1/X - 1/(X + 1):
//   psi(X) = [psi(x0+2+t) - psi(x0+2)] + t / (x0 X) + t / ((x0+1)(X+1)),
// every term is t times a positive-ish smooth factor, so the result keeps
// full relative accuracy right at the zero.
inline double digamma_near_root(double t, double X) noexcept {
  double q = 0.0;
  for (double c : kDigammaTaylor) q = q * t + c;
  return t * (q + 1.0 / (kX0Hi * X) + 1.0 / (kX0Plus1 * (X + 1.0)));
}

// Asymptotic expansion, x >= 10:
//   psi(x) = log x - 1/(2x) - sum_{k>=1} B_{2k} / (2k x^{2k})
// (Abramowitz & Stegun 6.3.18; B_{2k} Bernoulli numbers B2 = 1/6,
// B4 = -1/30, B6 = 1/42, B8 = -1/30, B10 = 5/66, B12 = -691/2730,
// B14 = 7/6, B16 = -3617/510).  Eight terms: truncation < 2e-18 relative at
// x = 10.
inline double digamma_asymptotic(double x) noexcept {
  const double z = 1.0 / (x * x);
  const double s =
      z * (1.0 / 12 +
           z * (-1.0 / 120 +
                z * (1.0 / 252 +
                     z * (-1.0 / 240 +
                          z * (1.0 / 132 +
                               z * (-691.0 / 32760 + z * (1.0 / 12 + z * (-3617.0 / 8160))))))));
  return std::log(x) - 0.5 / x - s;
}

// psi(x) for x > 0.
double digamma_positive(double x) noexcept {
  if (x >= 10.0) return digamma_asymptotic(x);
  if (x > 2.0) {
    // Downward recurrence to y in (1, 2]: psi(x) = psi(y) + sum_{j<n} 1/(y+j).
    // x - k is exact for integer k here.
    const int n = static_cast<int>(std::ceil(x)) - 2;
    const double y = x - n;
    double sum = 0.0;
    for (int j = n - 1; j >= 0; --j) sum += 1.0 / (y + j);
    return digamma_near_root((y - kX0Hi) - kX0Lo, y) + sum;
  }
  if (x >= 1.0) return digamma_near_root((x - kX0Hi) - kX0Lo, x);
  // 0 < x < 1: psi(x) = psi(x + 1) - 1/x; t = (x + 1) - x0 computed without
  // rounding x + 1 first (kX0Hi - 1 is exact).
  const double t = (x - (kX0Hi - 1.0)) - kX0Lo;
  return digamma_near_root(t, x + 1.0) - 1.0 / x;
}

// ---------------------------------------------------------------------------
// trigamma / polygamma
// ---------------------------------------------------------------------------

// Asymptotic expansion of trigamma, y >= 10 (A&S 6.4.12):
//   psi'(y) = 1/y + 1/(2y^2) + sum_{k>=1} B_{2k} / y^{2k+1}.
// Ten terms (through B20 = -174611/330): truncation < 1e-20 relative at y = 10.
inline double trigamma_asymptotic(double y) noexcept {
  const double w = 1.0 / y;
  const double z = w * w;
  const double s =
      z * (1.0 / 6 +
           z * (-1.0 / 30 +
                z * (1.0 / 42 +
                     z * (-1.0 / 30 +
                          z * (5.0 / 66 +
                               z * (-691.0 / 2730 +
                                    z * (7.0 / 6 +
                                         z * (-3617.0 / 510 +
                                              z * (43867.0 / 798 + z * (-174611.0 / 330))))))))));
  return w * (1.0 + 0.5 * w + s);
}

double trigamma_positive(double x) noexcept {
  // Upward recurrence psi'(x) = sum_{k<n} 1/(x+k)^2 + psi'(x+n), x+n >= 10;
  // all terms positive, summed smallest first.
  if (x >= 10.0) return trigamma_asymptotic(x);
  const int n = static_cast<int>(std::ceil(10.0 - x));
  double sum = trigamma_asymptotic(x + n);
  for (int k = n - 1; k >= 0; --k) {
    const double y = x + k;
    sum += 1.0 / (y * y);
  }
  return sum;
}

// B_{2k} / (2k)!, k = 1..10 (B2 = 1/6, ..., B20 = -174611/330).
constexpr std::array<double, 10> kBernoulliOverFactorial = {
    1.0 / 12.0,
    -1.0 / 720.0,
    1.0 / 30240.0,
    -1.0 / 1209600.0,
    1.0 / 47900160.0,
    -691.0 / 1307674368000.0,
    1.0 / 74724249600.0,
    -3617.0 / 10670622842880000.0,
    43867.0 / 5109094217170944000.0,
    -174611.0 / 802857662698291200000.0,
};

// Threshold above which the asymptotic series (10 terms) of psi^(n) is used;
// the first omitted term is then below 1e-20 relative for 1 <= n <= 16.
inline double polygamma_asymptotic_threshold(int n) noexcept { return 10.0 + 1.5 * n; }

// n! for 0 <= n <= 16 (exact in double).
constexpr double factorial(int n) noexcept {
  double f = 1.0;
  for (int i = 2; i <= n; ++i) f *= i;
  return f;
}

// For n >= 1 and y >= threshold, returns prefactor * A(y) with
//   A(y) = |psi^(n)(y)| / n! = y^{-n}/n * [1 + n/(2y) + sum_k B_{2k}/(2k)! (n)_{2k} y^{-2k}]
// (A&S 6.4.11), where (n)_{2k} = n (n+1) ... (n+2k-1).  The power y^{-n} is
// applied in two halves after the prefactor so that no intermediate underflows
// when the result itself is a normal number (y^{-n} alone can underflow while
// (n-1)! y^{-n} does not).
double polygamma_asymptotic(int n, double y, double prefactor) noexcept {
  const double w = 1.0 / y;
  const double z = w * w;
  std::array<double, 10> terms{};
  double rising = 1.0;  // (n)_{2k}
  double zk = 1.0;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const double a = n + 2.0 * static_cast<double>(k);
    rising *= a * (a + 1.0);
    zk *= z;
    terms[k] = kBernoulliOverFactorial[k] * rising * zk;
  }
  double s = 0.0;
  for (std::size_t k = terms.size(); k-- > 0;) s += terms[k];
  const int h = n / 2;
  return (prefactor / n) * std::pow(y, -h) * std::pow(y, h - n) * (1.0 + 0.5 * n * w + s);
}

// psi^(n)(x) for x > 0, n >= 1:
//   |psi^(n)(x)| = n! [sum_{k<m} (x+k)^{-(n+1)} + A(x+m)],  x + m >= threshold,
// all terms positive and summed smallest first.
double polygamma_positive(int n, double x) noexcept {
  const double threshold = polygamma_asymptotic_threshold(n);
  double mag;
  if (x >= threshold) {
    mag = polygamma_asymptotic(n, x, factorial(n));
  } else {
    const int m = static_cast<int>(std::ceil(threshold - x));
    double sum = polygamma_asymptotic(n, x + m, 1.0);
    for (int k = m - 1; k >= 0; --k) sum += std::pow(x + k, -(n + 1));
    mag = factorial(n) * sum;
  }
  return (n % 2 == 1) ? mag : -mag;
}

// Coefficients of P_n, where d^n/dy^n cot(y) = P_n(cot y):
//   P_0(c) = c,  P_{n+1}(c) = -(1 + c^2) P_n'(c).
// kCotDeriv[n][i] is the coefficient of c^i (degree n + 1); all are integers.
constexpr std::size_t kMaxOrder = polygamma_max_order;
using CotTable = std::array<std::array<double, kMaxOrder + 2>, kMaxOrder + 1>;
constexpr CotTable make_cot_derivative_table() {
  CotTable t{};
  t[0][1] = 1.0;
  for (std::size_t n = 0; n < kMaxOrder; ++n) {
    // derivative of P_n: d[i] = (i+1) P_n[i+1]
    std::array<double, kMaxOrder + 2> d{};
    for (std::size_t i = 0; i + 1 < kMaxOrder + 2; ++i)
      d[i] = static_cast<double>(i + 1) * t[n][i + 1];
    // multiply by -(1 + c^2)
    for (std::size_t i = 0; i < kMaxOrder + 2; ++i) {
      double v = -d[i];
      if (i >= 2) v -= d[i - 2];
      t[n + 1][i] = v;
    }
  }
  return t;
}
constexpr CotTable kCotDeriv = make_cot_derivative_table();

// Asymptotic (Stirling) series of delta(z) = lgamma(z) - [(z - 1/2) log z - z + log(2 pi)/2]
// for z >= 10: delta(z) = sum_k B_{2k} / (2k (2k-1) z^{2k-1}) (A&S 6.1.40),
// ten terms: truncation < 1e-24 at z = 10.
inline double lgamma_stirling_diff(double z) noexcept {
  const double w = 1.0 / z;
  const double v = w * w;
  return w * (1.0 / 12 +
              v * (-1.0 / 360 +
                   v * (1.0 / 1260 +
                        v * (-1.0 / 1680 +
                             v * (1.0 / 1188 +
                                  v * (-691.0 / 360360 +
                                       v * (1.0 / 156 +
                                            v * (-3617.0 / 122400 +
                                                 v * (43867.0 / 244188 +
                                                      v * (-174611.0 / 125400))))))))));
}

}  // namespace

// ---------------------------------------------------------------------------
// Public functions.
// ---------------------------------------------------------------------------

double lgamma(double x) noexcept {
#if defined(__GLIBC__) || defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__OpenBSD__) || defined(__DragonFly__)
  int sign = 0;
  return ::lgamma_r(x, &sign);
#else
  // Other C libraries (e.g. MSVC's) do not have a global signgam to race on.
  return std::lgamma(x);
#endif
}

double digamma(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x <= 0.0) {
    if (x == std::floor(x)) return kNaN;  // poles, and x = -inf
    // Reflection: psi(x) = psi(1 - x) - pi cot(pi x).
    const double r = reduce_half(x);
    return digamma_positive(1.0 - x) - kPi * cospi_reduced(r) / sinpi_reduced(r);
  }
  return digamma_positive(x);
}

double trigamma(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x <= 0.0) {
    if (x == -kInf) return kNaN;
    if (x == std::floor(x)) return kInf;  // poles: limit +inf from both sides
    // Reflection: psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x).
    const double s = kPi / sinpi_reduced(reduce_half(x));
    return s * s - trigamma_positive(1.0 - x);
  }
  return trigamma_positive(x);
}

double polygamma(int n, double x) noexcept {
  if (n < 0 || n > polygamma_max_order || std::isnan(x)) return kNaN;
  if (n == 0) return digamma(x);
  if (n == 1) return trigamma(x);
  if (x <= 0.0) {
    if (x == -kInf) return kNaN;
    if (x == std::floor(x)) return (n % 2 == 1) ? kInf : kNaN;
    // Reflection, differentiated n times from psi(1-x) - psi(x) = pi cot(pi x):
    //   psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1) P_n(cot(pi x)).
    const double r = reduce_half(x);
    const double c = cospi_reduced(r) / sinpi_reduced(r);
    const auto& p = kCotDeriv[static_cast<std::size_t>(n)];
    double poly = 0.0;
    for (std::size_t i = static_cast<std::size_t>(n) + 2; i-- > 0;) poly = poly * c + p[i];
    const double refl = polygamma_positive(n, 1.0 - x);
    return ((n % 2 == 0) ? refl : -refl) - std::pow(kPi, n + 1) * poly;
  }
  return polygamma_positive(n, x);
}

double lbeta(double a, double b) noexcept {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  const double x = a < b ? a : b;  // smaller
  const double y = a < b ? b : a;  // larger
  if (x < 0.0) return kNaN;
  if (x == 0.0) return y == kInf ? kNaN : kInf;
  if (y == kInf) return -kInf;
  double shift = 0.0;
  double yy = y;
  if (y < 10.0) {
    // Small arguments: shift the larger argument up with
    //   B(x, y) = B(x, y + 1) (x + y) / y,
    // i.e. lbeta(x, y) = lbeta(x, y + m) + sum_{j<m} log1p(x / (y + j)),
    // so that no lgamma of a moderately large argument enters the result
    // (lgamma(y) - lgamma(x + y) would cancel, costing ~1e-14 absolute).
    const int m = static_cast<int>(std::ceil(10.0 - y));
    for (int j = m - 1; j >= 0; --j) shift += std::log1p(x / (y + j));
    yy = y + m;
  }
  if (x < 10.0) {
    // One large argument.  With lgamma(z) = (z-1/2) log z - z + log(2pi)/2 + delta(z):
    //   lgamma(y) - lgamma(x+y) = -(y - 1/2) log1p(x/y) - x log(x+y) + x
    //                             + delta(y) - delta(x+y).
    const double corr = lgamma_stirling_diff(yy) - lgamma_stirling_diff(x + yy);
    return lgamma(x) + shift + (corr + (x - x * std::log(x + yy))) -
           (yy - 0.5) * std::log1p(x / yy);
  }
  // Both large:
  //   lbeta = log(2pi)/2 - log(y)/2 + (x - 1/2) log(x/(x+y)) - y log1p(x/y)
  //           + delta(x) + delta(y) - delta(x+y),
  // with log(x/(x+y)) = -log1p(y/x) (no overflow of x + y).
  const double corr =
      lgamma_stirling_diff(x) + lgamma_stirling_diff(y) - lgamma_stirling_diff(x + y);
  return kHalfLog2Pi - 0.5 * std::log(y) - (x - 0.5) * std::log1p(y / x) -
         y * std::log1p(x / y) + corr;
}

double lchoose(double n, double k) noexcept {
  if (std::isnan(n) || std::isnan(k) || k < 0.0 || k > n) return kNaN;
  if (k == 0.0 || k == n) return 0.0;
  if (n == kInf) return k == kInf ? kNaN : kInf;
  return -std::log1p(n) - lbeta(n - k + 1.0, k + 1.0);
}

double Phi(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x == -kInf) return 0.0;
  if (x == kInf) return 1.0;
  // Phi(x) = erfc(-u) / 2 with u = x / sqrt(2).  u is rounded: u = uh + du
  // with du recovered exactly enough by fma; first-order correction
  // erfc(-(uh + du)) = erfc(-uh) + (2/sqrt(pi)) exp(-uh^2) du.  Without it the
  // rounding of x/sqrt(2) costs ~x^2 eps relative in the lower tail.
  const double uh = x * kSqrtHalfHi;
  const double du = std::fma(x, kSqrtHalfHi, -uh) + x * kSqrtHalfLo;
  return 0.5 * (std::erfc(-uh) + k2OverSqrtPi * std::exp(-uh * uh) * du);
}

double log_Phi(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x < -37.0) {
    // Phi(x) = phi(x)/(-x) * S, S = 1 - 1/x^2 + 3/x^4 - 15/x^6 + ...
    // (asymptotic expansion of Mills' ratio, A&S 26.2.12), terms through
    // 2027025/x^16: truncation < 1e-19 for x < -37.
    const double v = 1.0 / (x * x);
    const double s_minus_1 =
        v * (-1.0 +
             v * (3.0 +
                  v * (-15.0 +
                       v * (105.0 +
                            v * (-945.0 +
                                 v * (10395.0 + v * (-135135.0 + v * 2027025.0)))))));
    return -(0.5 * x) * x - std::log(-x) - kHalfLog2Pi + std::log1p(s_minus_1);
  }
  if (x > 0.0) return std::log1p(-Phi(-x));
  return std::log(Phi(x));
}

double inv_Phi(double p) noexcept {
  if (!(p >= 0.0 && p <= 1.0)) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;

  // Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the
  // normal distribution. Applied Statistics 37(3), 477-484 (PPND16).
  const double q = p - 0.5;  // exact
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    const double num =
        (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r +
              6.7265770927008700853e+4) * r + 4.5921953931549871457e+4) * r +
            1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r +
          1.3314166789178437745e+2) * r + 3.3871328727963666080e+0);
    const double den =
        (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r +
              3.9307895800092710610e+4) * r + 2.1213794301586595867e+4) * r +
            5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r +
          4.2313330701600911252e+1) * r + 1.0);
    double x = q * num / den;
    // One Newton step on Phi(x) - p = erf(x/sqrt 2)/2 - q (no cancellation
    // against 1/2), with the same double-double treatment of x/sqrt(2).
    const double uh = x * kSqrtHalfHi;
    const double du = std::fma(x, kSqrtHalfHi, -uh) + x * kSqrtHalfLo;
    const double g = std::exp(-uh * uh);
    const double e = 0.5 * (std::erf(uh) + k2OverSqrtPi * g * du) - q;
    x -= e / (kInvSqrt2Pi * g);
    return x;
  }

  const double tail = q < 0.0 ? p : 1.0 - p;  // exact
  double r = std::sqrt(-std::log(tail));
  double x;
  if (r <= 5.0) {
    r -= 1.6;
    x = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r +
              2.41780725177450611770e-1) * r + 1.27045825245236838258e+0) * r +
            3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r +
          4.63033784615654529590e+0) * r + 1.42343711074968357734e+0) /
        (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r +
              1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r +
            6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r +
          2.05319162663775882187e+0) * r + 1.0);
  } else {
    r -= 5.0;
    x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
              1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r +
            2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r +
          5.46378491116411436990e+0) * r + 6.65790464350110377720e+0) /
        (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
              1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r +
            1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r +
          5.99832206555887937690e-1) * r + 1.0);
  }
  // x > 0 approximates -inv_Phi(tail).  One Newton step on Phi(z) = tail
  // with z = -x, while phi(z) is a normal number.
  double z = -x;
  const double density = kInvSqrt2Pi * std::exp(-0.5 * z * z);
  if (density > 1e-300) z -= (Phi(z) - tail) / density;
  return q < 0.0 ? z : -z;
}

}  // namespace tapir::autodiff
