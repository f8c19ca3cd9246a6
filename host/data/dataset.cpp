#include "data/dataset.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "data/conll.hpp"
#include "data/squad.hpp"
#include "util/sha256.hpp"

namespace bertlab::data {

namespace {

struct Row {
  std::vector<std::string> fields;
  std::int64_t line = 0;
};

// Splits delimited text into rows. Tab-separated files are GLUE's: no
// quoting, one row per line. Comma-separated files follow RFC 4180: quoted
// fields may hold commas, doubled quotes and newlines.
std::vector<Row> split_rows(const std::string& text, char delimiter, const std::string& file) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false, field_started = false;
  std::int64_t line = 1;
  row.line = 1;
  const bool csv = delimiter == ',';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (csv && c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == delimiter) {
      row.fields.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      row.fields.push_back(std::move(field));
      field.clear();
      field_started = false;
      rows.push_back(std::move(row));
      row = Row{};
      row.line = ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw DataError(fmt::format("{}:{}: a quoted field is never closed", file, row.line));
  if (field_started || !row.fields.empty()) {
    row.fields.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::int64_t column_index(const Row& header, const std::string& name, const std::string& file, bool required) {
  for (std::size_t i = 0; i < header.fields.size(); ++i)
    if (header.fields[i] == name) return static_cast<std::int64_t>(i);
  if (required) {
    throw DataError(fmt::format("{}:1: no column '{}' in the header (columns: {})", file, name,
                                fmt::join(header.fields, ", ")));
  }
  return -1;
}

void read_delimited(const std::string& text, char delimiter, const Columns& columns, std::int64_t limit,
                    bool require_labels, Dataset& out) {
  const std::string file = out.file.string();
  auto rows = split_rows(text, delimiter, file);
  if (rows.empty()) throw DataError(fmt::format("{}: empty file, expected a header line", file));
  const Row& header = rows.front();
  const auto text_at = column_index(header, columns.text, file, true);
  const auto pair_at = columns.text_pair.empty() ? -1 : column_index(header, columns.text_pair, file, true);
  const auto label_at = columns.label.empty() ? -1 : column_index(header, columns.label, file, require_labels);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const Row& row = rows[r];
    if (row.fields.size() == 1 && row.fields[0].empty()) continue;  // blank line
    if (limit > 0 && static_cast<std::int64_t>(out.examples.size()) == limit) break;
    if (row.fields.size() != header.fields.size()) {
      throw DataError(fmt::format("{}:{}: expected {} columns as in the header, found {}", file, row.line,
                                  header.fields.size(), row.fields.size()));
    }
    Example example;
    example.id = std::to_string(row.line);
    example.text = row.fields[static_cast<std::size_t>(text_at)];
    if (pair_at >= 0) {
      example.text_pair = row.fields[static_cast<std::size_t>(pair_at)];
      example.is_pair = true;
    }
    if (label_at >= 0 && !row.fields[static_cast<std::size_t>(label_at)].empty()) {
      example.label = Value(row.fields[static_cast<std::size_t>(label_at)]);
    } else if (require_labels) {
      throw DataError(fmt::format("{}:{}: the label column '{}' is empty", file, row.line, columns.label));
    }
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
      const auto index = static_cast<std::int64_t>(i);
      if (index != text_at && index != pair_at && index != label_at)
        example.fields.emplace(header.fields[i], Value(row.fields[i]));
    }
    out.examples.push_back(std::move(example));
    out.lines.push_back(row.line);
  }
}

std::string json_text(const nlohmann::json& row, const std::string& key, const std::string& where) {
  auto it = row.find(key);
  if (it == row.end()) throw DataError(fmt::format("{}: no field '{}'", where, key));
  if (!it->is_string()) throw DataError(fmt::format("{}: field '{}' must be a string, got {}", where, key, it->type_name()));
  return it->get<std::string>();
}

Value json_label(const nlohmann::json& value, const std::string& where) {
  if (value.is_string()) return Value(value.get<std::string>());
  if (value.is_number_integer()) return Value(value.get<std::int64_t>());
  if (value.is_number()) return Value(value.get<double>());
  if (value.is_boolean()) return Value(value.get<bool>() ? "true" : "false");
  if (value.is_array()) {
    Array items;
    for (const auto& item : value) items.push_back(json_label(item, where));
    return Value(std::move(items));
  }
  throw DataError(fmt::format("{}: a label must be a string, a number or an array, got {}", where, value.type_name()));
}

void read_jsonl(const std::string& text, const Columns& columns, std::int64_t limit, bool require_labels,
                Dataset& out) {
  std::istringstream in(text);
  std::string line;
  for (std::int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (limit > 0 && static_cast<std::int64_t>(out.examples.size()) == limit) break;
    const auto where = fmt::format("{}:{}", out.file.string(), number);
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      throw DataError(fmt::format("{}: not a JSON object: {}", where, e.what()));
    }
    if (!row.is_object()) throw DataError(fmt::format("{}: expected a JSON object, got {}", where, row.type_name()));
    Example example;
    example.id = std::to_string(number);
    example.text = json_text(row, columns.text, where);
    if (!columns.text_pair.empty()) {
      example.text_pair = json_text(row, columns.text_pair, where);
      example.is_pair = true;
    }
    auto label = columns.label.empty() ? row.end() : row.find(columns.label);
    if (label != row.end() && !label->is_null()) {
      example.label = json_label(*label, where);
    } else if (require_labels) {
      throw DataError(fmt::format("{}: no label field '{}'", where, columns.label));
    }
    for (const auto& [key, value] : row.items())
      if (key != columns.text && key != columns.text_pair && key != columns.label && value.is_string())
        example.fields.emplace(key, Value(value.get<std::string>()));
    out.examples.push_back(std::move(example));
    out.lines.push_back(number);
  }
}

}  // namespace

std::string read_data_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open the data file", file.string()));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Dataset read_dataset(const std::filesystem::path& file, const Columns& columns, std::int64_t limit,
                     bool require_labels) {
  const std::string text = read_data_file(file);

  Dataset out;
  out.file = file;
  out.fingerprint = util::sha256_hex(text);
  if (columns.format == "jsonl") {
    read_jsonl(text, columns, limit, require_labels, out);
  } else if (columns.format == "tsv" || columns.format == "csv") {
    read_delimited(text, columns.format == "tsv" ? '\t' : ',', columns, limit, require_labels, out);
  } else if (columns.format == "squad") {
    read_squad(text, columns, limit, require_labels, out);
  } else if (is_tagged_format(columns.format)) {
    read_tagged(text, columns, limit, require_labels, out);
  } else {
    throw DataError(fmt::format("{}: unknown data format '{}' (csv, tsv, jsonl, squad, conll, chars)", file.string(),
                                columns.format));
  }
  if (out.examples.empty()) throw DataError(fmt::format("{}: no rows", file.string()));
  return out;
}

}  // namespace bertlab::data
