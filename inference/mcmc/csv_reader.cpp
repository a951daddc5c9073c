#include "inference/mcmc/csv_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace tapir::inference::mcmc {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// One number, surrounding spaces and a leading '+' allowed; nullopt if the field is not a number.
std::optional<double> parse_number(std::string_view field) {
  field = trim(field);
  if (!field.empty() && field.front() == '+') field.remove_prefix(1);
  if (field.empty()) return std::nullopt;
  double v = 0.0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Overflow or underflow: fall back on strtod's inf / denormal / 0.
    const std::string s(field);
    char* e = nullptr;
    v = std::strtod(s.c_str(), &e);
    if (e != s.c_str() + s.size()) return std::nullopt;
    return v;
  }
  if (ec != std::errc{} || end != field.data() + field.size()) return std::nullopt;
  return v;
}

// Comma-separated numbers; nullopt if any field is not a number.
std::optional<std::vector<double>> parse_numbers(std::string_view line) {
  std::vector<double> out;
  while (true) {
    const std::size_t comma = line.find(',');
    const auto v = parse_number(line.substr(0, comma));
    if (!v) return std::nullopt;
    out.push_back(*v);
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return out;
}

// The number just before " seconds" in a timing line.
double seconds_in(std::string_view content) {
  const std::size_t pos = content.find(" seconds");
  if (pos == std::string_view::npos) return std::numeric_limits<double>::quiet_NaN();
  std::string_view head = trim(content.substr(0, pos));
  const std::size_t space = head.find_last_of(" :");
  if (space != std::string_view::npos) head.remove_prefix(space + 1);
  const auto v = parse_number(head);
  return v ? *v : std::numeric_limits<double>::quiet_NaN();
}

[[noreturn]] void malformed(std::size_t line_number, const std::string& what) {
  std::ostringstream o;
  o << "read_stan_csv: line " << line_number << ": " << what;
  throw std::runtime_error(o.str());
}

}  // namespace

std::optional<std::string> StanCsv::find(std::string_view key) const {
  for (const auto& [path, value] : config)
    if (path == key) return value;
  for (const auto& [path, value] : config) {
    const std::size_t dot = path.rfind('.');
    if (std::string_view(path).substr(dot == std::string::npos ? 0 : dot + 1) == key) return value;
  }
  return std::nullopt;
}

std::size_t StanCsv::column(std::string_view name) const {
  for (std::size_t j = 0; j < column_names.size(); ++j)
    if (column_names[j] == name) return j;
  throw std::out_of_range("StanCsv::column: no column named '" + std::string(name) + "'");
}

std::vector<double> StanCsv::column_values(std::string_view name, bool sampling_only) const {
  const std::size_t j = column(name);
  std::vector<double> out;
  for (std::size_t i = sampling_only ? num_warmup_draws : 0; i < draws.size(); ++i) out.push_back(draws[i][j]);
  return out;
}

StanCsv read_stan_csv(std::istream& in) {
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  StanCsv csv;
  std::vector<std::string> sections;  // the enclosing section at each depth of the argument tree
  bool have_header = false;
  enum class Metric { none, diagonal, dense } expecting = Metric::none;
  std::size_t dense_rows = 0, dense_dim = 0;

  std::size_t pos = 0, line_number = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    ++line_number;
    if (nl == std::string::npos) {  // a last line without its newline: cut short, dropped
      if (!trim(std::string_view(text).substr(pos)).empty()) csv.truncated = true;
      break;
    }
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (!line.empty() && line.front() == '#') {
      std::string_view content = line.substr(1);
      if (!content.empty() && content.front() == ' ') content.remove_prefix(1);
      const std::string_view body = trim(content);
      if (!have_header) {
        if (body.empty()) continue;
        std::size_t spaces = 0;
        while (spaces < content.size() && content[spaces] == ' ') ++spaces;
        const std::size_t depth = spaces / 2;
        const std::size_t eq = body.find('=');
        if (eq == std::string_view::npos) {
          sections.resize(depth + 1);
          sections[depth] = std::string(body);
          continue;
        }
        sections.resize(depth);
        std::string path;
        for (const auto& s : sections)
          if (!s.empty()) path.append(s).append(".");
        path.append(trim(body.substr(0, eq)));
        std::string_view value = trim(body.substr(eq + 1));
        if (value.size() >= 9 && value.substr(value.size() - 9) == "(Default)") value = trim(value.substr(0, value.size() - 9));
        csv.config.emplace_back(std::move(path), std::string(value));
        continue;
      }
      // After the column header: adaptation and timing blocks.
      if (expecting != Metric::none) {
        if (auto values = parse_numbers(body)) {
          csv.inverse_metric.insert(csv.inverse_metric.end(), values->begin(), values->end());
          if (expecting == Metric::diagonal) {
            expecting = Metric::none;
          } else {
            if (dense_rows == 0) dense_dim = values->size();
            if (++dense_rows == dense_dim) expecting = Metric::none;
          }
          continue;
        }
        expecting = Metric::none;
      }
      if (body == "Adaptation terminated") {
        csv.adaptation_found = true;
        csv.num_warmup_draws = csv.draws.size();
      } else if (starts_with(body, "Step size")) {
        const std::size_t eq = body.find('=');
        if (eq != std::string_view::npos) {
          if (auto v = parse_number(body.substr(eq + 1))) csv.step_size = *v;
        }
      } else if (starts_with(body, "Diagonal elements of inverse mass matrix")) {
        expecting = Metric::diagonal;
        csv.dense_metric = false;
        csv.inverse_metric.clear();
      } else if (starts_with(body, "Elements of inverse mass matrix")) {
        expecting = Metric::dense;
        csv.dense_metric = true;
        csv.inverse_metric.clear();
        dense_rows = dense_dim = 0;
      } else if (body.find("seconds (Warm-up)") != std::string_view::npos) {
        csv.warmup_seconds = seconds_in(body);
      } else if (body.find("seconds (Sampling)") != std::string_view::npos) {
        csv.sampling_seconds = seconds_in(body);
      } else if (body.find("seconds (Total)") != std::string_view::npos) {
        csv.total_seconds = seconds_in(body);
      }
      continue;
    }

    if (trim(line).empty()) continue;
    if (!have_header) {
      std::string_view rest = line;
      while (true) {
        const std::size_t comma = rest.find(',');
        csv.column_names.emplace_back(trim(rest.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      have_header = true;
      continue;
    }
    auto values = parse_numbers(line);
    if (!values) malformed(line_number, "a field is not a number");
    if (values->size() != csv.column_names.size()) {
      std::ostringstream o;
      o << values->size() << " values for " << csv.column_names.size() << " columns";
      malformed(line_number, o.str());
    }
    csv.draws.push_back(std::move(*values));
  }

  if (!csv.adaptation_found) {
    // Saved warmup without an adaptation block: count the warmup rows from the configuration.
    const auto save = csv.find("save_warmup");
    if (save && (*save == "1" || *save == "true")) {
      const auto warmup = csv.find("num_warmup"), thin = csv.find("thin");
      if (warmup) {
        const long long w = std::stoll(*warmup), t = thin ? std::max(1LL, std::stoll(*thin)) : 1;
        const auto n = static_cast<std::size_t>(std::max(0LL, (w + t - 1) / t));
        csv.num_warmup_draws = std::min(n, csv.draws.size());
      }
    }
  }
  return csv;
}

StanCsv read_stan_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("read_stan_csv: cannot open '" + path + "'");
  return read_stan_csv(in);
}

}  // namespace tapir::inference::mcmc
