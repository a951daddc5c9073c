#pragma once
// Strict JSON for model data and outputs: a value type, a reader whose errors name the line and
// column, and a writer.
//
// Reading (RFC 8259, strictly): no comments, no trailing commas, no duplicate keys in an object, no
// leading zeros, no unescaped control characters in strings, nothing but whitespace after the
// value, strings must be valid UTF-8, nesting at most `max_depth` arrays/objects deep. A UTF-8 byte
// order mark at the very start is skipped. Errors are `parse_error`, with a message
//   "<source>:<line>:<column>: <what was expected>, found <what was there>"
// where line and column are 1-based and the column counts characters (UTF-8 code points).
//
// Numbers keep whether they were written as an integer literal (no '.', no exponent), as CmdStan's
// data reader does: 8 is an integer, 8.0 and 8e0 are reals. Integer literals in the range of
// int64 are kept exactly (9007199254740993 is not rounded; -0 is the integer 0); larger ones keep
// only their nearest double (and stay integers). Reals are read correctly rounded; a literal beyond the largest double
// (1e400) is an error, one below the smallest subnormal (1e-400) reads as 0 (-1e-400 as -0),
// subnormals are kept. The extensions CmdStan accepts for non-finite reals are read as bare tokens:
// NaN, Infinity, -Infinity, Inf, -Inf, inf, -inf. The same spellings inside strings ("inf",
// "+inf", "-Infinity", "NaN", case-insensitive) stay strings in the Value; `special_real` reads
// them, and the model-data accessors (models/data.hpp) accept them wherever a real is expected.
//
// Writing: `dump` writes reals as the shortest decimal that reads back to the same double (at most
// 17 significant digits; 0.1 is written 0.1), with ".0" added to integral reals so that they read
// back as reals (8.0, -0.0); integers as integers; NaN and infinities as the bare tokens NaN,
// Infinity, -Infinity (which CmdStan and Python's json module read; they are not RFC 8259 JSON).
// Strings are written as UTF-8 with ", \ and control characters escaped. parse(dump(v)) == v for
// every value v whose strings are valid UTF-8 and whose nesting is within max_depth.
//
// Equality (==) means "reads and writes the same": 8 != 8.0, NaN == NaN, -0.0 != 0.0, and objects
// compare their members regardless of order.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "autodiff/errors.hpp"

namespace tapir::models::json {

class Value;

// Deepest nesting of arrays and objects the reader accepts.
inline constexpr std::size_t max_depth = 512;

// A syntax error. what() is "<source>:<line>:<column>: <reason>".
class parse_error : public tapir::domain_error {
 public:
  parse_error(std::string source, std::size_t line, std::size_t column, std::string reason);
  const std::string& source() const noexcept { return source_; }
  std::size_t line() const noexcept { return line_; }      // 1-based
  std::size_t column() const noexcept { return column_; }  // 1-based, in characters
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string source_;
  std::size_t line_;
  std::size_t column_;
  std::string reason_;
};

// A number: its nearest double, and whether it was written as an integer literal.
class Number {
 public:
  Number() = default;  // the integer 0
  static Number from_integer(std::int64_t v) noexcept { return Number(static_cast<double>(v), v, Form::integer); }
  static Number from_real(double v) noexcept { return Number(v, 0, Form::real); }
  // An integer literal beyond the range of int64: only its nearest double is kept.
  static Number from_big_integer(double v) noexcept { return Number(v, 0, Form::big_integer); }

  // Written as an integer literal (no '.', no exponent, not NaN or an infinity).
  bool is_integer() const noexcept { return form_ != Form::real; }
  // An integer literal within the range of int64: integer() is exact.
  bool is_exact_integer() const noexcept { return form_ == Form::integer; }
  // The exact integer; meaningful only if is_exact_integer().
  std::int64_t integer() const noexcept { return integer_; }
  // The nearest double (for integers beyond 2^53 the rounded value).
  double value() const noexcept { return value_; }

  // Same form and same value: exact integers compare as integers, everything else by its double,
  // where NaN equals NaN and -0.0 differs from 0.0 (equal means "reads and writes the same").
  friend bool operator==(const Number& a, const Number& b) noexcept;

 private:
  enum class Form : unsigned char { integer, big_integer, real };
  Number(double v, std::int64_t i, Form f) noexcept : value_(v), integer_(i), form_(f) {}
  double value_ = 0;
  std::int64_t integer_ = 0;
  Form form_ = Form::integer;
};

using Array = std::vector<Value>;

// An object: members in the order they were read or inserted, keys unique.
class Object {
 public:
  using Member = std::pair<std::string, Value>;
  using const_iterator = std::vector<Member>::const_iterator;

  Object() = default;
  // Throws tapir::domain_error on a repeated key.
  Object(std::initializer_list<Member> members);

  std::size_t size() const noexcept;
  bool empty() const noexcept;
  const_iterator begin() const noexcept;
  const_iterator end() const noexcept;

  // The member's value, or nullptr.
  const Value* find(std::string_view key) const noexcept;
  Value* find(std::string_view key) noexcept;
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  // The member's value; throws std::out_of_range naming the key if there is none.
  const Value& at(std::string_view key) const;
  Value& at(std::string_view key);
  // The member's value, appending a null member if there is none.
  Value& operator[](std::string_view key);
  // Appends a member; false (and no change) if the key is already there.
  bool insert(std::string key, Value value);
  // Replaces the member's value, or appends the member.
  Value& set(std::string key, Value value);
  // Removes the member; false if there was none.
  bool erase(std::string_view key);

  // Same keys with equal values, in any order.
  friend bool operator==(const Object& a, const Object& b);

 private:
  friend struct ObjectAccess;  // the reader, which checks keys itself
  std::vector<Member> members_;
};

enum class Type { null, boolean, number, string, array, object };

// "null", "boolean", "number", "string", "array", "object".
std::string_view type_name(Type type) noexcept;

class Value {
 public:
  Value() noexcept = default;  // null
  Value(std::nullptr_t) noexcept {}
  Value(bool b) noexcept : data_(b) {}
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Value(I i) noexcept : data_(integer_number(i)) {}
  Value(double d) noexcept : data_(Number::from_real(d)) {}
  Value(float f) noexcept : data_(Number::from_real(f)) {}
  Value(Number n) noexcept : data_(n) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(Array a) : data_(std::move(a)) {}
  Value(Object o) : data_(std::move(o)) {}

  Type type() const noexcept { return static_cast<Type>(data_.index()); }
  bool is_null() const noexcept { return type() == Type::null; }
  bool is_bool() const noexcept { return type() == Type::boolean; }
  bool is_number() const noexcept { return type() == Type::number; }
  bool is_string() const noexcept { return type() == Type::string; }
  bool is_array() const noexcept { return type() == Type::array; }
  bool is_object() const noexcept { return type() == Type::object; }

  // The contents; each throws tapir::domain_error ("json: value is an array, expected a number")
  // if the value has another type.
  bool as_bool() const;
  const Number& as_number() const;
  double as_double() const;  // a number's double
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // An object's member, or nullptr (also when this is not an object).
  const Value* find(std::string_view key) const noexcept;
  // An object's member / an array's element; throws (tapir::domain_error for the wrong type,
  // std::out_of_range for a missing key or an index past the end).
  const Value& operator[](std::string_view key) const;
  const Value& operator[](std::size_t index) const;
  // The number of elements or members; 0 for scalars.
  std::size_t size() const noexcept;

  friend bool operator==(const Value& a, const Value& b);

 private:
  template <class I>
  static Number integer_number(I i) noexcept {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
      if (i > static_cast<I>(std::numeric_limits<std::int64_t>::max()))
        return Number::from_big_integer(static_cast<double>(i));
    }
    return Number::from_integer(static_cast<std::int64_t>(i));
  }

  // The index order is that of Type.
  std::variant<std::nullptr_t, bool, Number, std::string, Array, Object> data_;
};

// (Defined here, where Value is complete.)
inline std::size_t Object::size() const noexcept { return members_.size(); }
inline bool Object::empty() const noexcept { return members_.empty(); }
inline Object::const_iterator Object::begin() const noexcept { return members_.begin(); }
inline Object::const_iterator Object::end() const noexcept { return members_.end(); }

// Reads one JSON value from text; source names it in error messages.
Value parse(std::string_view text, std::string_view source = "json");
// Reads a file; errors name the path. A file that cannot be read throws std::runtime_error.
Value parse_file(const std::string& path);

// Writes a value. indent < 0: on one line, no spaces. indent >= 0: one member or element per line,
// indented by that many spaces a level, except that arrays of scalars stay on one line.
// Throws tapir::domain_error for a string (or key) that is not valid UTF-8.
std::string dump(const Value& value, int indent = -1);
// A number as dump writes it.
std::string to_string(const Number& number);

// CmdStan's spellings of non-finite reals inside strings, case-insensitive: "inf", "+inf", "-inf",
// "infinity", "+infinity", "-infinity", "nan". The value, or nothing for any other string.
std::optional<double> special_real(std::string_view text) noexcept;

}  // namespace tapir::models::json
