#include "cli/output.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <ostream>

#include <fmt/format.h>

namespace bertlab::cli {

namespace {

// East Asian wide characters take two terminal columns; the ranges are
// Unicode's EastAsianWidth W/F blocks that CJK text uses.
bool is_wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead >> 5 == 0x6 ? 2 : lead >> 4 == 0xE ? 3 : lead >> 3 == 0x1E ? 4 : 1;
    char32_t c = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) c = (c << 6) | (text[i + k] & 0x3F);
    width += is_wide(c) ? 2 : 1;
    i += length;
  }
  return width;
}

std::string csv_escape(const std::string& cell) {
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::optional<std::tm> parse_timestamp(const std::string& text, int& millis) {
  std::tm tm{};
  millis = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  if (text.size() > static_cast<std::size_t>(consumed) && text[consumed] == '.')
    std::sscanf(text.c_str() + consumed + 1, "%3d", &millis);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return tm;
}

}  // namespace

void print_table(std::ostream& out, const Row& header, const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(header.size(), 0);
  auto widen = [&](const Row& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  };
  widen(header);
  for (const auto& row : rows) widen(row);
  auto print_row = [&](const Row& row) {
    std::string line;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string& cell = i < row.size() ? row[i] : std::string();
      line += cell;
      if (i + 1 < widths.size()) line += std::string(widths[i] - display_width(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  print_row(header);
  Row rule;
  for (auto w : widths) rule.push_back(std::string(w, '-'));
  print_row(rule);
  for (const auto& row : rows) print_row(row);
}

void print_csv(std::ostream& out, const Row& header, const std::vector<Row>& rows) {
  auto print_row = [&](const Row& row) {
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_escape(row[i]);
    out << '\n';
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

std::string format_number(std::optional<double> value) {
  if (!value) return "-";
  if (std::isnan(*value)) return "nan";
  return fmt::format("{:.6g}", *value);
}

std::string format_cell(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return format_number(value.get<double>());
  return value.dump();
}

std::optional<double> seconds_between(const std::string& start, const std::string& end) {
  int start_ms = 0, end_ms = 0;
  auto a = parse_timestamp(start, start_ms);
  auto b = parse_timestamp(end, end_ms);
  if (!a || !b) return std::nullopt;
  return std::difftime(timegm(&*b), timegm(&*a)) + (end_ms - start_ms) / 1000.0;
}

}  // namespace bertlab::cli
