#include "models/json.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

namespace tapir::models::json {

struct ObjectAccess {
  static std::vector<Object::Member>& members(Object& o) noexcept { return o.members_; }
};

namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8

// The length of the well-formed UTF-8 sequence starting at s[i] (1 to 4), or 0 if there is none:
// overlong forms, surrogates and code points beyond U+10FFFF are ill-formed.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t* code = nullptr) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n;
  char32_t cp;
  char32_t least;
  if (b0 < 0x80) {
    n = 1, cp = b0, least = 0;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1Fu, least = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0Fu, least = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07u, least = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (code) *code = cp;
  return n;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string hex(unsigned value, int digits) {
  static constexpr char d[] = "0123456789ABCDEF";
  std::string s(static_cast<std::size_t>(digits), '0');
  for (int k = digits - 1; k >= 0; --k, value >>= 4) s[static_cast<std::size_t>(k)] = d[value & 0xF];
  return s;
}

std::string code_point_name(char32_t cp) { return "U+" + hex(static_cast<unsigned>(cp), cp > 0xFFFF ? 6 : 4); }

// ---------------------------------------------------------------------------------------------
// Writing

// A string in double quotes with ", \ and control characters escaped. Ill-formed UTF-8 throws, or
// (lenient, for error messages) is written as \xNN.
void write_string(std::string& out, std::string_view s, bool lenient = false) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(s, i);
      if (n == 0) {
        if (!lenient)
          throw tapir::domain_error("json::dump: string is not valid UTF-8 (byte 0x" + hex(c, 2) + " at offset " +
                                    std::to_string(i) + ")");
        out += "\\x" + hex(c, 2);
        ++i;
        continue;
      }
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20)
          out += "\\u" + hex(c, 4);
        else
          out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
}

std::string quoted(std::string_view s) {
  std::string out;
  write_string(out, s, true);
  return out;
}

void append_number(std::string& out, const Number& n) {
  char buf[400];  // the longest is a big integer near 1.8e308 in fixed notation: 309 digits
  if (n.is_exact_integer()) {
    const auto r = std::to_chars(buf, buf + sizeof buf, n.integer());
    out.append(buf, r.ptr);
    return;
  }
  const double v = n.value();
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else if (n.is_integer()) {
    // Fixed notation keeps it an integer literal; the digits read back to the same double.
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out.append(buf, r.ptr);
  } else {
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
    out += text;
    if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
  }
}

bool is_scalar(const Value& v) noexcept { return !v.is_array() && !v.is_object(); }

void write(std::string& out, const Value& v, int indent, int level) {
  const auto newline = [&](int lvl) {
    out += '\n';
    out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(lvl), ' ');
  };
  switch (v.type()) {
    case Type::null: out += "null"; return;
    case Type::boolean: out += v.as_bool() ? "true" : "false"; return;
    case Type::number: append_number(out, v.as_number()); return;
    case Type::string: write_string(out, v.as_string()); return;
    case Type::array: {
      const Array& a = v.as_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      bool flat = true;
      for (const Value& e : a) flat = flat && is_scalar(e);
      out += '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out += (indent >= 0 && flat) ? ", " : ",";
        if (indent >= 0 && !flat) newline(level + 1);
        write(out, a[i], indent, level + 1);
      }
      if (indent >= 0 && !flat) newline(level);
      out += ']';
      return;
    }
    case Type::object: {
      const Object& o = v.as_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, value] : o) {
        if (!first) out += ',';
        first = false;
        if (indent >= 0) newline(level + 1);
        write_string(out, key);
        out += indent >= 0 ? ": " : ":";
        write(out, value, indent, level + 1);
      }
      if (indent >= 0) newline(level);
      out += '}';
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word_char(char c) noexcept { return is_alpha(c) || is_digit(c); }

// floor(log10|x|) of a nonzero number literal that passed the grammar check.
long long decimal_order(std::string_view s) noexcept {
  std::size_t i = s[0] == '-' ? 1 : 0;
  const std::size_t int_begin = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  const std::size_t int_end = i;
  long long order = LLONG_MIN;
  for (std::size_t j = int_begin; j < int_end && order == LLONG_MIN; ++j)
    if (s[j] != '0') order = static_cast<long long>(int_end - j) - 1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t frac_begin = i;
    for (; i < s.size() && is_digit(s[i]); ++i)
      if (order == LLONG_MIN && s[i] != '0') order = -static_cast<long long>(i - frac_begin) - 1;
  }
  if (order == LLONG_MIN) return 0;  // zero: never out of range
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
    long long e = 0;
    for (; i < s.size(); ++i) e = std::min(e * 10 + (s[i] - '0'), 1000000000LL);
    order += negative ? -e : e;
  }
  return order;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Value document() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = origin_ = 3;  // byte order mark
    skip_whitespace();
    Value v = value(0);
    skip_whitespace();
    if (pos_ < text_.size())
      fail(pos_, "unexpected " + found(pos_) + " after the JSON value (only whitespace may follow it)");
    return v;
  }

 private:
  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
  std::size_t origin_ = 0;

  bool at(char c) const noexcept { return pos_ < text_.size() && text_[pos_] == c; }

  std::pair<std::size_t, std::size_t> line_column(std::size_t offset) const noexcept {
    std::size_t line = 1, line_start = origin_;
    for (std::size_t i = origin_; i < offset && i < text_.size(); ++i)
      if (text_[i] == '\n') ++line, line_start = i + 1;
    std::size_t column = 1;
    for (std::size_t i = line_start; i < offset && i < text_.size(); ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    if (offset > text_.size()) column += offset - text_.size();
    return {line, column};
  }

  std::string where(std::size_t offset) const {
    const auto [line, column] = line_column(offset);
    return std::to_string(line) + ":" + std::to_string(column);
  }

  [[noreturn]] void fail(std::size_t offset, std::string reason) const {
    const auto [line, column] = line_column(offset);
    throw parse_error(std::string(source_), line, column, std::move(reason));
  }

  // What is at offset, for "found ...".
  std::string found(std::size_t offset) const {
    if (offset >= text_.size()) return "end of input";
    const char c = text_[offset];
    const auto u = static_cast<unsigned char>(c);
    if (is_alpha(c)) {
      std::size_t end = offset;
      while (end < text_.size() && end - offset < 24 && is_word_char(text_[end])) ++end;
      return "'" + std::string(text_.substr(offset, end - offset)) + "'";
    }
    if (u < 0x20 || u == 0x7F) return "control character " + code_point_name(u);
    if (c == '\'') return "'\\''";
    if (u < 0x80) return std::string("'") + c + "'";
    char32_t cp = 0;
    if (const std::size_t n = utf8_sequence(text_, offset, &cp))
      return "'" + std::string(text_.substr(offset, n)) + "' (" + code_point_name(cp) + ")";
    return "byte 0x" + hex(u, 2) + " (not UTF-8)";
  }

  [[noreturn]] void expected(std::size_t offset, const std::string& what, const std::string& hint = "") const {
    fail(offset, what + ", found " + found(offset) + hint);
  }

  void skip_whitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
    if (at('/') && pos_ + 1 < text_.size() && (text_[pos_ + 1] == '/' || text_[pos_ + 1] == '*'))
      fail(pos_, "comments are not allowed in JSON");
  }

  // At the first character of a value (whitespace skipped).
  Value value(std::size_t depth) {
    if (pos_ >= text_.size()) expected(pos_, "expected a value");
    switch (text_[pos_]) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return Value(string());
      case '-':
      case '0': case '1': case '2': case '3': case '4':
      case '5': case '6': case '7': case '8': case '9': return number();
      case '\'': expected(pos_, "expected a value", " (JSON strings are in double quotes)");
      case '.':
      case '+': fail(pos_, std::string("expected a value, found '") + text_[pos_] + "' (a JSON number starts with a digit or '-')");
      default: break;
    }
    if (is_alpha(text_[pos_])) return word();
    expected(pos_, "expected a value");
  }

  // true, false, null, and CmdStan's NaN, Infinity, Inf, inf.
  Value word() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
    const std::string_view w = text_.substr(start, pos_ - start);
    if (w == "true") return Value(true);
    if (w == "false") return Value(false);
    if (w == "null") return Value(nullptr);
    if (w == "NaN") return Value(Number::from_real(std::numeric_limits<double>::quiet_NaN()));
    if (w == "Infinity" || w == "Inf" || w == "inf")
      return Value(Number::from_real(std::numeric_limits<double>::infinity()));
    std::string lower(w);
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    std::string hint;
    if (lower == "true" || lower == "false" || lower == "null")
      hint = " (the literals true, false and null are lowercase)";
    else if (lower == "nan" || lower == "infinity")
      hint = " (non-finite reals are written NaN, Infinity, -Infinity)";
    fail(start, "expected a value, found " + found(start) + hint);
  }

  Value number() {
    const std::size_t start = pos_;
    const bool negative = at('-');
    if (negative) {
      ++pos_;
      if (pos_ < text_.size() && is_alpha(text_[pos_])) {
        const std::size_t w = pos_;
        while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
        const std::string_view name = text_.substr(w, pos_ - w);
        if (name == "Infinity" || name == "Inf" || name == "inf")
          return Value(Number::from_real(-std::numeric_limits<double>::infinity()));
        expected(w, "expected a digit after '-'");
      }
    }
    if (pos_ >= text_.size() || !is_digit(text_[pos_]))
      expected(pos_, negative ? "expected a digit after '-'" : "expected a digit");
    if (text_[pos_] == '0' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))
      fail(start, "leading zeros are not allowed in numbers");
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    bool integer = true;
    if (at('.')) {
      integer = false;
      ++pos_;
      if (pos_ >= text_.size() || !is_digit(text_[pos_])) expected(pos_, "expected a digit after the decimal point");
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (at('e') || at('E')) {
      integer = false;
      ++pos_;
      if (at('+') || at('-')) ++pos_;
      if (pos_ >= text_.size() || !is_digit(text_[pos_])) expected(pos_, "expected a digit in the exponent");
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    const std::string_view literal = text_.substr(start, pos_ - start);
    const char* const first = literal.data();
    const char* const last = first + literal.size();
    if (integer) {
      std::int64_t i = 0;
      const auto r = std::from_chars(first, last, i);
      if (r.ec == std::errc{} && r.ptr == last) return Value(Number::from_integer(i));
    }
    double d = 0;
    const auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      if (decimal_order(literal) > 0) {
        const std::string shown = literal.size() <= 40 ? std::string(literal) : std::string(literal.substr(0, 37)) + "...";
        fail(start, "number " + shown + " is beyond the range of a double (about 1.8e308)");
      }
      d = negative ? -0.0 : 0.0;  // below the smallest subnormal: rounds to zero
    } else if (r.ec != std::errc{} || r.ptr != last) {
      fail(start, "invalid number");  // not reached: the grammar was checked
    }
    return Value(integer ? Number::from_big_integer(d) : Number::from_real(d));
  }

  // Four hex digits after "\u" (the backslash at escape).
  char32_t hex4(std::size_t escape) {
    if (text_.size() - pos_ < 4) fail(escape, "expected four hex digits after \\u");
    char32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text_[pos_ + static_cast<std::size_t>(k)];
      unsigned d;
      if (c >= '0' && c <= '9')
        d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<unsigned>(c - 'A' + 10);
      else
        fail(escape, "expected four hex digits after \\u");
      v = (v << 4) | d;
    }
    pos_ += 4;
    return v;
  }

  // At the opening quote.
  std::string string() {
    const std::size_t open = pos_++;
    std::string out;
    for (;;) {
      const std::size_t run = pos_;
      while (pos_ < text_.size()) {
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      out.append(text_.substr(run, pos_ - run));
      if (pos_ >= text_.size()) fail(open, "unterminated string: no closing '\"' before the end of input");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) {
        static constexpr const char* names[] = {"", "", "", "", "", "", "", "", "\\b", "\\t", "\\n", "", "\\f", "\\r"};
        const std::string escape = (c < 14 && names[c][0] != '\0') ? names[c] : "\\u" + hex(c, 4);
        fail(pos_, "control character " + code_point_name(c) + " in string must be escaped as " + escape +
                       (c == '\n' ? " (or is the string's closing '\"' missing?)" : ""));
      }
      if (c >= 0x80) {
        const std::size_t n = utf8_sequence(text_, pos_);
        if (n == 0) fail(pos_, "invalid UTF-8 in string (byte 0x" + hex(c, 2) + ")");
        out.append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      const std::size_t escape = pos_++;  // a backslash
      if (pos_ >= text_.size()) fail(open, "unterminated string: no closing '\"' before the end of input");
      switch (const char e = text_[pos_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          char32_t cp = hex4(escape);
          if (cp >= 0xDC00 && cp <= 0xDFFF)
            fail(escape, "unpaired surrogate \\u" + hex(static_cast<unsigned>(cp), 4) +
                             " in string (a low surrogate must follow a high surrogate \\uD800-\\uDBFF)");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            const std::size_t second = pos_;
            char32_t low = 0;
            if (pos_ + 1 < text_.size() && text_[pos_] == '\\' && text_[pos_ + 1] == 'u') {
              pos_ += 2;
              low = hex4(second);
            }
            if (low < 0xDC00 || low > 0xDFFF)
              fail(escape, "unpaired surrogate \\u" + hex(static_cast<unsigned>(cp), 4) +
                               " in string (a high surrogate must be followed by a low surrogate \\uDC00-\\uDFFF)");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: {
          const std::string shown = (e >= 0x20 && e < 0x7F) ? std::string("'\\") + e + "'" : "\\ followed by " + found(pos_ - 1);
          fail(escape, "invalid escape " + shown + " in string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
      }
    }
  }

  // At the '['.
  Value array(std::size_t depth) {
    const std::size_t open = pos_;
    if (depth > max_depth) fail(open, "arrays and objects nested more than " + std::to_string(max_depth) + " deep");
    ++pos_;
    Array items;
    skip_whitespace();
    if (at(']')) {
      ++pos_;
      return Value(std::move(items));
    }
    for (;;) {
      items.push_back(value(depth));
      skip_whitespace();
      if (at(',')) {
        const std::size_t comma = pos_++;
        skip_whitespace();
        if (at(']')) fail(comma, "trailing comma before ']' (not allowed in JSON)");
        continue;
      }
      if (at(']')) {
        ++pos_;
        return Value(std::move(items));
      }
      const std::string unclosed = pos_ >= text_.size() ? " (the array opened at " + where(open) + " is not closed)" : "";
      fail(pos_, "expected ',' or ']' after array element, found " + found(pos_) + unclosed);
    }
  }

  // At the '{'.
  Value object(std::size_t depth) {
    const std::size_t open = pos_;
    if (depth > max_depth) fail(open, "arrays and objects nested more than " + std::to_string(max_depth) + " deep");
    ++pos_;
    std::vector<Object::Member> members;
    std::vector<std::size_t> key_offsets;
    std::unordered_map<std::string, std::size_t> index;  // key -> member, once there are many
    constexpr std::size_t linear_limit = 32;
    skip_whitespace();
    if (at('}')) {
      ++pos_;
      return Value(Object());
    }
    for (;;) {
      if (!at('"')) {
        std::string what = members.empty() ? "expected a string key or '}'" : "expected a string key";
        std::string hint;
        if (at('\''))
          hint = " (JSON strings are in double quotes)";
        else if (pos_ < text_.size() && is_alpha(text_[pos_]))
          hint = " (object keys are strings in double quotes)";
        else if (pos_ >= text_.size())
          hint = " (the object opened at " + where(open) + " is not closed)";
        fail(pos_, what + ", found " + found(pos_) + hint);
      }
      const std::size_t key_offset = pos_;
      std::string key = string();
      std::size_t previous = members.size();
      if (members.size() < linear_limit) {
        for (std::size_t k = 0; k < members.size(); ++k)
          if (members[k].first == key) previous = k;
      } else {
        if (index.empty())
          for (std::size_t k = 0; k < members.size(); ++k) index.emplace(members[k].first, k);
        if (const auto it = index.find(key); it != index.end()) previous = it->second;
      }
      if (previous < members.size())
        fail(key_offset, "duplicate key " + quoted(key) + " in object (first at " + where(key_offsets[previous]) + ")");
      skip_whitespace();
      if (!at(':')) expected(pos_, "expected ':' after object key " + quoted(key));
      ++pos_;
      skip_whitespace();
      Value v = value(depth);
      if (!index.empty() || members.size() + 1 > linear_limit) index.emplace(key, members.size());
      members.emplace_back(std::move(key), std::move(v));
      key_offsets.push_back(key_offset);
      skip_whitespace();
      if (at(',')) {
        const std::size_t comma = pos_++;
        skip_whitespace();
        if (at('}')) fail(comma, "trailing comma before '}' (not allowed in JSON)");
        continue;
      }
      if (at('}')) {
        ++pos_;
        Object o;
        ObjectAccess::members(o) = std::move(members);
        return Value(std::move(o));
      }
      const std::string unclosed = pos_ >= text_.size() ? " (the object opened at " + where(open) + " is not closed)" : "";
      fail(pos_, "expected ',' or '}' after object member " + quoted(members.back().first) + ", found " + found(pos_) +
                     unclosed);
    }
  }
};

std::string_view with_article(Type t) noexcept {
  switch (t) {
    case Type::null: return "null";
    case Type::boolean: return "a boolean";
    case Type::number: return "a number";
    case Type::string: return "a string";
    case Type::array: return "an array";
    case Type::object: return "an object";
  }
  return "?";
}

[[noreturn]] void wrong_type(Type have, Type want) {
  throw tapir::domain_error("json: value is " + std::string(with_article(have)) + ", expected " +
                            std::string(with_article(want)));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

parse_error::parse_error(std::string source, std::size_t line, std::size_t column, std::string reason)
    : tapir::domain_error(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + reason),
      source_(std::move(source)),
      line_(line),
      column_(column),
      reason_(std::move(reason)) {}

bool operator==(const Number& a, const Number& b) noexcept {
  if (a.form_ != b.form_) return false;
  if (a.form_ == Number::Form::integer) return a.integer_ == b.integer_;
  if (std::isnan(a.value_) || std::isnan(b.value_)) return std::isnan(a.value_) && std::isnan(b.value_);
  return a.value_ == b.value_ && std::signbit(a.value_) == std::signbit(b.value_);
}

Object::Object(std::initializer_list<Member> members) {
  for (const Member& m : members)
    if (!insert(m.first, m.second)) throw tapir::domain_error("json: duplicate key " + quoted(m.first) + " in object");
}

const Value* Object::find(std::string_view key) const noexcept {
  for (const Member& m : members_)
    if (m.first == key) return &m.second;
  return nullptr;
}

Value* Object::find(std::string_view key) noexcept {
  for (Member& m : members_)
    if (m.first == key) return &m.second;
  return nullptr;
}

const Value& Object::at(std::string_view key) const {
  if (const Value* v = find(key)) return *v;
  throw std::out_of_range("json: no member " + quoted(key) + " in object");
}

Value& Object::at(std::string_view key) {
  if (Value* v = find(key)) return *v;
  throw std::out_of_range("json: no member " + quoted(key) + " in object");
}

Value& Object::operator[](std::string_view key) {
  if (Value* v = find(key)) return *v;
  return members_.emplace_back(std::string(key), Value()).second;
}

bool Object::insert(std::string key, Value value) {
  if (find(key)) return false;
  members_.emplace_back(std::move(key), std::move(value));
  return true;
}

Value& Object::set(std::string key, Value value) {
  if (Value* v = find(key)) return *v = std::move(value);
  return members_.emplace_back(std::move(key), std::move(value)).second;
}

bool Object::erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it)
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  return false;
}

bool operator==(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    const Value* other = b.find(key);
    if (!other || !(*other == value)) return false;
  }
  return true;
}

std::string_view type_name(Type type) noexcept {
  switch (type) {
    case Type::null: return "null";
    case Type::boolean: return "boolean";
    case Type::number: return "number";
    case Type::string: return "string";
    case Type::array: return "array";
    case Type::object: return "object";
  }
  return "?";
}

bool Value::as_bool() const {
  if (!is_bool()) wrong_type(type(), Type::boolean);
  return std::get<bool>(data_);
}
const Number& Value::as_number() const {
  if (!is_number()) wrong_type(type(), Type::number);
  return std::get<Number>(data_);
}
double Value::as_double() const { return as_number().value(); }
const std::string& Value::as_string() const {
  if (!is_string()) wrong_type(type(), Type::string);
  return std::get<std::string>(data_);
}
const Array& Value::as_array() const {
  if (!is_array()) wrong_type(type(), Type::array);
  return std::get<Array>(data_);
}
Array& Value::as_array() {
  if (!is_array()) wrong_type(type(), Type::array);
  return std::get<Array>(data_);
}
const Object& Value::as_object() const {
  if (!is_object()) wrong_type(type(), Type::object);
  return std::get<Object>(data_);
}
Object& Value::as_object() {
  if (!is_object()) wrong_type(type(), Type::object);
  return std::get<Object>(data_);
}

const Value* Value::find(std::string_view key) const noexcept {
  return is_object() ? std::get<Object>(data_).find(key) : nullptr;
}

const Value& Value::operator[](std::string_view key) const { return as_object().at(key); }

const Value& Value::operator[](std::size_t index) const {
  const Array& a = as_array();
  if (index >= a.size())
    throw std::out_of_range("json: index " + std::to_string(index) + " is past the end of an array of " +
                            std::to_string(a.size()) + " elements");
  return a[index];
}

std::size_t Value::size() const noexcept {
  if (is_array()) return std::get<Array>(data_).size();
  if (is_object()) return std::get<Object>(data_).size();
  return 0;
}

bool operator==(const Value& a, const Value& b) {
  if (a.data_.index() != b.data_.index()) return false;
  switch (a.type()) {
    case Type::null: return true;
    case Type::boolean: return std::get<bool>(a.data_) == std::get<bool>(b.data_);
    case Type::number: return std::get<Number>(a.data_) == std::get<Number>(b.data_);
    case Type::string: return std::get<std::string>(a.data_) == std::get<std::string>(b.data_);
    case Type::array: {
      const Array& x = std::get<Array>(a.data_);
      const Array& y = std::get<Array>(b.data_);
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!(x[i] == y[i])) return false;
      return true;
    }
    case Type::object: return std::get<Object>(a.data_) == std::get<Object>(b.data_);
  }
  return false;
}

Value parse(std::string_view text, std::string_view source) { return Parser(text, source).document(); }

Value parse_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw std::runtime_error("json: cannot open " + quoted(path) + ": " + std::generic_category().message(err));
  }
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) text.append(buffer, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw std::runtime_error("json: cannot read " + quoted(path));
  return parse(text, path);
}

std::string dump(const Value& value, int indent) {
  std::string out;
  write(out, value, indent, 0);
  return out;
}

std::string to_string(const Number& number) {
  std::string out;
  append_number(out, number);
  return out;
}

std::optional<double> special_real(std::string_view text) noexcept {
  if (text.size() > 9) return std::nullopt;
  char lower[9];
  std::size_t n = 0;
  for (char c : text) lower[n++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  std::string_view s(lower, n);
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  double sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  if (s == "inf" || s == "infinity") return sign * std::numeric_limits<double>::infinity();
  return std::nullopt;
}

}  // namespace tapir::models::json
