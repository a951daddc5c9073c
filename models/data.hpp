#pragma once
// Model data: named scalars, arrays and matrices read from a JSON object in CmdStan's layout
// (as in posteriordb's data.json files):
//
//   {"J": 8, "y": [28, 8, -3, 7, -1, 1, 18, 12], "sigma": [15, 10, 16, 11, 9, 11, 10, 18]}
//
//   const auto data = tapir::models::Data::from_file("data.json");
//   const Size J = data.dimension("J");                       // an integer >= 0, remembers "J"
//   const std::vector<int> y = data.integers("y", J);
//   const auto sigma = data.vector("sigma", J, {.lower = 0});
//
// Conventions (CmdStan's):
// - Integers: an integer-valued item must be written as an integer literal: 8 is accepted, 8.5,
//   8.0 and 8e0 are not (CmdStan reads a number with '.' or an exponent as a real and rejects it
//   for an int variable: "int variable contained non-int values"). Values must fit in int.
// - Reals: integer and real literals, the bare tokens NaN, Infinity, -Infinity (and Inf, inf), and
//   the strings "NaN", "Inf", "+Inf", "-Inf", "Infinity", "+Infinity", "-Infinity" in any case.
// - No reshaping: a scalar is not a one-element array nor the reverse; a matrix is an array of
//   rows of equal length; an empty array is a vector of size 0 (a matrix with 0 rows).
// - Bounds are inclusive; NaN fails every bound.
//
// Every failure throws tapir::domain_error, or tapir::size_error for a wrong number of elements,
// rows or columns, with a message naming the key; elements are numbered from 1, as in Stan:
//   data: key "J" is missing
//   data: key "sigma" has 7 elements, expected 8 (J)
//   data: key "y" element 3 is 1.5, expected an integer
//   data: key "sigma" element 2 is -1, must be >= 0
//   data: key "X" element [2, 3] is the string "abc", expected a number
// Syntax errors in the JSON are json::parse_error (a tapir::domain_error) with file:line:column.
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/vector.hpp"
#include "models/json.hpp"

namespace tapir::models {

// Inclusive bounds on every value of a data item; either may be absent: {.lower = 0}.
struct Bounds {
  std::optional<double> lower{};  // (the initializers keep -Wmissing-field-initializers quiet)
  std::optional<double> upper{};
};

// An expected number of elements (rows, columns), with the name of the data item it came from,
// which messages quote: "expected 8 (J)". Converts to std::size_t.
class Size {
 public:
  // Throws tapir::size_error for a negative n.
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Size(I n, std::string name = {}) : value_(checked(n)), name_(std::move(name)) {}

  std::size_t value() const noexcept { return value_; }
  const std::string& name() const noexcept { return name_; }
  operator std::size_t() const noexcept { return value_; }

 private:
  template <class I>
  static std::size_t checked(I n) {
    if constexpr (std::is_signed_v<I>)
      if (n < 0) negative(static_cast<long long>(n));
    return static_cast<std::size_t>(n);
  }
  [[noreturn]] static void negative(long long n);
  std::size_t value_;
  std::string name_;
};

class Data {
 public:
  Data() = default;  // no items
  // Throws tapir::domain_error unless root is an object.
  explicit Data(json::Value root);
  // Reads JSON (json::parse_error on bad syntax; std::runtime_error if the file cannot be read).
  static Data from_file(const std::string& path);
  static Data from_string(std::string_view text, std::string_view source = "json");

  bool has(std::string_view name) const noexcept { return object_.contains(name); }
  // Keys in file order.
  std::vector<std::string> names() const;
  const json::Object& object() const noexcept { return object_; }
  // The item as parsed; throws if it is missing.
  const json::Value& value(std::string_view name) const;

  int integer(std::string_view name, const Bounds& bounds = {}) const;
  double real(std::string_view name, const Bounds& bounds = {}) const;
  // An integer >= 0 used as a size; the Size carries the name for later messages.
  Size dimension(std::string_view name) const;

  // Arrays of numbers, with any number of elements or with exactly `size`.
  std::vector<int> integers(std::string_view name, const Bounds& bounds = {}) const;
  std::vector<int> integers(std::string_view name, const Size& size, const Bounds& bounds = {}) const;
  std::vector<double> reals(std::string_view name, const Bounds& bounds = {}) const;
  std::vector<double> reals(std::string_view name, const Size& size, const Bounds& bounds = {}) const;
  autodiff::Vector<double> vector(std::string_view name, const Bounds& bounds = {}) const;
  autodiff::Vector<double> vector(std::string_view name, const Size& size, const Bounds& bounds = {}) const;

  // An array of equal-length rows of numbers (row-major), any shape or exactly rows x cols.
  autodiff::Matrix<double> matrix(std::string_view name, const Bounds& bounds = {}) const;
  autodiff::Matrix<double> matrix(std::string_view name, const Size& rows, const Size& cols,
                                  const Bounds& bounds = {}) const;

 private:
  const json::Array& array(std::string_view name, const Size* size, const char* of) const;
  std::vector<int> integers_impl(std::string_view name, const Size* size, const Bounds& bounds) const;
  std::vector<double> reals_impl(std::string_view name, const Size* size, const Bounds& bounds) const;
  autodiff::Matrix<double> matrix_impl(std::string_view name, const Size* rows, const Size* cols,
                                       const Bounds& bounds) const;

  json::Object object_;
};

}  // namespace tapir::models
