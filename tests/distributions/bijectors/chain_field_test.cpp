// Chain (composition order, sizes, 2-D densities), the type-erased Bijector handle, bijectors by
// name, and FieldBijector (layout, names, per-field results, errors).
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "test_helpers.hpp"

using namespace bijector_test;
using namespace tapir::distributions::bijectors;

namespace {

constexpr double inf = INFINITY;

template <class F>
std::string error_of(const F& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

// The model-layer example: several fields of different sizes and constraints.
FieldBijector mixed_fields() {
  FieldBijector fb;
  fb.add("mu", 2, Identity{})
      .add("w", 3, "simplex")
      .add("L", 9, "corr_cholesky")
      .add("sigma", 2, "lower:0.5")
      .add("cut", 3, Ordered{})
      .add("rho", 1, "interval:-1,1");
  return fb;
}

}  // namespace

TEST_CASE("chain: composition order is right to left") {
  // Chain{f, g} = f o g: forward applies g first.
  const Chain c{Affine(2.0, 3.0), Exp{}};
  for (double u : {-1.0, 0.0, 0.7}) {
    const Image<double> img = push(c, std::vector<double>{u});
    CHECK(img.x[0] == doctest::Approx(2.0 + 3.0 * std::exp(u)).epsilon(1e-15));
    CHECK(img.lad == doctest::Approx(u + std::log(3.0)).epsilon(1e-15));
    CHECK(pull(c, img.x)[0] == doctest::Approx(u).epsilon(1e-14));
  }
  const Chain d{Exp{}, Affine(2.0, 3.0)};
  const Image<double> img = push(d, std::vector<double>{0.5});
  CHECK(img.x[0] == doctest::Approx(std::exp(3.5)).epsilon(1e-15));
  CHECK(img.lad == doctest::Approx(std::log(3.0) + 3.5).epsilon(1e-15));
  CHECK(c.name() == "chain(affine:2,3, exp)");
  CHECK(c.parts().size() == 2);
}

TEST_CASE("chain: the empty chain is the identity; sizes compose through dimension changes") {
  const Chain e;
  const Image<double> img = push(e, std::vector<double>{1.0, -2.0});
  CHECK(img.x == std::vector<double>{1.0, -2.0});
  CHECK(img.lad == 0.0);
  // R^2 -> Affine (vector) -> R^2 -> simplex in R^3.
  const Chain c{StickBreaking{}, Affine(std::vector<double>{0.0, 1.0}, 0.5)};
  CHECK(c.constrained_size(2) == 3);
  CHECK(c.unconstrained_size(3) == 2);
  CHECK_THROWS_AS(c.constrained_size(3), tapir::size_error);  // the vector Affine has size 2
  const Image<double> r = push(c, std::vector<double>{0.4, -0.6});
  CHECK(r.x[0] + r.x[1] + r.x[2] == doctest::Approx(1.0).epsilon(1e-15));
  check_round_trip_u(c, {0.4, -0.6}, 16);
  check_log_det(c, {0.4, -0.6}, {0, 1});
  check_forward_derivatives(c, {0.4, -0.6});
  check_modes(c, {0.4, -0.6});
  // Applied after a dimension change, a part's log|det J| over the ambient vector is not the
  // volume factor on the image: such chains are refused.
  const Chain bad{Affine(1.0, 2.0), StickBreaking{}};
  CHECK(error_of([&] { bad.constrained_size(2); }) ==
        "chain(affine:1,2, simplex): part 1 (simplex) maps size 2 to 3; a dimension-changing bijector must be the "
        "first part (applied last)");
  CHECK_THROWS_AS(bad.unconstrained_size(3), tapir::domain_error);
  CHECK_THROWS_AS(push(bad, std::vector<double>{0.1, 0.2}), tapir::domain_error);
}

TEST_CASE("chain: round trips, log|det J|, derivatives and modes") {
  std::mt19937_64 g(41);
  const std::vector<Bijector> chains = {
      Chain{Sigmoid(-1.0, 3.0), Affine(std::vector<double>{0.5, -1.0}, std::vector<double>{2.0, 0.7})},
      Chain{Exp{}, Ordered{}},
      Chain{Affine(1.0, -0.5), Tanh{}, Affine(0.0, 3.0)},
  };
  for (const Bijector& b : chains) {
    INFO(b.name());
    for (int rep = 0; rep < 3; ++rep) {
      const std::vector<double> u = uniform(g, 2, -2.0, 2.0);
      check_round_trip_u(b, u, 16);
      check_log_det(b, u);
      check_modes(b, u);
    }
    check_forward_derivatives(b, uniform(g, 2, -1.5, 1.5));
  }
}

TEST_CASE("chain: 2-D push-forward densities of N(0, I) integrate to 1") {
  // An affine map then a sigmoid onto the box (-1, 3)^2.
  const Bijector box = Chain{Sigmoid(-1.0, 3.0), Affine(std::vector<double>{0.5, -1.0}, std::vector<double>{2.0, 0.7})};
  const QuadratureRule q = tanh_sinh(-1.0, 3.0);
  double mass = 0.0, no_jacobian = 0.0;
  for (std::size_t i = 0; i < q.x.size(); ++i)
    for (std::size_t j = 0; j < q.x.size(); ++j) {
      mass += pushforward_density(box, {q.x[i], q.x[j]}) * q.w[i] * q.w[j];
      no_jacobian += std::exp(std_normal_log_density(pull(box, {q.x[i], q.x[j]}))) * q.w[i] * q.w[j];
    }
  CHECK(mass == doctest::Approx(1.0).epsilon(1e-8));
  CHECK(std::abs(no_jacobian - 1.0) > 0.1);
  // softplus of an ordered pair onto {0 < x1 < x2}: x1 in (0, inf), x2 = x1 + y, y in (0, inf).
  const Bijector wedge = Chain{Softplus{}, Ordered{}};
  const QuadratureRule e = exp_sinh(0.0);
  double mass2 = 0.0;
  for (std::size_t i = 0; i < e.x.size(); ++i)
    for (std::size_t j = 0; j < e.x.size(); ++j)
      mass2 += pushforward_density(wedge, {e.x[i], e.x[i] + e.x[j]}) * e.w[i] * e.w[j];
  CHECK(mass2 == doctest::Approx(1.0).epsilon(1e-8));
}

TEST_CASE("Bijector handle: default identity, shared copies, target, value semantics") {
  const Bijector id;
  CHECK(id.name() == "identity");
  CHECK(id.target<Identity>() != nullptr);
  CHECK(push(id, std::vector<double>{1.5, -2.0}).x == std::vector<double>{1.5, -2.0});

  const Bijector a = LowerBound(2.0);
  Bijector b = a;
  CHECK(b.target<LowerBound>() == a.target<LowerBound>());  // copies share the immutable bijector
  CHECK(b.target<LowerBound>()->lower() == 2.0);
  CHECK(b.target<Exp>() == nullptr);
  b = Softplus{};
  CHECK(a.name() == "lower:2");
  CHECK(b.name() == "softplus");

  std::vector<Bijector> many = {Exp{}, Tanh{}, Chain{Exp{}, Tanh{}}, mixed_fields()};
  CHECK(many[2].name() == "chain(exp, tanh)");
  CHECK(many[3].constrained_size(13) == 20);
  // The three scalar types through the same handle.
  const std::vector<double> u = {0.3, -0.4};
  double ld = 0.0;
  Var lv = 0.0;
  Dual<double> ldual = 0.0;
  std::vector<double> xd(2);
  std::vector<Var> uv(u.begin(), u.end()), xv(2);
  std::vector<Dual<double>> udual = {{0.3, 1.0}, {-0.4, 0.0}}, xdual(2);
  many[1].forward(std::span<const double>(u), std::span<double>(xd), ld);
  many[1].forward(std::span<const Var>(uv), std::span<Var>(xv), lv);
  many[1].forward(std::span<const Dual<double>>(udual), std::span<Dual<double>>(xdual), ldual);
  CHECK(xd[0] == std::tanh(0.3));
  CHECK(xv[1].value() == doctest::Approx(std::tanh(-0.4)).epsilon(1e-15));
  CHECK(xdual[0].tan == doctest::Approx(1.0 - std::tanh(0.3) * std::tanh(0.3)).epsilon(1e-14));
  CHECK(xdual[1].tan == 0.0);
  CHECK(lv.value() == doctest::Approx(ld).epsilon(1e-14));
  CHECK(ldual.val == doctest::Approx(ld).epsilon(1e-14));
}

TEST_CASE("free functions: constrain, unconstrain and the log-Jacobians") {
  const Bijector b = Sigmoid(2.0, 5.0);
  const std::vector<double> u = {-0.5, 1.0};
  double lad = 1.0;
  const Vector<double> x = constrain(b, u, lad);
  CHECK(x.size() == 2);
  CHECK(lad == doctest::Approx(1.0 + push(b, u).lad).epsilon(1e-15));
  const Vector<double> back = unconstrain(b, x);
  double lad2 = 0.0;
  const Vector<double> x2 = constrain(b, Vector<double>{-0.5, 1.0}, lad2);  // any contiguous range
  CHECK(x2[1] == x[1]);
  CHECK(lad2 == doctest::Approx(lad - 1.0).epsilon(1e-15));
  CHECK(back[0] == doctest::Approx(-0.5).epsilon(1e-14));
  CHECK(log_abs_det_jacobian(b, u) == doctest::Approx(push(b, u).lad).epsilon(1e-15));
  CHECK(inverse_log_abs_det_jacobian(b, x) == doctest::Approx(-push(b, u).lad).epsilon(1e-14));
  // Concrete types too, and Var.
  Var lv = 0.0;
  const std::vector<Var> uv = {Var(0.2), Var(-0.1)};
  const Vector<Var> xv = constrain(StickBreaking{}, uv, lv);
  CHECK(xv.size() == 3);
  CHECK(lv.value() == doctest::Approx(push(Bijector(StickBreaking{}), std::vector<double>{0.2, -0.1}).lad).epsilon(1e-14));
}

TEST_CASE("make_bijector: names and parameters") {
  for (const char* spec : {"identity", "exp", "softplus", "sigmoid", "sigmoid:2,5", "tanh", "lower:0.5", "upper:-1",
                           "interval:2,5", "interval:-inf,3", "interval:0,inf", "interval:-inf,inf", "affine:1,2", "simplex",
                           "ordered", "corr_cholesky"})
    CHECK(make_bijector(spec).name() == spec);
  CHECK(make_bijector(" interval: 2 , 5.5 ").name() == "interval:2,5.5");
  CHECK(make_bijector("lower:1e-3").target<LowerBound>()->lower() == 1e-3);
  CHECK(make_bijector("interval:0,inf").target<LowerUpper>() != nullptr);
  CHECK(push(make_bijector("interval:2,5"), std::vector<double>{0.0}).x[0] == 3.5);
  CHECK(push(make_bijector("sigmoid"), std::vector<double>{0.0}).x[0] == 0.5);
  CHECK(push(make_bijector("tanh"), std::vector<double>{0.5}).x[0] == std::tanh(0.5));

  CHECK(error_of([] { make_bijector("sigmod"); }) ==
        "unknown bijector \"sigmod\" (known: " + std::string(known_bijector_names) + ")");
  CHECK(error_of([] { make_bijector("lower:abc"); }) == "bijector \"lower:abc\": \"abc\" is not a number");
  CHECK(error_of([] { make_bijector("interval:1"); }) ==
        "bijector \"interval:1\": expected 2 comma-separated numbers, got 1");
  CHECK(error_of([] { make_bijector("lower:1,2"); }) == "bijector \"lower:1,2\": expected 1 number, got 2");
  CHECK(error_of([] { make_bijector("exp:1"); }).find("unknown bijector \"exp:1\"") == 0);
  CHECK(error_of([] { make_bijector("interval:5,2"); }) == "LowerUpper: lower bound is 5, must be less than the upper bound 2");
  CHECK(error_of([] { make_bijector("lower:inf"); }) == "LowerBound: lower bound is inf, must be finite");
  CHECK_THROWS_AS(make_bijector(""), tapir::domain_error);
  CHECK_THROWS_AS(make_bijector("Exp"), tapir::domain_error);
}

TEST_CASE("FieldBijector: the tutorial's parameter_field_bijections") {
  const FieldBijector fb({{"ar", 1}, {"observation_std", 1}, {"transition_std", 1}},
                         {{"ar", "tanh"}, {"observation_std", "softplus"}, {"transition_std", "softplus"}});
  CHECK(fb.name() == "fields(ar: tanh, observation_std: softplus, transition_std: softplus)");
  REQUIRE(fb.fields().size() == 3);
  CHECK(fb.fields()[0].name == "ar");
  CHECK(fb.field("transition_std").offset == 2);
  CHECK(fb.field("transition_std").unconstrained_offset == 2);
  CHECK(fb.total_constrained_size() == 3);
  CHECK(fb.total_unconstrained_size() == 3);
  const std::vector<double> u = {0.8, -1.0, 2.0};
  const Image<double> img = push(fb, u);
  CHECK(img.x[0] == doctest::Approx(std::tanh(0.8)).epsilon(1e-15));
  CHECK(img.x[1] == doctest::Approx(std::log1p(std::exp(-1.0))).epsilon(1e-15));
  CHECK(img.x[2] == doctest::Approx(std::log1p(std::exp(2.0))).epsilon(1e-15));
  const double lad = push(Tanh{}, std::vector<double>{0.8}).lad + push(Softplus{}, std::vector<double>{-1.0, 2.0}).lad;
  CHECK(img.lad == doctest::Approx(lad).epsilon(1e-15));
  // Fields without a bijection are the identity.
  const FieldBijector partial({{"ar", 1}, {"observation_std", 1}}, {{"ar", "tanh"}});
  CHECK(partial.field("observation_std").bijector.name() == "identity");
  CHECK(push(partial, std::vector<double>{0.3, -7.0}).x[1] == -7.0);
}

TEST_CASE("FieldBijector: layout of fields with dimension-changing bijectors") {
  const FieldBijector fb = mixed_fields();
  const std::vector<std::string> names = {"mu", "w", "L", "sigma", "cut", "rho"};
  const std::vector<std::size_t> size = {2, 3, 9, 2, 3, 1}, usize = {2, 2, 3, 2, 3, 1};
  const std::vector<std::size_t> offset = {0, 2, 5, 14, 16, 19}, uoffset = {0, 2, 4, 7, 9, 12};
  REQUIRE(fb.fields().size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Field& f = fb.fields()[i];
    INFO(f.name);
    CHECK(f.name == names[i]);
    CHECK(f.size == size[i]);
    CHECK(f.unconstrained_size == usize[i]);
    CHECK(f.offset == offset[i]);
    CHECK(f.unconstrained_offset == uoffset[i]);
    CHECK(&fb.field(names[i]) == &f);
    CHECK(fb.contains(names[i]));
  }
  CHECK_FALSE(fb.contains("nu"));
  CHECK(fb.total_constrained_size() == 20);
  CHECK(fb.total_unconstrained_size() == 13);
  CHECK(fb.constrained_size(13) == 20);
  CHECK(fb.unconstrained_size(20) == 13);
  CHECK(fb.name() == "fields(mu: identity, w: simplex, L: corr_cholesky, sigma: lower:0.5, cut: ordered, rho: interval:-1,1)");

  // forward and inverse over the flat vector are the fields' own, side by side.
  std::mt19937_64 g(42);
  const std::vector<double> u = uniform(g, 13, -2.0, 2.0);
  const Image<double> img = push(fb, u);
  double lad = 0.0;
  for (const Field& f : fb.fields()) {
    const std::vector<double> uf(u.begin() + f.unconstrained_offset, u.begin() + f.unconstrained_offset + f.unconstrained_size);
    const Image<double> part = push(f.bijector, uf);
    for (std::size_t k = 0; k < f.size; ++k) CHECK(img.x[f.offset + k] == part.x[k]);
    lad += part.lad;
  }
  CHECK(img.lad == doctest::Approx(lad).epsilon(1e-14));
  const std::vector<double> back = pull(fb, img.x);
  for (std::size_t i = 0; i < u.size(); ++i) CHECK(back[i] == doctest::Approx(u[i]).epsilon(1e-12));
  check_round_trip_u(fb, u, 64);
}

TEST_CASE("FieldBijector: derivatives through Var and agreement of double, Var and Dual") {
  const Bijector fb = mixed_fields();
  std::mt19937_64 g(43);
  check_forward_derivatives(fb, uniform(g, 13, -1.5, 1.5));
  check_modes(fb, uniform(g, 13, -2.0, 2.0));
}

TEST_CASE("FieldBijector: errors name the field and the problem") {
  using Fields = std::vector<std::pair<std::string, std::size_t>>;
  using Names = std::map<std::string, std::string>;
  CHECK(error_of([] { FieldBijector(Fields{{"ar", 1}, {"sd", 1}}, Names{{"ar", "sigmod"}}); }) ==
        "FieldBijector: field \"ar\": unknown bijector \"sigmod\" (known: " + std::string(known_bijector_names) + ")");
  CHECK_THROWS_AS(FieldBijector(Fields{{"ar", 1}}, Names{{"ar", "sigmod"}}), tapir::domain_error);
  CHECK(error_of([] { FieldBijector(Fields{{"ar", 1}, {"sd", 1}}, Names{{"arr", "tanh"}}); }) ==
        "FieldBijector: bijection \"tanh\" given for unknown field \"arr\" (fields: ar, sd)");
  CHECK(error_of([] { FieldBijector(Fields{{"ar", 1}}, Names{{"ar", "lower:x"}}); }) ==
        "FieldBijector: field \"ar\": bijector \"lower:x\": \"x\" is not a number");
  CHECK(error_of([] { FieldBijector(Fields{{"ar", 1}}, Names{{"ar", "interval:3,1"}}); }) ==
        "FieldBijector: field \"ar\": LowerUpper: lower bound is 3, must be less than the upper bound 1");
  CHECK(error_of([] { FieldBijector(Fields{{"ar", 1}, {"ar", 2}}, Names{}); }) == "FieldBijector: duplicate field \"ar\"");
  CHECK(error_of([] { FieldBijector(std::vector<FieldSpec>{{"L", 3, "corr_cholesky"}}); }) ==
        "FieldBijector: field \"L\" of size 3: corr_cholesky: constrained size 3 is not K^2 for any K >= 1");
  CHECK_THROWS_AS(FieldBijector(std::vector<FieldSpec>{{"w", 0, "simplex"}}), tapir::size_error);
  CHECK_THROWS_AS(FieldBijector().add("a", 3, Affine(std::vector<double>{1.0, 2.0}, 1.0)), tapir::size_error);
  CHECK(error_of([] { mixed_fields().field("nu"); }) == "FieldBijector: no field \"nu\"");
  const FieldBijector fb = mixed_fields();
  std::vector<double> u(12), x(20);
  double lad = 0.0;
  CHECK_THROWS_AS(fb.forward(std::span<const double>(u), std::span<double>(x), lad), tapir::size_error);
  // FieldSpec list: the same as add() one by one.
  const FieldBijector specs(std::vector<FieldSpec>{{"a", 2, "exp"}, {"b", 1}, {"c", 3, "simplex"}});
  CHECK(specs.name() == "fields(a: exp, b: identity, c: simplex)");
  CHECK(specs.total_unconstrained_size() == 5);
}
