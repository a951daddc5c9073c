#pragma once
// Particles interacting through the Lennard-Jones pair potential, sampled from the Boltzmann
// distribution of their positions (the soft-matter example of advanced-inference.md):
//
//   U(r) = 4 epsilon ((sigma / r)^12 - (sigma / r)^6)        (minimum -epsilon at r = 2^(1/6) sigma)
//   log p(x) = -(sum_{i<j} U(|x_i - x_j|) + V(x)) / kT
//
// over the positions x (particles x spatial_dimension values, particle-major: x_1, y_1, z_1, x_2, ...).
// Boundaries:
//   periodic (box > 0)   positions in (0, box) per coordinate (an interval constraint), pair
//                        separations by the minimum-image convention d - box round(d / box);
//                        V = 0. With a cutoff it must be at most box / 2 (each pair meets one image).
//   free (box = 0)       positions unconstrained; a harmonic trap V = (confinement / 2) sum |x_i|^2
//                        (confinement > 0) keeps the density proper (otherwise particles drift apart
//                        and the density does not integrate).
// Cutoff (cutoff > 0): pairs at r >= cutoff do not interact; with shift = true the potential is
// shifted by -U(cutoff) inside the cutoff so that it is continuous there (the usual "cut and
// shifted" potential; the density is then continuous, its gradient still jumps at the cutoff).
// Every pair is visited (no neighbor lists): meant for small numbers of particles.
//
// Parameter: positions (particles * spatial_dimension). The rounding in the minimum image is
// computed on values (a constant shift, piecewise), so derivatives are those of the smooth pair
// potential. lattice_positions() gives a starting configuration without overlaps.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "autodiff/errors.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

struct LennardJones {
  std::size_t particles = 8;
  std::size_t spatial_dimension = 3;
  double epsilon = 1.0;
  double sigma = 1.0;
  double temperature = 1.0;  // kT, in the units of epsilon
  double box = 0.0;          // > 0: periodic box side; 0: free space
  double cutoff = 0.0;       // > 0: interaction range; 0: none
  bool shift = false;
  double confinement = 1.0;  // free space only: harmonic trap strength

  void check() const {
    const char* fn = "LennardJones";
    if (!(epsilon > 0.0 && std::isfinite(epsilon))) throw_domain_error(fn, "epsilon", epsilon, "positive finite");
    if (!(sigma > 0.0 && std::isfinite(sigma))) throw_domain_error(fn, "sigma", sigma, "positive finite");
    if (!(temperature > 0.0 && std::isfinite(temperature)))
      throw_domain_error(fn, "temperature", temperature, "positive finite");
    if (!(box >= 0.0 && std::isfinite(box))) throw_domain_error(fn, "box", box, ">= 0 (0: free space) and finite");
    if (!(cutoff >= 0.0)) throw_domain_error(fn, "cutoff", cutoff, ">= 0 (0: none)");
    if (box > 0.0 && cutoff > 0.5 * box)
      throw_domain_error(fn, "cutoff", cutoff, ("at most half the box (" + std::to_string(0.5 * box) + ")").c_str());
    if (box == 0.0 && !(confinement > 0.0))
      throw_domain_error(fn, "confinement", confinement, "positive in free space (box = 0) for a proper density");
    if (particles == 0 || spatial_dimension == 0) throw size_error("LennardJones: no particles or no dimensions");
  }

  // The pair potential at distance r (with the cutoff and shift).
  double potential(double r) const {
    if (cutoff > 0.0 && r >= cutoff) return 0.0;
    auto u = [&](double d) {
      const double s6 = std::pow(sigma / d, 6);
      return 4.0 * epsilon * (s6 * s6 - s6);
    };
    return u(r) - (cutoff > 0.0 && shift ? u(cutoff) : 0.0);
  }

  // Total potential energy sum_{i<j} U(r_ij) + V(x) of the positions (particles * dimension values).
  template <class T>
  T energy(std::span<const T> x) const {
    using autodiff::value_of;
    const std::size_t n = particles, d = spatial_dimension;
    if (x.size() != n * d)
      throw size_error("LennardJones::energy: " + std::to_string(x.size()) + " coordinates, expected " +
                       std::to_string(n) + " particles x " + std::to_string(d) + " dimensions");
    const double sigma2 = sigma * sigma, rc2 = cutoff * cutoff;
    double shift_value = 0.0;
    if (cutoff > 0.0 && shift) {
      const double s6 = std::pow(sigma / cutoff, 6);
      shift_value = 4.0 * epsilon * (s6 * s6 - s6);
    }
    T u = 0.0;
    std::vector<T> delta(d);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) {
        double r2_value = 0.0;
        for (std::size_t k = 0; k < d; ++k) {
          delta[k] = x[i * d + k] - x[j * d + k];
          if (box > 0.0) {
            const double image = box * std::round(value_of(delta[k]) / box);
            if (image != 0.0) delta[k] = delta[k] - image;
          }
          r2_value += value_of(delta[k]) * value_of(delta[k]);
        }
        if (cutoff > 0.0 && r2_value >= rc2) continue;
        T r2 = delta[0] * delta[0];
        for (std::size_t k = 1; k < d; ++k) r2 += delta[k] * delta[k];
        const T s2 = sigma2 / r2;
        const T s6 = s2 * s2 * s2;
        u += (4.0 * epsilon) * (s6 * s6 - s6);
        if (shift_value != 0.0) u -= shift_value;
      }
    if (box == 0.0) {
      T sq = 0.0;
      for (std::size_t q = 0; q < n * d; ++q) sq += x[q] * x[q];
      u += (0.5 * confinement) * sq;
    }
    return u;
  }

  template <class T>
  T log_density(ParameterReader<T>& p) const {
    check();
    const std::size_t m = particles * spatial_dimension;
    const Vector<T> x = box > 0.0 ? p.interval("positions", m, 0.0, box) : p.vector("positions", m);
    return -energy(std::span<const T>(x.data(), x.size())) / temperature;
  }

  // A configuration without overlaps: a simple cubic lattice of spacing 2^(1/6) sigma (the pair
  // potential's minimum), centred at the origin in free space or in the box (the spacing then
  // shrinks to fit, cells centred in it) when periodic. Constrained values, in the order of the
  // parameter.
  std::vector<double> lattice_positions() const {
    check();
    const std::size_t n = particles, d = spatial_dimension;
    std::size_t side = 1;
    while (std::pow(static_cast<double>(side), static_cast<double>(d)) < static_cast<double>(n)) ++side;
    double spacing = std::pow(2.0, 1.0 / 6.0) * sigma;
    if (box > 0.0) spacing = std::min(spacing, box / static_cast<double>(side));
    std::vector<double> x(n * d);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t c = i;
      for (std::size_t k = 0; k < d; ++k) {
        const double cell = static_cast<double>(c % side);
        c /= side;
        x[i * d + k] = box > 0.0 ? 0.5 * box + spacing * (cell - 0.5 * static_cast<double>(side - 1))
                                 : spacing * (cell - 0.5 * static_cast<double>(side - 1));
      }
    }
    return x;
  }
};

}  // namespace tapir::models
