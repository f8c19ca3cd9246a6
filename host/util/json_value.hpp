// Conversions between the SDK's Value and nlohmann::json: trial params are
// stored as JSON and handed to plugins as Values.
#pragma once

#include <nlohmann/json.hpp>

#include "bertlab/value.hpp"

namespace bertlab::util {

nlohmann::json to_json(const Value& value);
nlohmann::json to_json(const Table& table);
Value value_from_json(const nlohmann::json& json);
// Throws std::invalid_argument when `json` is not an object.
Table table_from_json(const nlohmann::json& json);

}  // namespace bertlab::util
