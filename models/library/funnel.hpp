#pragma once
// Neal's funnel (Neal 2003, "Slice sampling", Annals of Statistics 31, section 8):
//
//   v ~ normal(0, 3),   x_i ~ normal(0, exp(v / 2)),  i = 1..num_x   (default num_x = 9: 10 dimensions)
//
// The marginal of v is normal(0, 3) and x | v is exactly normal, so the target has exact draws
// (`draw`) and known moments: E[v] = 0, Var[v] = 9, E[x_i] = 0, Var[x_i] = E[exp(v)] = exp(9/2).
//
// Two parameterizations of the same distribution:
//   centered      parameters v, x (the funnel itself: the neck at v -> -inf defeats a single HMC
//                 step size, the classic source of divergences);
//   non_centered  parameters v, z with z_i ~ normal(0, 1) and x = exp(v / 2) z written as an output
//                 (an isotropic-ish Gaussian in (v, z): the standard reparameterization).
#include <cstddef>
#include <vector>

#include "distributions/normal.hpp"
#include "distributions/random.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

enum class FunnelParameterization { centered, non_centered };

struct Funnel {
  std::size_t num_x = 9;
  FunnelParameterization parameterization = FunnelParameterization::centered;

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    const T v = p.real("v");
    const T half_v = 0.5 * v;
    T lp = distributions::normal_lpdf(v, 0.0, 3.0);
    if (parameterization == FunnelParameterization::centered) {
      const Vector<T> x = p.vector("x", num_x);
      if (num_x > 0) lp += distributions::normal_lpdf(x, 0.0, exp(half_v));
    } else {
      const Vector<T> z = p.vector("z", num_x);
      if (num_x > 0) lp += distributions::normal_lpdf(z, 0.0, 1.0);
      if (p.mode() == ReaderMode::write || p.mode() == ReaderMode::discover) p.output("x", Vector<T>(exp(half_v) * z));
    }
    return lp;
  }

  // An exact draw of (v, x_1, ..., x_num_x) (the model's variables, whatever the parameterization).
  std::vector<double> draw(distributions::Generator& g) const {
    std::vector<double> out(num_x + 1);
    out[0] = 3.0 * distributions::standard_normal(g);
    const double s = std::exp(0.5 * out[0]);
    for (std::size_t i = 0; i < num_x; ++i) out[i + 1] = s * distributions::standard_normal(g);
    return out;
  }
};

}  // namespace tapir::models
