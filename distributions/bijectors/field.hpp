#pragma once
// Bijectors chosen by name, and FieldBijector: named parameters laid out one after another in a
// flat vector, each with its own bijector (as parameter_field_bijections in
// ../shared/seeds/buffered-vi-tutorial.md: {"ar": "tanh", "observation_std": "softplus"}).
//
// Names (make_bijector):
//   identity, exp, softplus, tanh                     (elementwise)
//   sigmoid                    onto (0, 1);  sigmoid:<a>,<b>  onto (a, b)
//   lower:<a>  x = a + e^u,  upper:<b>  x = b - e^u,  interval:<a>,<b>  onto (a, b) (LowerUpper:
//              either bound may be inf / -inf)
//   affine:<loc>,<scale>       x = loc + scale u
//   simplex (StickBreaking), ordered, corr_cholesky
// Numbers are read by std::from_chars ("2", "-1.5e-3", "inf"); spaces around them are allowed.
// An unknown name or a bad parameter throws tapir::domain_error naming them.
//
// FieldBijector: fields (name, size, bijector) in insertion order. `size` is the field's
// constrained size (a simplex of K components has size K and K - 1 unconstrained values; a K x K
// corr_cholesky factor has size K^2). The constrained flat vector holds the fields' constrained
// values consecutively, the unconstrained flat vector their unconstrained values; forward and
// inverse map the whole flat vectors (FieldBijector is itself a bijector, log|det J| the sum over
// fields). Errors name the field: an unknown bijector name or bad parameter, a duplicate field, a
// size the bijector cannot take (tapir::size_error), a bijection given for a field that does not
// exist, a lookup of a field that does not exist.
#include <charconv>
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "distributions/bijector.hpp"
#include "distributions/bijectors/affine.hpp"
#include "distributions/bijectors/chain.hpp"
#include "distributions/bijectors/corr_cholesky.hpp"
#include "distributions/bijectors/exp.hpp"
#include "distributions/bijectors/identity.hpp"
#include "distributions/bijectors/lower_bound.hpp"
#include "distributions/bijectors/lower_upper.hpp"
#include "distributions/bijectors/ordered.hpp"
#include "distributions/bijectors/sigmoid.hpp"
#include "distributions/bijectors/softplus.hpp"
#include "distributions/bijectors/stick_breaking.hpp"
#include "distributions/bijectors/tanh.hpp"
#include "distributions/bijectors/upper_bound.hpp"

namespace tapir::distributions::bijectors {

inline constexpr std::string_view known_bijector_names =
    "identity, exp, softplus, sigmoid, sigmoid:<a>,<b>, tanh, lower:<a>, upper:<b>, interval:<a>,<b>, "
    "affine:<loc>,<scale>, simplex, ordered, corr_cholesky";

namespace detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline double parse_number(std::string_view spec, std::string_view text) {
  const std::string_view t = trim(text);
  double v = 0.0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size())
    throw domain_error("bijector \"" + std::string(spec) + "\": \"" + std::string(text) + "\" is not a number");
  return v;
}

// The comma-separated numbers of "<head>:<args>"; exactly `count` of them.
inline std::vector<double> parse_arguments(std::string_view spec, std::string_view args, std::size_t count) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t comma = args.find(',', start);
    parts.push_back(args.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (parts.size() != count)
    throw domain_error("bijector \"" + std::string(spec) + "\": expected " + std::to_string(count) +
                       std::string(count == 1 ? " number" : " comma-separated numbers") + ", got " +
                       std::to_string(parts.size()));
  std::vector<double> v;
  for (std::string_view p : parts) v.push_back(parse_number(spec, p));
  return v;
}

}  // namespace detail

// The bijector with this name (see the list at the top of this file).
inline Bijector make_bijector(std::string_view spec) {
  const std::string_view s = detail::trim(spec);
  const std::size_t colon = s.find(':');
  const std::string_view head = detail::trim(s.substr(0, colon));
  const bool has_args = colon != std::string_view::npos;
  const std::string_view args = has_args ? s.substr(colon + 1) : std::string_view();
  if (!has_args) {
    if (head == "identity") return Identity{};
    if (head == "exp") return Exp{};
    if (head == "softplus") return Softplus{};
    if (head == "sigmoid") return Sigmoid{};
    if (head == "tanh") return Tanh{};
    if (head == "simplex") return StickBreaking{};
    if (head == "ordered") return Ordered{};
    if (head == "corr_cholesky") return CorrCholesky{};
  } else {
    if (head == "lower") return LowerBound(detail::parse_arguments(spec, args, 1)[0]);
    if (head == "upper") return UpperBound(detail::parse_arguments(spec, args, 1)[0]);
    if (head == "interval") {
      const auto v = detail::parse_arguments(spec, args, 2);
      return LowerUpper(v[0], v[1]);
    }
    if (head == "sigmoid") {
      const auto v = detail::parse_arguments(spec, args, 2);
      return Sigmoid(v[0], v[1]);
    }
    if (head == "affine") {
      const auto v = detail::parse_arguments(spec, args, 2);
      return Affine(v[0], v[1]);
    }
  }
  throw domain_error("unknown bijector \"" + std::string(spec) + "\" (known: " + std::string(known_bijector_names) + ")");
}

struct Field {
  std::string name;
  Bijector bijector;
  std::size_t size = 0;                  // constrained size
  std::size_t unconstrained_size = 0;
  std::size_t offset = 0;                // in the constrained flat vector
  std::size_t unconstrained_offset = 0;  // in the unconstrained flat vector
};

// A field given by the name of its bijector.
struct FieldSpec {
  std::string name;
  std::size_t size = 1;
  std::string bijector = "identity";
};

class FieldBijector {
 public:
  FieldBijector() = default;
  // Fields in this order, each with the bijector of that name.
  explicit FieldBijector(const std::vector<FieldSpec>& fields) {
    for (const FieldSpec& f : fields) add(f.name, f.size, f.bijector);
  }
  // Fields (name, size) in this order; those named in `bijections` get that bijector, the others the
  // identity. A bijection for a name that is not a field throws tapir::domain_error.
  FieldBijector(const std::vector<std::pair<std::string, std::size_t>>& fields,
                const std::map<std::string, std::string>& bijections) {
    for (const auto& [name, spec] : bijections) {
      bool found = false;
      for (const auto& f : fields) found = found || f.first == name;
      if (!found) {
        std::string list;
        for (const auto& f : fields) {
          if (!list.empty()) list += ", ";
          list += f.first;
        }
        throw domain_error("FieldBijector: bijection \"" + spec + "\" given for unknown field \"" + name +
                           "\" (fields: " + list + ")");
      }
    }
    for (const auto& [name, size] : fields) {
      const auto it = bijections.find(name);
      add(name, size, it == bijections.end() ? std::string_view("identity") : std::string_view(it->second));
    }
  }

  // Appends a field; returns *this.
  FieldBijector& add(std::string name, std::size_t size, Bijector b) {
    for (const Field& f : fields_)
      if (f.name == name) throw domain_error("FieldBijector: duplicate field \"" + name + "\"");
    std::size_t usize = 0;
    try {
      usize = b.unconstrained_size(size);
      if (b.constrained_size(usize) != size)
        throw size_error(b.name() + ": no unconstrained size maps to size " + std::to_string(size));
    } catch (const size_error& e) {
      throw size_error("FieldBijector: field \"" + name + "\" of size " + std::to_string(size) + ": " + e.what());
    }
    Field f{std::move(name), std::move(b), size, usize, total_, total_unconstrained_};
    total_ += size;
    total_unconstrained_ += usize;
    fields_.push_back(std::move(f));
    return *this;
  }
  FieldBijector& add(std::string name, std::size_t size, std::string_view bijector_name) {
    Bijector b;
    try {
      b = make_bijector(bijector_name);
    } catch (const domain_error& e) {
      throw domain_error("FieldBijector: field \"" + name + "\": " + e.what());
    }
    return add(std::move(name), size, std::move(b));
  }
  FieldBijector& add(std::string name, std::size_t size, const char* bijector_name) {
    return add(std::move(name), size, std::string_view(bijector_name));
  }

  const std::vector<Field>& fields() const { return fields_; }
  bool contains(std::string_view name) const {
    for (const Field& f : fields_)
      if (f.name == name) return true;
    return false;
  }
  const Field& field(std::string_view name) const {
    for (const Field& f : fields_)
      if (f.name == name) return f;
    throw domain_error("FieldBijector: no field \"" + std::string(name) + "\"");
  }
  std::size_t total_constrained_size() const { return total_; }
  std::size_t total_unconstrained_size() const { return total_unconstrained_; }

  // ---- bijector interface over the flat vectors ----
  std::size_t constrained_size(std::size_t n) const {
    if (n != total_unconstrained_)
      throw size_error(name() + ": unconstrained vector has size " + std::to_string(n) + ", expected " +
                       std::to_string(total_unconstrained_));
    return total_;
  }
  std::size_t unconstrained_size(std::size_t n) const {
    if (n != total_)
      throw size_error(name() + ": constrained vector has size " + std::to_string(n) + ", expected " +
                       std::to_string(total_));
    return total_unconstrained_;
  }
  std::string name() const {
    std::string s = "fields(";
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (i) s += ", ";
      s += fields_[i].name;
      s += ": ";
      s += fields_[i].bijector.name();
    }
    return s + ")";
  }

  template <class T>
  void forward(std::span<const T> u, std::span<T> x, T& lad) const {
    detail::check_forward_sizes(*this, u.size(), x.size());
    for (const Field& f : fields_)
      f.bijector.forward(u.subspan(f.unconstrained_offset, f.unconstrained_size), x.subspan(f.offset, f.size), lad);
  }
  template <class T>
  void inverse(std::span<const T> x, std::span<T> u) const {
    detail::check_inverse_sizes(*this, x.size(), u.size());
    for (const Field& f : fields_)
      f.bijector.inverse(x.subspan(f.offset, f.size), u.subspan(f.unconstrained_offset, f.unconstrained_size));
  }

 private:
  std::vector<Field> fields_;
  std::size_t total_ = 0;
  std::size_t total_unconstrained_ = 0;
};

}  // namespace tapir::distributions::bijectors
