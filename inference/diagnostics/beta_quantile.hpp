#pragma once
// The Beta(a, b) distribution's CDF (the regularized incomplete beta function I_x(a, b)) and its
// inverse, as the quantile MCSE needs them (mcse.hpp). Plain doubles, no derivatives.
namespace tapir::inference::diagnostics {

// I_x(a, b) for a, b > 0 and x in [0, 1], by the continued fraction of DLMF 8.17.22 evaluated
// with the modified Lentz method, on I_x(a, b) or 1 - I_{1-x}(b, a), whichever converges fast
// (x below or above (a + 1) / (a + b + 2)). About 1e-14 relative accuracy; NaN outside the domain.
double beta_cdf(double x, double a, double b) noexcept;

// The x in [0, 1] with I_x(a, b) = p, by bisection on beta_cdf to full double resolution.
// NaN for p outside [0, 1] or a, b not positive.
double beta_quantile(double p, double a, double b) noexcept;

}  // namespace tapir::inference::diagnostics
