#pragma once
// Data checks shared by the reference-posterior models (models/posteriors/*.hpp), beyond what the
// Data accessors check: requirements that Stan leaves to the density at run time (a scale of zero,
// a series too short for its recursion) are reported when the model is built, naming the key in
// the Data accessors' style:
//   data: key "sigma" element 2 is 0, must be > 0 (the standard error of y)
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>

#include "autodiff/errors.hpp"

namespace tapir::models::posteriors::detail {

// element: 1-based as in Stan; 0 for a scalar item.
[[noreturn]] inline void data_error(std::string_view key, std::size_t element, double value,
                                    std::string_view requirement) {
  std::ostringstream o;
  o.precision(17);
  o << "data: key \"" << key << "\"";
  if (element > 0) o << " element " << element;
  o << " is " << value << ", must be " << requirement;
  throw domain_error(o.str());
}

inline void require_positive(std::string_view key, double value, std::string_view what) {
  if (!(value > 0.0)) data_error(key, 0, value, "> 0 (" + std::string(what) + ")");
}

// Every element of a data array must be > 0.
template <class C>
void require_positive_elements(std::string_view key, const C& values, std::string_view what) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!(values[i] > 0.0)) data_error(key, i + 1, values[i], "> 0 (" + std::string(what) + ")");
}

}  // namespace tapir::models::posteriors::detail
