#include "models/data.hpp"

#include <charconv>
#include <climits>
#include <cmath>

namespace tapir::models {

namespace {

// Where in an item a value sits: the item itself, element i, or element [i, j] (0-based here,
// written 1-based).
struct Where {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t i = none;
  std::size_t j = none;
};

std::string key(std::string_view name) { return "data: key \"" + std::string(name) + "\""; }

std::string subject(std::string_view name, Where w) {
  std::string s = key(name);
  if (w.j != Where::none)
    s += " element [" + std::to_string(w.i + 1) + ", " + std::to_string(w.j + 1) + "]";
  else if (w.i != Where::none)
    s += " element " + std::to_string(w.i + 1);
  return s;
}

std::string describe(const json::Value& v) {
  switch (v.type()) {
    case json::Type::null: return "null";
    case json::Type::boolean: return v.as_bool() ? "true" : "false";
    case json::Type::number: return json::to_string(v.as_number());
    case json::Type::string: {
      const std::string& s = v.as_string();
      return "the string " + (s.size() <= 40 ? json::dump(v) : json::dump(json::Value(s.substr(0, 37) + "...")));
    }
    case json::Type::array: return "an array";
    case json::Type::object: return "an object";
  }
  return "?";
}

std::string number(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string count(std::size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string expected_size(const Size& size) {
  return std::to_string(size.value()) + (size.name().empty() ? "" : " (" + size.name() + ")");
}

void check_bounds(double x, const json::Value& v, std::string_view name, Where w, const Bounds& bounds) {
  if (bounds.lower && !(x >= *bounds.lower))
    throw tapir::domain_error(subject(name, w) + " is " + describe(v) + ", must be >= " + number(*bounds.lower));
  if (bounds.upper && !(x <= *bounds.upper))
    throw tapir::domain_error(subject(name, w) + " is " + describe(v) + ", must be <= " + number(*bounds.upper));
}

int to_integer(const json::Value& v, std::string_view name, Where w, const Bounds& bounds) {
  if (v.is_number() && v.as_number().is_integer()) {
    const json::Number& n = v.as_number();
    if (!n.is_exact_integer() || n.integer() < INT_MIN || n.integer() > INT_MAX)
      throw tapir::domain_error(subject(name, w) + " is " + describe(v) + ", beyond the range of int");
    check_bounds(static_cast<double>(n.integer()), v, name, w, bounds);
    return static_cast<int>(n.integer());
  }
  throw tapir::domain_error(subject(name, w) + " is " + describe(v) + ", expected an integer");
}

double to_real(const json::Value& v, std::string_view name, Where w, const Bounds& bounds) {
  double x;
  if (v.is_number()) {
    x = v.as_number().value();
  } else if (const auto special = v.is_string() ? json::special_real(v.as_string()) : std::nullopt) {
    x = *special;
  } else {
    throw tapir::domain_error(subject(name, w) + " is " + describe(v) + ", expected a number");
  }
  check_bounds(x, v, name, w, bounds);
  return x;
}

}  // namespace

void Size::negative(long long n) {
  throw tapir::size_error("data: expected size " + std::to_string(n) + " is negative");
}

Data::Data(json::Value root) {
  if (!root.is_object())
    throw tapir::domain_error("data: expected a JSON object of named items, found " +
                              describe(root));
  object_ = std::move(root.as_object());
}

Data Data::from_file(const std::string& path) { return Data(json::parse_file(path)); }

Data Data::from_string(std::string_view text, std::string_view source) { return Data(json::parse(text, source)); }

std::vector<std::string> Data::names() const {
  std::vector<std::string> out;
  out.reserve(object_.size());
  for (const auto& member : object_) out.push_back(member.first);
  return out;
}

const json::Value& Data::value(std::string_view name) const {
  if (const json::Value* v = object_.find(name)) return *v;
  throw tapir::domain_error(key(name) + " is missing");
}

int Data::integer(std::string_view name, const Bounds& bounds) const {
  const json::Value& v = value(name);
  if (v.is_array() || v.is_object())
    throw tapir::domain_error(key(name) + " is " + describe(v) + ", expected an integer");
  return to_integer(v, name, {}, bounds);
}

double Data::real(std::string_view name, const Bounds& bounds) const {
  const json::Value& v = value(name);
  if (v.is_array() || v.is_object())
    throw tapir::domain_error(key(name) + " is " + describe(v) + ", expected a number");
  return to_real(v, name, {}, bounds);
}

Size Data::dimension(std::string_view name) const {
  return Size(integer(name, {.lower = 0}), std::string(name));
}

const json::Array& Data::array(std::string_view name, const Size* size, const char* of) const {
  const json::Value& v = value(name);
  if (!v.is_array()) throw tapir::domain_error(key(name) + " is " + describe(v) + ", expected an array of " + of);
  const json::Array& a = v.as_array();
  if (size && a.size() != size->value())
    throw tapir::size_error(key(name) + " has " + count(a.size(), "element") + ", expected " + expected_size(*size));
  return a;
}

std::vector<int> Data::integers_impl(std::string_view name, const Size* size, const Bounds& bounds) const {
  const json::Array& a = array(name, size, "integers");
  std::vector<int> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = to_integer(a[i], name, {i}, bounds);
  return out;
}

std::vector<double> Data::reals_impl(std::string_view name, const Size* size, const Bounds& bounds) const {
  const json::Array& a = array(name, size, "numbers");
  std::vector<double> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = to_real(a[i], name, {i}, bounds);
  return out;
}

std::vector<int> Data::integers(std::string_view name, const Bounds& bounds) const {
  return integers_impl(name, nullptr, bounds);
}
std::vector<int> Data::integers(std::string_view name, const Size& size, const Bounds& bounds) const {
  return integers_impl(name, &size, bounds);
}
std::vector<double> Data::reals(std::string_view name, const Bounds& bounds) const {
  return reals_impl(name, nullptr, bounds);
}
std::vector<double> Data::reals(std::string_view name, const Size& size, const Bounds& bounds) const {
  return reals_impl(name, &size, bounds);
}
autodiff::Vector<double> Data::vector(std::string_view name, const Bounds& bounds) const {
  return autodiff::Vector<double>(reals_impl(name, nullptr, bounds));
}
autodiff::Vector<double> Data::vector(std::string_view name, const Size& size, const Bounds& bounds) const {
  return autodiff::Vector<double>(reals_impl(name, &size, bounds));
}

autodiff::Matrix<double> Data::matrix_impl(std::string_view name, const Size* rows, const Size* cols,
                                           const Bounds& bounds) const {
  const json::Value& v = value(name);
  if (!v.is_array())
    throw tapir::domain_error(key(name) + " is " + describe(v) + ", expected an array of rows (arrays of numbers)");
  const json::Array& outer = v.as_array();
  if (rows && outer.size() != rows->value())
    throw tapir::size_error(key(name) + " has " + count(outer.size(), "row") + ", expected " + expected_size(*rows));
  std::size_t ncols = 0;
  if (cols)
    ncols = cols->value();
  else if (!outer.empty() && outer[0].is_array())
    ncols = outer[0].size();
  autodiff::Matrix<double> m(outer.size(), ncols);
  for (std::size_t i = 0; i < outer.size(); ++i) {
    const json::Value& row = outer[i];
    if (!row.is_array())
      throw tapir::domain_error(key(name) + " row " + std::to_string(i + 1) + " is " + describe(row) +
                                ", expected an array of numbers");
    const json::Array& r = row.as_array();
    if (r.size() != ncols)
      throw tapir::size_error(key(name) + " row " + std::to_string(i + 1) + " has " + count(r.size(), "element") +
                              ", expected " + (cols ? expected_size(*cols) : std::to_string(ncols) + " (as row 1)"));
    for (std::size_t j = 0; j < ncols; ++j) m(i, j) = to_real(r[j], name, {i, j}, bounds);
  }
  return m;
}

autodiff::Matrix<double> Data::matrix(std::string_view name, const Bounds& bounds) const {
  return matrix_impl(name, nullptr, nullptr, bounds);
}
autodiff::Matrix<double> Data::matrix(std::string_view name, const Size& rows, const Size& cols,
                                      const Bounds& bounds) const {
  return matrix_impl(name, &rows, &cols, bounds);
}

}  // namespace tapir::models
