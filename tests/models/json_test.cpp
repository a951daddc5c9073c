// The strict JSON reader and writer: posteriordb's data files, round trips, every syntax error with
// its line:column, numbers at the edges of double, non-finite tokens, strings and Unicode escapes.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "models/json.hpp"

namespace json = tapir::models::json;

namespace {

// The shared folder: $TAPIR_SHARED (CTest sets it), else ../shared next to the source root.
std::filesystem::path shared_folder() {
  if (const char* env = std::getenv("TAPIR_SHARED"); env && *env) return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / ".." / "shared";
}

json::Value reference_data(const std::string& posterior) {
  return json::parse_file((shared_folder() / "reference-posteriors" / posterior / "data.json").string());
}

// The message of the parse_error that parsing text throws, or "no error".
std::string error_of(std::string_view text, std::string_view source = "json") {
  try {
    json::parse(text, source);
  } catch (const json::parse_error& e) {
    return e.what();
  }
  return "no error";
}

std::vector<std::string> keys(const json::Value& v) {
  std::vector<std::string> out;
  for (const auto& member : v.as_object()) out.push_back(member.first);
  return out;
}

void check_round_trip(const json::Value& v) {
  const std::string compact = json::dump(v);
  CHECK(json::parse(compact) == v);
  CHECK(json::dump(json::parse(compact)) == compact);
  CHECK(json::parse(json::dump(v, 2)) == v);
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

}  // namespace

TEST_CASE("json: all eight reference data files parse, and each has its known keys") {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shared_folder() / "reference-posteriors")) {
    const auto path = entry.path() / "data.json";
    if (!std::filesystem::exists(path)) continue;
    ++files;
    CAPTURE(path.string());
    const json::Value v = json::parse_file(path.string());
    REQUIRE(v.is_object());
    CHECK(v.size() >= 2);
    check_round_trip(v);
  }
  CHECK(files == 8);
}

TEST_CASE("json: arK and garch") {
  const json::Value ark = reference_data("arK-arK");
  CHECK(keys(ark) == std::vector<std::string>{"K", "T", "y"});
  CHECK(ark["K"].as_number().is_exact_integer());
  CHECK(ark["K"].as_number().integer() == 5);
  CHECK(ark["T"].as_number().integer() == 200);
  REQUIRE(ark["y"].size() == 200);
  CHECK(ark["y"][0].as_double() == 0.729385275296256);
  CHECK(!ark["y"][0].as_number().is_integer());
  CHECK(ark["y"][199].as_double() == 0.933197909938745);

  const json::Value garch = reference_data("garch-garch11");
  CHECK(keys(garch) == std::vector<std::string>{"T", "y", "sigma1"});
  CHECK(garch["T"].as_number().integer() == 200);
  REQUIRE(garch["y"].size() == 200);
  CHECK(garch["y"][0].as_double() == 4.93766971429527);
  CHECK(garch["y"][11].as_double() == -1.85880465801379);
  CHECK(garch["y"][199].as_double() == 5.28480409924716);
  CHECK(garch["sigma1"].as_double() == 0.5);
  CHECK(!garch["sigma1"].as_number().is_integer());
}

TEST_CASE("json: eight_schools and gp_pois_regr") {
  const json::Value es = reference_data("eight_schools-eight_schools_noncentered");
  CHECK(keys(es) == std::vector<std::string>{"J", "y", "sigma"});
  CHECK(es["J"].as_number().integer() == 8);
  const std::vector<std::int64_t> y{28, 8, -3, 7, -1, 1, 18, 12}, sigma{15, 10, 16, 11, 9, 11, 10, 18};
  REQUIRE(es["y"].size() == 8);
  REQUIRE(es["sigma"].size() == 8);
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(es["y"][i].as_number().is_exact_integer());
    CHECK(es["y"][i].as_number().integer() == y[i]);
    CHECK(es["sigma"][i].as_number().integer() == sigma[i]);
  }
  CHECK(json::dump(es) == R"({"J":8,"y":[28,8,-3,7,-1,1,18,12],"sigma":[15,10,16,11,9,11,10,18]})");

  const json::Value gp = reference_data("gp_pois_regr-gp_regr");
  CHECK(keys(gp) == std::vector<std::string>{"N", "x", "y", "k"});
  CHECK(gp["N"].as_number().integer() == 11);
  CHECK(gp["x"].size() == 11);
  CHECK(gp["x"][0].as_number().integer() == -10);
  CHECK(gp["x"][10].as_number().integer() == 10);
  CHECK(gp["y"][0].as_double() == 4.75906);
  CHECK(gp["y"][10].as_double() == 3.92136);
  CHECK(gp["k"][8].as_number().integer() == 77);
}

TEST_CASE("json: kidiq and kilpisjarvi") {
  const json::Value kid = reference_data("kidiq-kidscore_momiq");
  CHECK(keys(kid) == std::vector<std::string>{"N", "kid_score", "mom_hs", "mom_iq", "mom_hs_new", "mom_iq_new"});
  CHECK(kid["N"].as_number().integer() == 434);
  for (const char* k : {"kid_score", "mom_hs", "mom_iq"}) CHECK(kid[k].size() == 434);
  CHECK(kid["kid_score"][0].as_number().integer() == 65);
  CHECK(kid["kid_score"][433].as_number().integer() == 70);
  CHECK(kid["mom_iq"][0].as_double() == 121.117528602603);
  CHECK(kid["mom_iq"][433].as_double() == 91.2533362836924);
  CHECK(kid["mom_hs_new"].as_number().integer() == 1);
  CHECK(kid["mom_iq_new"].as_number().integer() == 100);

  const json::Value kil = reference_data("kilpisjarvi_mod-kilpisjarvi");
  CHECK(keys(kil) == std::vector<std::string>{"N", "x", "y", "xpred", "pmualpha", "psalpha", "pmubeta", "psbeta"});
  CHECK(kil["N"].as_number().integer() == 62);
  CHECK(kil["x"].size() == 62);
  CHECK(kil["x"][0].as_number().integer() == 3952);
  CHECK(kil["x"][61].as_number().integer() == 4013);
  CHECK(kil["y"][0].as_double() == 8.3);
  CHECK(kil["y"][8].as_number().is_exact_integer());  // written 11
  CHECK(kil["y"][61].as_double() == 11.1);
  CHECK(kil["xpred"].as_number().integer() == 2016);
  CHECK(kil["pmualpha"].as_double() == 9.31290322580645);
  CHECK(kil["psalpha"].as_number().integer() == 100);
  CHECK(kil["pmubeta"].as_number().integer() == 0);
  CHECK(kil["psbeta"].as_double() == 0.0333333333333333);
}

TEST_CASE("json: low_dim_gauss_mix and sblrc (a matrix)") {
  const json::Value mix = reference_data("low_dim_gauss_mix-low_dim_gauss_mix");
  CHECK(keys(mix) == std::vector<std::string>{"N", "y"});
  CHECK(mix["N"].as_number().integer() == 1000);
  CHECK(mix["y"].size() == 1000);
  CHECK(mix["y"][0].as_double() == -3.58542974746427);
  CHECK(mix["y"][999].as_double() == 0.760843596839809);

  const json::Value blr = reference_data("sblrc-blr");
  CHECK(keys(blr) == std::vector<std::string>{"y", "X", "D", "N"});
  CHECK(blr["N"].as_number().integer() == 100);
  CHECK(blr["D"].as_number().integer() == 5);
  REQUIRE(blr["X"].size() == 100);
  for (const json::Value& row : blr["X"].as_array()) CHECK(row.size() == 5);
  CHECK(blr["X"][0][0].as_double() == 55.4044203094843);
  CHECK(blr["X"][99][4].as_double() == 266.736994758548);
  CHECK(blr["y"][0].as_double() == 35.5808955942513);
  CHECK(blr["y"][99].as_double() == 51.0837533396375);
}

TEST_CASE("json: structure and whitespace") {
  const json::Value v = json::parse(" \t\r\n{ \"a\" : [ 1 , 2.5 , \"x\" , true , false , null , [ ] , { } ] }\n");
  const json::Array& a = v["a"].as_array();
  REQUIRE(a.size() == 8);
  CHECK(a[0] == json::Value(1));
  CHECK(a[1] == json::Value(2.5));
  CHECK(a[2] == json::Value("x"));
  CHECK(a[3] == json::Value(true));
  CHECK(a[4] == json::Value(false));
  CHECK(a[5].is_null());
  CHECK(a[6] == json::Value(json::Array{}));
  CHECK(a[7] == json::Value(json::Object{}));
  CHECK(json::parse("\"just a string\"") == json::Value("just a string"));
  CHECK(json::parse("0") == json::Value(0));
  CHECK(json::parse("\xEF\xBB\xBF{}") == json::Value(json::Object{}));  // a byte order mark is skipped

  // Keys keep their order; equality ignores it.
  const json::Value o = json::parse(R"({"z": 1, "a": 2, "m": 3})");
  CHECK(keys(o) == std::vector<std::string>{"z", "a", "m"});
  CHECK(json::dump(o) == R"({"z":1,"a":2,"m":3})");
  CHECK(o == json::parse(R"({"a": 2, "m": 3, "z": 1})"));
  CHECK(!(o == json::parse(R"({"a": 2, "m": 3, "z": 1.0})")));
  CHECK(!(o == json::parse(R"({"a": 2, "m": 3})")));

  // Many keys (the reader switches to a hash index for duplicate checks).
  std::string big = "{";
  for (int i = 0; i < 200; ++i) big += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  const json::Value many = json::parse(big + "}");
  CHECK(many.size() == 200);
  CHECK(many["k199"].as_number().integer() == 199);
  CHECK(error_of(big + ",\"k150\":0}").find("duplicate key \"k150\" in object (first at 1:") != std::string::npos);
  CHECK(error_of(big + ",\"k7\":0}").find("duplicate key \"k7\" in object (first at 1:") != std::string::npos);

  // Nesting: max_depth levels are fine, one more is not.
  const std::string deep = std::string(json::max_depth, '[') + std::string(json::max_depth, ']');
  CHECK(json::parse(deep).is_array());
  CHECK(error_of("[" + deep + "]") == "json:1:513: arrays and objects nested more than 512 deep");
  std::string deep_objects;
  for (std::size_t i = 0; i < json::max_depth; ++i) deep_objects += "{\"a\":";
  CHECK(error_of(deep_objects + "{}" + std::string(json::max_depth, '}')) ==
        "json:1:" + std::to_string(5 * json::max_depth + 1) + ": arrays and objects nested more than 512 deep");
}

TEST_CASE("json: syntax errors name line, column and what was expected") {
  // The example from the issue, with a file name.
  const std::string doc = "{\n  \"J\": 8,\n  \"y\": [1, 2] \"sigma\": 3\n}";
  CHECK(error_of(doc, "data.json") == "data.json:3:15: expected ',' or '}' after object member \"y\", found '\"'");
  try {
    json::parse(doc, "data.json");
    FAIL("no error");
  } catch (const json::parse_error& e) {
    CHECK(e.line() == 3);
    CHECK(e.column() == 15);
    CHECK(e.source() == "data.json");
    CHECK(e.reason() == "expected ',' or '}' after object member \"y\", found '\"'");
  }
  CHECK_THROWS_AS(json::parse("[1,]"), tapir::domain_error);  // parse_error is a tapir::domain_error

  struct Case {
    std::string_view text;
    std::string_view message;
  };
  static constexpr Case cases[] = {
      // Empty input and missing values.
      {"", "json:1:1: expected a value, found end of input"},
      {"  \n  ", "json:2:3: expected a value, found end of input"},
      {"[1, , 2]", "json:1:5: expected a value, found ','"},
      {"{\"a\": }", "json:1:7: expected a value, found '}'"},
      // Trailing commas.
      {"[1, 2,]", "json:1:6: trailing comma before ']' (not allowed in JSON)"},
      {"{\"a\": 1,\n}", "json:1:8: trailing comma before '}' (not allowed in JSON)"},
      {"{\r\n\"a\":1,\r\n}", "json:2:6: trailing comma before '}' (not allowed in JSON)"},
      // Comments.
      {"{\n  // the count\n  \"N\": 1}", "json:2:3: comments are not allowed in JSON"},
      {"[1 /* one */]", "json:1:4: comments are not allowed in JSON"},
      {"{} // done", "json:1:4: comments are not allowed in JSON"},
      // Duplicate keys.
      {"{\n  \"y\": 1,\n  \"y\": 2\n}", "json:3:3: duplicate key \"y\" in object (first at 2:3)"},
      {"[{\"a\": 1}, {\"a\": 2, \"b\": {\"a\": 3, \"a\": 4}}]",
       "json:1:35: duplicate key \"a\" in object (first at 1:27)"},
      // Leading zeros.
      {"[01]", "json:1:2: leading zeros are not allowed in numbers"},
      {"-012", "json:1:1: leading zeros are not allowed in numbers"},
      {"[00.5]", "json:1:2: leading zeros are not allowed in numbers"},
      // Unterminated strings and control characters.
      {"{\"a\": \"abc", "json:1:7: unterminated string: no closing '\"' before the end of input"},
      {"\"abc\\", "json:1:1: unterminated string: no closing '\"' before the end of input"},
      {"[\"ab\ncd\"]",
       "json:1:5: control character U+000A in string must be escaped as \\n (or is the string's closing '\"' missing?)"},
      {"\"a\tb\"", "json:1:3: control character U+0009 in string must be escaped as \\t"},
      {"\"a\x01\"", "json:1:3: control character U+0001 in string must be escaped as \\u0001"},
      {std::string_view("\"a\0\"", 4), "json:1:3: control character U+0000 in string must be escaped as \\u0000"},
      // Trailing garbage.
      {"{} x", "json:1:4: unexpected 'x' after the JSON value (only whitespace may follow it)"},
      {"1 2", "json:1:3: unexpected '2' after the JSON value (only whitespace may follow it)"},
      {"{}}", "json:1:3: unexpected '}' after the JSON value (only whitespace may follow it)"},
      {"[1]\n\n  ,", "json:3:3: unexpected ',' after the JSON value (only whitespace may follow it)"},
      {std::string_view("1\0", 2),
       "json:1:2: unexpected control character U+0000 after the JSON value (only whitespace may follow it)"},
      // Separators and brackets.
      {"[1 2]", "json:1:4: expected ',' or ']' after array element, found '2'"},
      {"[1, 2",
       "json:1:6: expected ',' or ']' after array element, found end of input (the array opened at 1:1 is not closed)"},
      {"{\"a\": 1",
       "json:1:8: expected ',' or '}' after object member \"a\", found end of input (the object opened at 1:1 is not closed)"},
      {"{\"a\": 1]", "json:1:8: expected ',' or '}' after object member \"a\", found ']'"},
      {"{\"a\" 1}", "json:1:6: expected ':' after object key \"a\", found '1'"},
      {"{a: 1}", "json:1:2: expected a string key or '}', found 'a' (object keys are strings in double quotes)"},
      {"{\"a\": 1, 'b': 2}", "json:1:10: expected a string key, found '\\'' (JSON strings are in double quotes)"},
      {"{\"a\": 1,", "json:1:9: expected a string key, found end of input (the object opened at 1:1 is not closed)"},
      {"['a']", "json:1:2: expected a value, found '\\'' (JSON strings are in double quotes)"},
      // Literals.
      {"[True]", "json:1:2: expected a value, found 'True' (the literals true, false and null are lowercase)"},
      {"[nul]", "json:1:2: expected a value, found 'nul'"},
      {"[truex]", "json:1:2: expected a value, found 'truex'"},
      {"nan", "json:1:1: expected a value, found 'nan' (non-finite reals are written NaN, Infinity, -Infinity)"},
      {"-NaN", "json:1:2: expected a digit after '-', found 'NaN'"},
      // Numbers.
      {"-", "json:1:2: expected a digit after '-', found end of input"},
      {"[- 1]", "json:1:3: expected a digit after '-', found ' '"},
      {"[1.]", "json:1:4: expected a digit after the decimal point, found ']'"},
      {"1.e5", "json:1:3: expected a digit after the decimal point, found 'e5'"},
      {"1e", "json:1:3: expected a digit in the exponent, found end of input"},
      {"[1e+]", "json:1:5: expected a digit in the exponent, found ']'"},
      {".5", "json:1:1: expected a value, found '.' (a JSON number starts with a digit or '-')"},
      {"+1", "json:1:1: expected a value, found '+' (a JSON number starts with a digit or '-')"},
      {"[0x10]", "json:1:3: expected ',' or ']' after array element, found 'x10'"},
      {"[1e400]", "json:1:2: number 1e400 is beyond the range of a double (about 1.8e308)"},
      {"-1.8e308", "json:1:1: number -1.8e308 is beyond the range of a double (about 1.8e308)"},
      // Escapes and Unicode.
      {"\"a\\x\"", "json:1:3: invalid escape '\\x' in string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"},
      {"\"\\u12\"", "json:1:2: expected four hex digits after \\u"},
      {"\"\\u12G4\"", "json:1:2: expected four hex digits after \\u"},
      {"\"ab\\uD800\"",
       "json:1:4: unpaired surrogate \\uD800 in string (a high surrogate must be followed by a low surrogate \\uDC00-\\uDFFF)"},
      {"\"\\uD83D\\u0041\"",
       "json:1:2: unpaired surrogate \\uD83D in string (a high surrogate must be followed by a low surrogate \\uDC00-\\uDFFF)"},
      {"\"\\uD83D\\uZZZZ\"", "json:1:8: expected four hex digits after \\u"},
      {"\"\\uDE00\"",
       "json:1:2: unpaired surrogate \\uDE00 in string (a low surrogate must follow a high surrogate \\uD800-\\uDBFF)"},
      {"\"a\xFF\"", "json:1:3: invalid UTF-8 in string (byte 0xFF)"},
      {"\"\xC0\xAF\"", "json:1:2: invalid UTF-8 in string (byte 0xC0)"},          // overlong '/'
      {"\"\xED\xA0\x80\"", "json:1:2: invalid UTF-8 in string (byte 0xED)"},      // a surrogate
      {"\"\xF4\x90\x80\x80\"", "json:1:2: invalid UTF-8 in string (byte 0xF4)"},  // beyond U+10FFFF
      {"\"\xE2\x82\"", "json:1:2: invalid UTF-8 in string (byte 0xE2)"},          // truncated
      {"[\xC3\xA9]", "json:1:2: expected a value, found '\xC3\xA9' (U+00E9)"},
      {"[\x80]", "json:1:2: expected a value, found byte 0x80 (not UTF-8)"},
      // Columns count characters, not bytes; a byte order mark is not a column.
      {"[\"\xC3\xA9\xE2\x82\xAC\", x]", "json:1:8: expected a value, found 'x'"},
      {"\xEF\xBB\xBF[1,]", "json:1:3: trailing comma before ']' (not allowed in JSON)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(error_of(c.text) == c.message);
  }
  CHECK(error_of(std::string(400, '9')) ==
        "json:1:1: number " + std::string(37, '9') + "... is beyond the range of a double (about 1.8e308)");
}

TEST_CASE("json: parse_file names the file") {
  const auto path = std::filesystem::temp_directory_path() / "tapir_json_test_bad.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\n  \"N\": 3,\n  \"y\": [1, 2, 3,]\n}\n";
  }
  try {
    json::parse_file(path.string());
    FAIL("no error");
  } catch (const json::parse_error& e) {
    CHECK(std::string(e.what()) == path.string() + ":3:16: trailing comma before ']' (not allowed in JSON)");
    CHECK(e.source() == path.string());
  }
  std::filesystem::remove(path);
  CHECK_THROWS_AS(json::parse_file(path.string()), std::runtime_error);
  try {
    json::parse_file(path.string());
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
  }
  CHECK_THROWS_AS(json::parse_file(std::filesystem::temp_directory_path().string()), std::runtime_error);
}

TEST_CASE("json: integers are kept exactly and stay integers") {
  const json::Number n = json::parse("9007199254740993").as_number();  // 2^53 + 1
  CHECK(n.is_integer());
  CHECK(n.is_exact_integer());
  CHECK(n.integer() == 9007199254740993LL);
  CHECK(n.value() == 9007199254740992.0);
  CHECK(json::dump(json::Value(n)) == "9007199254740993");

  CHECK(json::parse("9223372036854775807").as_number().integer() == std::numeric_limits<std::int64_t>::max());
  CHECK(json::parse("-9223372036854775808").as_number().integer() == std::numeric_limits<std::int64_t>::min());

  // Beyond int64: still an integer literal, kept as its nearest double.
  const json::Value big = json::parse("9223372036854775808");
  CHECK(big.as_number().is_integer());
  CHECK(!big.as_number().is_exact_integer());
  CHECK(big.as_double() == 9223372036854775808.0);
  CHECK(json::dump(big) == "9223372036854775808");
  check_round_trip(big);
  const json::Value huge = json::parse("-123456789012345678901234567890");
  CHECK(huge.as_number().is_integer());
  CHECK(huge.as_double() == -123456789012345678901234567890.0);
  CHECK(json::dump(huge).find_first_of(".e") == std::string::npos);
  check_round_trip(huge);
  CHECK(json::Value(std::numeric_limits<std::uint64_t>::max()).as_number().is_integer());
  CHECK(!json::Value(std::numeric_limits<std::uint64_t>::max()).as_number().is_exact_integer());

  // 8, 8.0 and 8e0 differ in form (CmdStan reads the last two as reals).
  CHECK(json::parse("8").as_number().is_integer());
  CHECK(!json::parse("8.0").as_number().is_integer());
  CHECK(!json::parse("8e0").as_number().is_integer());
  CHECK(!(json::parse("8") == json::parse("8.0")));
  CHECK(json::parse("8.0") == json::parse("8e0"));
  CHECK(json::dump(json::parse("8.0")) == "8.0");
  CHECK(json::dump(json::parse("8E0")) == "8.0");

  // -0 as an integer literal is the integer 0; -0.0 keeps its sign.
  const json::Number minus_zero = json::parse("-0").as_number();
  CHECK(minus_zero.is_exact_integer());
  CHECK(minus_zero.integer() == 0);
  CHECK(json::parse("-0") == json::Value(0));
  const double real_minus_zero = json::parse("-0.0").as_double();
  CHECK(real_minus_zero == 0.0);
  CHECK(std::signbit(real_minus_zero));
  CHECK(json::dump(json::parse("-0.0")) == "-0.0");
  CHECK(!(json::parse("-0.0") == json::parse("0.0")));
}

TEST_CASE("json: reals are read correctly rounded, at the edges of double too") {
  const auto real = [](const char* text) { return json::parse(text).as_double(); };
  CHECK(real("1e5") == 100000.0);
  CHECK(real("1E+5") == 100000.0);
  CHECK(real("1e-5") == 1e-5);
  CHECK(real("-2.5E-3") == -0.0025);
  CHECK(real("0.1") == 0.1);
  CHECK(real("123.456e2") == 12345.6);
  CHECK(real("0e99999999999") == 0.0);
  CHECK(real("9007199254740993.0") == 9007199254740992.0);  // a tie rounds to even
  CHECK(real("9007199254740995.0") == 9007199254740996.0);
  CHECK(real("0.30000000000000004") == 0.1 + 0.2);
  CHECK(real("1e308") == 1e308);
  CHECK(real("1.7976931348623157e308") == std::numeric_limits<double>::max());
  CHECK(real("-1.7976931348623157e308") == -std::numeric_limits<double>::max());
  CHECK(real("2.2250738585072014e-308") == std::numeric_limits<double>::min());
  // Subnormals are kept.
  CHECK(real("2.2250738585072011e-308") == std::nextafter(std::numeric_limits<double>::min(), 0.0));
  CHECK(real("4.9406564584124654e-324") == std::numeric_limits<double>::denorm_min());
  CHECK(real("5e-324") == std::numeric_limits<double>::denorm_min());
  CHECK(real("2.4703282292062328e-324") == std::numeric_limits<double>::denorm_min());  // just above half
  CHECK(real("1e-310") == 1e-310);
  // Below half the smallest subnormal: zero, with the sign.
  CHECK(same_bits(real("2.4703282292062327e-324"), 0.0));
  CHECK(same_bits(real("1e-400"), 0.0));
  CHECK(same_bits(real("-1e-400"), -0.0));
  CHECK(same_bits(real("0.0000000000000000000000000000001e-99999999"), 0.0));
  CHECK(!json::parse("1e-400").as_number().is_integer());
}

TEST_CASE("json: dump writes the shortest round-trip decimal, reals always as reals") {
  const auto text = [](double x) { return json::dump(json::Value(x)); };
  CHECK(text(0.1) == "0.1");
  CHECK(text(1.0 / 3.0) == "0.3333333333333333");
  CHECK(text(2.0 / 3.0) == "0.6666666666666666");
  CHECK(text(8.0) == "8.0");
  CHECK(text(-1.0) == "-1.0");
  CHECK(text(123456.0) == "123456.0");
  CHECK(text(1e20) == "1e+20");
  CHECK(text(-0.0) == "-0.0");
  CHECK(text(5e-324) == "5e-324");
  CHECK(text(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
  CHECK(text(0.1 + 0.2) == "0.30000000000000004");
  CHECK(json::dump(json::Value(42)) == "42");
  CHECK(json::dump(json::Value(-7L)) == "-7");
  CHECK(json::to_string(json::Number::from_real(2.5)) == "2.5");

  // Every finite double reads back bit for bit.
  std::mt19937_64 rng(20240601);
  for (int k = 0; k < 20000; ++k) {
    const double x = std::bit_cast<double>(rng());
    if (!std::isfinite(x)) continue;
    const std::string s = json::dump(json::Value(x));
    CAPTURE(s);
    REQUIRE(same_bits(json::parse(s).as_double(), x));
  }
  std::uniform_real_distribution<double> u(-1000, 1000);
  for (int k = 0; k < 20000; ++k) {
    const double x = u(rng);
    REQUIRE(same_bits(json::parse(json::dump(json::Value(x))).as_double(), x));
  }
}

TEST_CASE("json: CmdStan's non-finite reals") {
  const json::Value v = json::parse("[NaN, Infinity, -Infinity, Inf, -Inf, inf, -inf, \"inf\"]");
  const json::Array& a = v.as_array();
  REQUIRE(a.size() == 8);
  CHECK(std::isnan(a[0].as_double()));
  CHECK(!a[0].as_number().is_integer());
  CHECK(a[1].as_double() == std::numeric_limits<double>::infinity());
  CHECK(a[2].as_double() == -std::numeric_limits<double>::infinity());
  CHECK(a[3].as_double() == std::numeric_limits<double>::infinity());
  CHECK(a[4].as_double() == -std::numeric_limits<double>::infinity());
  CHECK(a[5].as_double() == std::numeric_limits<double>::infinity());
  CHECK(a[6].as_double() == -std::numeric_limits<double>::infinity());
  CHECK(a[7].is_string());  // strings stay strings; special_real reads them
  CHECK(json::dump(v) == "[NaN,Infinity,-Infinity,Infinity,-Infinity,Infinity,-Infinity,\"inf\"]");
  check_round_trip(v);
  CHECK(json::Value(std::nan("")) == json::Value(std::nan("")));

  const double inf = std::numeric_limits<double>::infinity();
  for (const char* s : {"inf", "Inf", "INF", "+inf", "infinity", "Infinity", "+Infinity"}) CHECK(json::special_real(s) == inf);
  for (const char* s : {"-inf", "-Inf", "-infinity", "-Infinity", "-INFINITY"}) CHECK(json::special_real(s) == -inf);
  for (const char* s : {"NaN", "nan", "NAN"}) {
    REQUIRE(json::special_real(s).has_value());
    CHECK(std::isnan(*json::special_real(s)));
  }
  for (const char* s : {"", "in", "infinit", "infinityy", "-nan", "+nan", "1", " inf", "--inf", "+-inf"})
    CHECK(!json::special_real(s).has_value());
}

TEST_CASE("json: strings, escapes and UTF-8") {
  const auto str = [](const char* text) { return json::parse(text).as_string(); };
  CHECK(str(R"("\" \\ \/ \b \f \n \r \t")") == "\" \\ / \b \f \n \r \t");
  CHECK(str(R"("\u0041\u00e9\u00E9")") == "A\xC3\xA9\xC3\xA9");
  CHECK(str(R"("\u20AC")") == "\xE2\x82\xAC");
  CHECK(str(R"("\uD83D\uDE00")") == "\xF0\x9F\x98\x80");  // U+1F600 from a surrogate pair
  CHECK(str(R"("\uDBFF\uDFFF")") == "\xF4\x8F\xBF\xBF");  // U+10FFFF
  CHECK(str(R"("\u0000")") == std::string(1, '\0'));
  CHECK(str(R"("\u007f\u0080\u07FF\u0800\uFFFF")") == "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF");
  CHECK(str("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(str("\"\x7F\"") == "\x7F");

  // The writer escapes what it must and writes the rest as UTF-8.
  CHECK(json::dump(json::Value(std::string("a\"b\\c/\n\t\b\f\r\x01\x1F\0z", 15))) ==
        R"("a\"b\\c/\n\t\b\f\r\u0001\u001F\u0000z")");
  CHECK(json::dump(json::Value("\xC3\xA9\xF0\x9F\x98\x80")) == "\"\xC3\xA9\xF0\x9F\x98\x80\"");
  std::string all;
  for (int c = 0; c < 128; ++c) all += static_cast<char>(c);
  all += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  check_round_trip(json::Value(all));
  check_round_trip(json::Value(json::Object{{all, all}}));
  CHECK_THROWS_AS(json::dump(json::Value("bad \xFF byte")), tapir::domain_error);
  CHECK_THROWS_AS(json::dump(json::Value(json::Object{{"\xC0\xAF", 1}})), tapir::domain_error);
}

TEST_CASE("json: building values and dumping them") {
  json::Object o{{"a", 1}, {"b", json::Array{1, 2.5, "x"}}};
  CHECK(o.insert("c", json::Object{{"d", nullptr}}));
  CHECK(!o.insert("a", 2));  // already there: unchanged
  CHECK(o.at("a") == json::Value(1));
  o["e"] = json::Array{json::Array{1}, json::Array{}, json::Object{}};
  o.set("f", true);
  o.set("f", false);
  CHECK(o.size() == 5);
  json::Value v(o);
  CHECK(json::dump(v) == R"({"a":1,"b":[1,2.5,"x"],"c":{"d":null},"e":[[1],[],{}],"f":false})");
  CHECK(json::dump(v, 2) ==
        "{\n"
        "  \"a\": 1,\n"
        "  \"b\": [1, 2.5, \"x\"],\n"
        "  \"c\": {\n"
        "    \"d\": null\n"
        "  },\n"
        "  \"e\": [\n"
        "    [1],\n"
        "    [],\n"
        "    {}\n"
        "  ],\n"
        "  \"f\": false\n"
        "}");
  CHECK(json::dump(json::Value(json::Array{}), 2) == "[]");
  check_round_trip(v);
  CHECK(o.erase("c"));
  CHECK(!o.erase("c"));
  CHECK(!o.contains("c"));
  CHECK_THROWS_AS((json::Object{{"a", 1}, {"a", 2}}), tapir::domain_error);

  // Accessors: type errors and missing members.
  CHECK(v.type() == json::Type::object);
  CHECK(json::type_name(v["b"].type()) == "array");
  CHECK(v.find("zz") == nullptr);
  CHECK(v.find("a") != nullptr);
  CHECK(json::Value(1).find("a") == nullptr);
  CHECK_THROWS_WITH_AS(v["b"].as_string(), "json: value is an array, expected a string", tapir::domain_error);
  CHECK_THROWS_WITH_AS(json::Value().as_double(), "json: value is null, expected a number", tapir::domain_error);
  CHECK_THROWS_WITH_AS(v["zz"], "json: no member \"zz\" in object", std::out_of_range);
  CHECK_THROWS_WITH_AS(v["b"][3], "json: index 3 is past the end of an array of 3 elements", std::out_of_range);
  CHECK(v["b"][2].as_string() == "x");
  CHECK(json::Value(1.5f).as_double() == 1.5);
  CHECK(json::Value(std::string_view("sv")).as_string() == "sv");
}
