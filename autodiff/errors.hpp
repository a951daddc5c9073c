#pragma once
// The library's exception types. They derive from the standard ones, so callers may catch either.
//   tapir::domain_error    a parameter or argument value outside its domain (a negative scale,
//                          a matrix that is not positive definite); the message names the function,
//                          the argument and its value.
//   tapir::size_error      operands whose sizes or shapes do not fit together; the message names the
//                          function and both shapes.
#include <sstream>
#include <stdexcept>
#include <string>

namespace tapir {

class domain_error : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

class size_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// "function: argument is value, must be requirement"
template <class V>
[[noreturn]] void throw_domain_error(const char* function, const char* argument, const V& value,
                                     const char* requirement) {
  std::ostringstream o;
  o.precision(17);
  o << function << ": " << argument << " is " << value << ", must be " << requirement;
  throw domain_error(o.str());
}

}  // namespace tapir
