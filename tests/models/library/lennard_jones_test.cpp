// The Lennard-Jones particle model (models/library/lennard_jones.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "model_checks.hpp"
#include "models/library/lennard_jones.hpp"
#include "models/model.hpp"

using namespace tapir;
using namespace tapir::models;

namespace {

double lj(double r, double eps, double sig) { return 4 * eps * (std::pow(sig / r, 12) - std::pow(sig / r, 6)); }

// By hand, for 2-d positions (constrained), free space with a trap or a periodic box.
double energy_by_hand(const std::vector<double>& x, double eps, double sig, double box, double cutoff, bool shift,
                      double trap) {
  const std::size_t n = x.size() / 2;
  double u = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      double dx = x[2 * i] - x[2 * j], dy = x[2 * i + 1] - x[2 * j + 1];
      if (box > 0) {  // nearest image by search over the neighbouring boxes
        double best = 1e300, bx = dx, by = dy;
        for (int a = -1; a <= 1; ++a)
          for (int b = -1; b <= 1; ++b) {
            const double ex = dx + a * box, ey = dy + b * box;
            if (ex * ex + ey * ey < best) {
              best = ex * ex + ey * ey;
              bx = ex;
              by = ey;
            }
          }
        dx = bx;
        dy = by;
      }
      const double r = std::hypot(dx, dy);
      if (cutoff > 0 && r >= cutoff) continue;
      u += lj(r, eps, sig) - (shift ? lj(cutoff, eps, sig) : 0.0);
    }
  if (box == 0)
    for (double c : x) u += 0.5 * trap * c * c;
  return u;
}

}  // namespace

TEST_CASE("Lennard-Jones: the pair potential and the free-space density against the closed form") {
  const LennardJones lj_model{.particles = 3, .spatial_dimension = 2, .epsilon = 1.3, .sigma = 0.9,
                              .temperature = 0.7, .confinement = 0.4};
  CHECK(lj_model.potential(std::pow(2.0, 1.0 / 6) * 0.9) == doctest::Approx(-1.3).epsilon(1e-14));
  CHECK(lj_model.potential(0.9) == doctest::Approx(0.0).scale(1.0));
  const Model m(lj_model, "lj");
  CHECK(m.dimension() == 6);
  CHECK(m.constrained_names()[5] == "positions.6");
  const std::vector<double> x = {0.1, 0.2, 1.05, -0.3, -0.4, 0.95};
  CHECK(m.log_density(x) ==
        doctest::Approx(-energy_by_hand(x, 1.3, 0.9, 0, 0, false, 0.4) / 0.7).epsilon(1e-13));
  model_checks::check_handle_derivatives(m, x, 1e-6, 4);
  model_checks::check_definition_derivatives(lj_model, x);
  model_checks::check_round_trip(m, x);
  // The energy function on its own.
  CHECK(lj_model.energy(std::span<const double>(x)) == doctest::Approx(energy_by_hand(x, 1.3, 0.9, 0, 0, false, 0.4)));
  CHECK_THROWS_AS(lj_model.energy(std::span<const double>(x.data(), 5)), tapir::size_error);
}

TEST_CASE("Lennard-Jones: periodic box, minimum image, cutoff and shift") {
  for (bool shift : {false, true}) {
    const LennardJones p{.particles = 4, .spatial_dimension = 2, .box = 4.0, .cutoff = 2.0, .shift = shift};
    const Model m(p, "lj_periodic");
    // Particles near opposite walls interact through the boundary.
    const std::vector<double> c = {0.2, 0.3, 3.6, 0.5, 1.9, 2.1, 2.2, 3.8};
    const std::vector<double> u = m.unconstrain(c);
    CHECK(m.log_density(u, false) == doctest::Approx(-energy_by_hand(c, 1, 1, 4.0, 2.0, shift, 0)).epsilon(1e-13));
    // The wrap matters: the first two particles are 0.63 apart through the wall.
    CHECK(energy_by_hand(c, 1, 1, 4.0, 2.0, shift, 0) > 10.0);
    // The density includes the interval transform's log-Jacobian.
    double log_j = 0.0;
    for (double v : c) log_j += std::log(4.0) + std::log(v / 4.0) + std::log(1 - v / 4.0);
    CHECK(m.log_density(u) - m.log_density(u, false) == doctest::Approx(log_j).epsilon(1e-12));
    model_checks::check_handle_derivatives(m, u, 1e-6, 4, 1e-5);
    model_checks::check_round_trip(m, u, 1e-11);
  }
  // Shifted: continuous at the cutoff.
  const LennardJones s{.particles = 2, .spatial_dimension = 2, .box = 6.0, .cutoff = 2.5, .shift = true};
  CHECK(s.potential(2.5 - 1e-9) == doctest::Approx(0.0).scale(1.0).epsilon(1e-8));
  CHECK(s.potential(2.5) == 0.0);
}

TEST_CASE("Lennard-Jones: lattice start, errors") {
  const LennardJones free3{.particles = 8, .spatial_dimension = 3};
  const auto x = free3.lattice_positions();
  REQUIRE(x.size() == 24);
  // Eight particles on a 2x2x2 cube of side 2^(1/6): 12 bonds at the minimum, 12 face diagonals, 4 body diagonals.
  const double r0 = std::pow(2.0, 1.0 / 6);
  const double expected = 12 * lj(r0, 1, 1) + 12 * lj(r0 * std::sqrt(2.0), 1, 1) + 4 * lj(r0 * std::sqrt(3.0), 1, 1);
  double trap = 0.0;
  for (double v : x) trap += 0.5 * v * v;
  CHECK(free3.energy(std::span<const double>(x)) == doctest::Approx(expected + trap).epsilon(1e-12));
  const LennardJones boxed{.particles = 10, .spatial_dimension = 2, .box = 5.0};
  for (double v : boxed.lattice_positions()) {
    CHECK(v > 0.0);
    CHECK(v < 5.0);
  }
  CHECK_THROWS_WITH_AS(Model(LennardJones{.box = 4.0, .cutoff = 2.5}, "lj"), doctest::Contains("cutoff is 2.5, must be at most half the box"),
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(Model(LennardJones{.confinement = 0.0}, "lj"), doctest::Contains("confinement is 0"), tapir::domain_error);
  CHECK_THROWS_WITH_AS(Model(LennardJones{.sigma = -1.0}, "lj"), doctest::Contains("sigma is -1"), tapir::domain_error);
}
