// Model data from JSON: the accessors on posteriordb's eight data files, sizes and bounds, CmdStan's
// integer rule and non-finite spellings, and the message of every failure.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "models/data.hpp"

using tapir::models::Bounds;
using tapir::models::Data;
using tapir::models::Size;
namespace json = tapir::models::json;

namespace {

std::filesystem::path shared_folder() {
  if (const char* env = std::getenv("TAPIR_SHARED"); env && *env) return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / ".." / "shared";
}

Data reference_data(const std::string& posterior) {
  return Data::from_file((shared_folder() / "reference-posteriors" / posterior / "data.json").string());
}

const double inf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("data: eight_schools") {
  const Data d = reference_data("eight_schools-eight_schools_noncentered");
  CHECK(d.names() == std::vector<std::string>{"J", "y", "sigma"});
  CHECK(d.has("J"));
  CHECK(!d.has("K"));
  const Size J = d.dimension("J");
  CHECK(J.value() == 8);
  CHECK(J.name() == "J");
  CHECK(d.integers("y", J) == std::vector<int>{28, 8, -3, 7, -1, 1, 18, 12});
  CHECK(d.reals("y", J) == std::vector<double>{28, 8, -3, 7, -1, 1, 18, 12});  // integers are reals too
  const auto sigma = d.vector("sigma", J, {.lower = 0});
  REQUIRE(sigma.size() == 8);
  CHECK(sigma[0] == 15);
  CHECK(sigma[7] == 18);
  CHECK(d.integer("J") == 8);
  CHECK(d.real("J") == 8.0);
}

TEST_CASE("data: arK, garch and low_dim_gauss_mix") {
  const Data ark = reference_data("arK-arK");
  CHECK(ark.integer("K", {.lower = 1}) == 5);
  const Size T = ark.dimension("T");
  const auto y = ark.vector("y", T);
  REQUIRE(y.size() == 200);
  CHECK(y[0] == 0.729385275296256);
  CHECK(y[199] == 0.933197909938745);

  const Data garch = reference_data("garch-garch11");
  CHECK(garch.vector("y", garch.dimension("T"))[11] == -1.85880465801379);
  CHECK(garch.real("sigma1", {.lower = 0}) == 0.5);
  CHECK_THROWS_WITH_AS(garch.integer("sigma1"), "data: key \"sigma1\" is 0.5, expected an integer",
                       tapir::domain_error);

  const Data mix = reference_data("low_dim_gauss_mix-low_dim_gauss_mix");
  const auto my = mix.reals("y", mix.dimension("N"));
  REQUIRE(my.size() == 1000);
  CHECK(my[0] == -3.58542974746427);
  CHECK(my[999] == 0.760843596839809);
}

TEST_CASE("data: gp_pois_regr, kidiq and kilpisjarvi") {
  const Data gp = reference_data("gp_pois_regr-gp_regr");
  const Size N = gp.dimension("N");
  const auto k = gp.integers("k", N, {.lower = 0});
  CHECK(k.front() == 40);
  CHECK(k.back() == 33);
  CHECK(gp.vector("x", N)[0] == -10.0);
  CHECK(gp.vector("y", N)[10] == 3.92136);
  CHECK_THROWS_WITH_AS(gp.integers("y", N), "data: key \"y\" element 1 is 4.75906, expected an integer",
                       tapir::domain_error);

  const Data kid = reference_data("kidiq-kidscore_momiq");
  const Size KN = kid.dimension("N");
  const auto hs = kid.integers("mom_hs", KN, {.lower = 0, .upper = 1});
  CHECK(hs.size() == 434);
  CHECK(kid.integers("kid_score", KN).back() == 70);
  CHECK(kid.vector("mom_iq", KN)[0] == 121.117528602603);
  CHECK(kid.integer("mom_hs_new", {.lower = 0, .upper = 1}) == 1);
  CHECK(kid.real("mom_iq_new") == 100.0);
  CHECK_THROWS_WITH_AS(kid.integers("kid_score", KN, {.upper = 140}),
                       "data: key \"kid_score\" element 136 is 144, must be <= 140", tapir::domain_error);

  const Data kil = reference_data("kilpisjarvi_mod-kilpisjarvi");
  const Size KiN = kil.dimension("N");
  CHECK(kil.integers("x", KiN).front() == 3952);
  CHECK(kil.vector("y", KiN)[61] == 11.1);
  CHECK(kil.integer("xpred") == 2016);
  CHECK(kil.real("pmualpha") == 9.31290322580645);
  CHECK(kil.real("psalpha", {.lower = 0}) == 100.0);
  CHECK(kil.real("pmubeta") == 0.0);
  CHECK(kil.real("psbeta", {.lower = 0}) == 0.0333333333333333);
}

TEST_CASE("data: sblrc's matrix") {
  const Data d = reference_data("sblrc-blr");
  const Size N = d.dimension("N"), D = d.dimension("D");
  const auto X = d.matrix("X", N, D);
  REQUIRE(X.rows() == 100);
  REQUIRE(X.cols() == 5);
  CHECK(X(0, 0) == 55.4044203094843);
  CHECK(X(99, 4) == 266.736994758548);
  const auto X2 = d.matrix("X");
  CHECK(X2.rows() == 100);
  CHECK(X2.cols() == 5);
  CHECK(X2(57, 3) == X(57, 3));
  CHECK(d.vector("y", N)[99] == 51.0837533396375);
  CHECK_THROWS_WITH_AS(d.matrix("X", D, D), "data: key \"X\" has 100 rows, expected 5 (D)", tapir::size_error);
  CHECK_THROWS_WITH_AS(d.matrix("X", N, N), "data: key \"X\" row 1 has 5 elements, expected 100 (N)",
                       tapir::size_error);
  CHECK_THROWS_WITH_AS(d.vector("X"), "data: key \"X\" element 1 is an array, expected a number", tapir::domain_error);
}

TEST_CASE("data: integers follow CmdStan: integer literals only, within int") {
  const Data d = Data::from_string(
      R"({"a": 8, "b": 8.0, "c": 8e0, "d": 8.5, "e": -2147483648, "f": 2147483648,
          "h": 123456789012345678901234567890, "i": true, "j": null, "k": "8", "l": [8], "m": {"x": 1}})");
  CHECK(d.integer("a") == 8);
  CHECK_THROWS_WITH_AS(d.integer("b"), "data: key \"b\" is 8.0, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("c"), "data: key \"c\" is 8.0, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("d"), "data: key \"d\" is 8.5, expected an integer", tapir::domain_error);
  CHECK(d.integer("e") == std::numeric_limits<int>::min());
  CHECK_THROWS_WITH_AS(d.integer("f"), "data: key \"f\" is 2147483648, beyond the range of int", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("h"), "data: key \"h\" is 123456789012345677877719597056, beyond the range of int",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("i"), "data: key \"i\" is true, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("j"), "data: key \"j\" is null, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("k"), "data: key \"k\" is the string \"8\", expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("l"), "data: key \"l\" is an array, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("m"), "data: key \"m\" is an object, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.real("l"), "data: key \"l\" is an array, expected a number", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.real("k"), "data: key \"k\" is the string \"8\", expected a number", tapir::domain_error);
  CHECK(d.real("h") == 123456789012345678901234567890.0);
}

TEST_CASE("data: the messages of the issue") {
  const Data d = Data::from_string(R"({"J": 8, "sigma": [1, -1, 2, 3, 4, 5, 6], "y": [0, 1, 1.5, 1]})");
  CHECK_THROWS_WITH_AS(d.vector("sigma", d.dimension("J")), "data: key \"sigma\" has 7 elements, expected 8 (J)",
                       tapir::size_error);
  CHECK_THROWS_WITH_AS(d.reals("sigma", 8), "data: key \"sigma\" has 7 elements, expected 8", tapir::size_error);
  CHECK_THROWS_WITH_AS(d.integer("K"), "data: key \"K\" is missing", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.vector("theta"), "data: key \"theta\" is missing", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.value("theta"), "data: key \"theta\" is missing", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integers("y"), "data: key \"y\" element 3 is 1.5, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.vector("sigma", {.lower = 0}), "data: key \"sigma\" element 2 is -1, must be >= 0",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integers("y", 4, {.lower = 0, .upper = 1}),
                       "data: key \"y\" element 3 is 1.5, expected an integer", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.reals("y", 4, {.lower = 0, .upper = 1}), "data: key \"y\" element 3 is 1.5, must be <= 1",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integer("J", {.upper = 7}), "data: key \"J\" is 8, must be <= 7", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.real("J", {.lower = 8.5}), "data: key \"J\" is 8, must be >= 8.5", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integers("J"), "data: key \"J\" is 8, expected an array of integers", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.vector("J"), "data: key \"J\" is 8, expected an array of numbers", tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.matrix("J"), "data: key \"J\" is 8, expected an array of rows (arrays of numbers)",
                       tapir::domain_error);
  CHECK(d.integer("J", {.lower = 8, .upper = 8}) == 8);

  const Data one = Data::from_string(R"({"N": -1, "v": [2.5]})");
  CHECK_THROWS_WITH_AS(one.vector("v", 2), "data: key \"v\" has 1 element, expected 2", tapir::size_error);
  CHECK_THROWS_WITH_AS(one.dimension("N"), "data: key \"N\" is -1, must be >= 0", tapir::domain_error);
  CHECK_THROWS_WITH_AS(Size(-3), "data: expected size -3 is negative", tapir::size_error);
  CHECK(Size(4u).value() == 4);
  CHECK(Size(std::size_t{5}, "K").name() == "K");
}

TEST_CASE("data: non-finite reals in CmdStan's spellings, and bounds") {
  const Data d = Data::from_string(
      R"({"v": ["inf", "+Inf", "-inf", "Infinity", "-Infinity", "NaN", NaN, Infinity, -Infinity, 1, 2.5],
          "s": "-inf", "bad": ["1.5"], "w": ["infinite"]})");
  const auto v = d.reals("v", 11);
  CHECK(v[0] == inf);
  CHECK(v[1] == inf);
  CHECK(v[2] == -inf);
  CHECK(v[3] == inf);
  CHECK(v[4] == -inf);
  CHECK(std::isnan(v[5]));
  CHECK(std::isnan(v[6]));
  CHECK(v[7] == inf);
  CHECK(v[8] == -inf);
  CHECK(v[9] == 1.0);
  CHECK(v[10] == 2.5);
  CHECK(d.real("s") == -inf);
  CHECK_THROWS_WITH_AS(d.real("s", {.lower = 0}), "data: key \"s\" is the string \"-inf\", must be >= 0",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.vector("v", {.lower = -1e300}), "data: key \"v\" element 3 is the string \"-inf\", must be >= -1e+300",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.vector("v", {.upper = inf}), "data: key \"v\" element 6 is the string \"NaN\", must be <= inf",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.reals("bad"), "data: key \"bad\" element 1 is the string \"1.5\", expected a number",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.reals("w"), "data: key \"w\" element 1 is the string \"infinite\", expected a number",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.integers("v"), "data: key \"v\" element 1 is the string \"inf\", expected an integer",
                       tapir::domain_error);
}

TEST_CASE("data: matrices") {
  const Data d = Data::from_string(R"({
    "A": [[1, 2, 3], [4, 5, 6]],
    "ragged": [[1, 2, 3], [4, 5]],
    "flat": [1, 2],
    "holes": [[1, 2], [null, 4]],
    "neg": [[1, 2], [3, -4]],
    "empty": [],
    "R": 2, "C": 3
  })");
  const auto A = d.matrix("A", d.dimension("R"), d.dimension("C"), {.lower = 0});
  CHECK(A.rows() == 2);
  CHECK(A.cols() == 3);
  CHECK(A(0, 2) == 3);
  CHECK(A(1, 0) == 4);
  CHECK(A.row(1)[2] == 6);
  CHECK_THROWS_WITH_AS(d.matrix("ragged"), "data: key \"ragged\" row 2 has 2 elements, expected 3 (as row 1)",
                       tapir::size_error);
  CHECK_THROWS_WITH_AS(d.matrix("ragged", 2, d.dimension("C")),
                       "data: key \"ragged\" row 2 has 2 elements, expected 3 (C)", tapir::size_error);
  CHECK_THROWS_WITH_AS(d.matrix("A", d.dimension("C"), 3), "data: key \"A\" has 2 rows, expected 3 (C)",
                       tapir::size_error);
  CHECK_THROWS_WITH_AS(d.matrix("flat"), "data: key \"flat\" row 1 is 1, expected an array of numbers",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.matrix("holes"), "data: key \"holes\" element [2, 1] is null, expected a number",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(d.matrix("neg", {.lower = 0}), "data: key \"neg\" element [2, 2] is -4, must be >= 0",
                       tapir::domain_error);
  const auto E = d.matrix("empty");
  CHECK(E.rows() == 0);
  CHECK(E.cols() == 0);
  const auto E3 = d.matrix("empty", 0, 3);
  CHECK(E3.rows() == 0);
  CHECK(E3.cols() == 3);
  CHECK(d.vector("empty").size() == 0);
  CHECK(d.integers("empty", 0).empty());
}

TEST_CASE("data: construction") {
  CHECK_THROWS_WITH_AS(Data::from_string("[1, 2]"), "data: expected a JSON object of named items, found an array",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(Data::from_string("3"), "data: expected a JSON object of named items, found 3",
                       tapir::domain_error);
  CHECK_THROWS_WITH_AS(Data::from_string("{\"N\": 1,}", "data.json"),
                       "data.json:1:8: trailing comma before '}' (not allowed in JSON)", json::parse_error);
  CHECK_THROWS_AS(Data::from_file("/nonexistent/tapir/data.json"), std::runtime_error);
  const Data empty;
  CHECK(!empty.has("N"));
  CHECK(empty.names().empty());
  json::Object o;
  o.insert("N", 3);
  o.insert("x", json::Array{1.5, 2});
  const Data built{json::Value(o)};
  CHECK(built.integer("N") == 3);
  CHECK(built.reals("x", built.dimension("N").value() - 1) == std::vector<double>{1.5, 2.0});
  CHECK(built.object().size() == 2);
}
