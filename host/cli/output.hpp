// Plain-text, CSV and JSON output shared by the listing commands.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bertlab::cli {

using Row = std::vector<std::string>;

// Columns padded to their widest cell (in terminal columns: CJK counts two), a rule under the header.
void print_table(std::ostream& out, const Row& header, const std::vector<Row>& rows);
void print_csv(std::ostream& out, const Row& header, const std::vector<Row>& rows);

// Shortest form that round-trips to 6 significant digits; "-" when absent.
std::string format_number(std::optional<double> value);
// A JSON scalar as a table cell: strings unquoted, null as "-".
std::string format_cell(const nlohmann::json& value);

// Seconds between two store timestamps (ISO 8601 UTC), nullopt if either is
// empty or malformed.
std::optional<double> seconds_between(const std::string& start, const std::string& end);

}  // namespace bertlab::cli
