#include "util/json_value.hpp"

#include <stdexcept>

namespace bertlab::util {

nlohmann::json to_json(const Value& value) {
  switch (value.type()) {
    case Value::Type::null: return nullptr;
    case Value::Type::boolean: return value.as_bool();
    case Value::Type::integer: return value.as_int();
    case Value::Type::real: return value.as_double();
    case Value::Type::string: return value.as_string();
    case Value::Type::array: {
      auto out = nlohmann::json::array();
      for (const auto& item : value.as_array()) out.push_back(to_json(item));
      return out;
    }
    case Value::Type::table: return to_json(value.as_table());
  }
  return nullptr;
}

nlohmann::json to_json(const Table& table) {
  auto out = nlohmann::json::object();
  for (const auto& [key, item] : table) out[key] = to_json(item);
  return out;
}

Value value_from_json(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: return Value();
    case nlohmann::json::value_t::boolean: return Value(json.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(json.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      auto v = json.get<std::uint64_t>();
      if (v > static_cast<std::uint64_t>(INT64_MAX)) return Value(static_cast<double>(v));
      return Value(static_cast<std::int64_t>(v));
    }
    case nlohmann::json::value_t::number_float: return Value(json.get<double>());
    case nlohmann::json::value_t::string: return Value(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      Array out;
      out.reserve(json.size());
      for (const auto& item : json) out.push_back(value_from_json(item));
      return Value(std::move(out));
    }
    case nlohmann::json::value_t::object: return Value(table_from_json(json));
    case nlohmann::json::value_t::binary: break;
  }
  throw std::invalid_argument("binary JSON values have no bertlab::Value equivalent");
}

Table table_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw std::invalid_argument("expected a JSON object, got " + std::string(json.type_name()));
  Table out;
  for (const auto& [key, item] : json.items()) out.emplace(key, value_from_json(item));
  return out;
}

}  // namespace bertlab::util
