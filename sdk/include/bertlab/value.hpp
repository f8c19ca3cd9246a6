// bertlab SDK v2 — value.hpp
//
// The SDK-owned value types that cross the host/plugin boundary: `Value` (a
// JSON-like tagged union) and `Options` (a table of named values with typed
// getters). Plugin options, trial parameters and example labels all travel in
// these, so a plugin never sees toml++ or nlohmann types and the host can
// change its parsers without breaking plugins.
//
// Ownership: values are plain C++ values, copied or moved; nothing here refers
// to host memory. Every getter that can fail throws `bertlab::OptionError`,
// whose message names the key and what was expected.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bertlab {

class Value;
using Array = std::vector<Value>;
using Table = std::map<std::string, Value, std::less<>>;

// A JSON-like value: null, bool, 64-bit integer, double, string, array, table.
// Integers and doubles are distinct so that `int` search parameters stay exact.
class Value {
 public:
  enum class Type { null, boolean, integer, real, string, array, table };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool v) : data_(v) {}
  Value(int v) : data_(std::int64_t{v}) {}
  Value(std::int64_t v) : data_(v) {}
  Value(double v) : data_(v) {}
  Value(const char* v) : data_(std::string(v)) {}
  Value(std::string v) : data_(std::move(v)) {}
  Value(std::string_view v) : data_(std::string(v)) {}
  Value(Array v) : data_(std::make_shared<Array>(std::move(v))) {}
  Value(Table v) : data_(std::make_shared<Table>(std::move(v))) {}

  Type type() const { return static_cast<Type>(data_.index()); }
  bool is_null() const { return type() == Type::null; }
  bool is_bool() const { return type() == Type::boolean; }
  bool is_int() const { return type() == Type::integer; }
  bool is_real() const { return type() == Type::real; }
  bool is_number() const { return is_int() || is_real(); }
  bool is_string() const { return type() == Type::string; }
  bool is_array() const { return type() == Type::array; }
  bool is_table() const { return type() == Type::table; }

  // Accessors throw std::bad_variant_access on a type mismatch; prefer the
  // Options getters, which name the key in their error.
  bool as_bool() const { return std::get<bool>(data_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(data_); }
  // An integer converts to double; a double does not silently become an int.
  double as_double() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<double>(data_);
  }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const Array& as_array() const { return *std::get<std::shared_ptr<Array>>(data_); }
  const Table& as_table() const { return *std::get<std::shared_ptr<Table>>(data_); }

  friend bool operator==(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number() && a.type() != b.type())
      return a.as_double() == b.as_double();
    if (a.type() != b.type()) return false;
    switch (a.type()) {
      case Type::null: return true;
      case Type::boolean: return a.as_bool() == b.as_bool();
      case Type::integer: return a.as_int() == b.as_int();
      case Type::real: return a.as_double() == b.as_double();
      case Type::string: return a.as_string() == b.as_string();
      case Type::array: return a.as_array() == b.as_array();
      case Type::table: return a.as_table() == b.as_table();
    }
    return false;
  }

  static const char* type_name(Type t) {
    switch (t) {
      case Type::null: return "null";
      case Type::boolean: return "boolean";
      case Type::integer: return "integer";
      case Type::real: return "float";
      case Type::string: return "string";
      case Type::array: return "array";
      case Type::table: return "table";
    }
    return "?";
  }
  const char* type_name() const { return type_name(type()); }

 private:
  // Arrays and tables are shared immutable nodes: copying a Value is cheap and
  // a Value is never mutated in place after construction.
  std::variant<std::monostate, bool, std::int64_t, double, std::string,
               std::shared_ptr<Array>, std::shared_ptr<Table>>
      data_;
};

// Thrown for a missing option, a wrong type or a value out of range. `key()`
// is the dotted path of the offending option ("head.dropout").
class OptionError : public std::runtime_error {
 public:
  OptionError(std::string key, const std::string& what)
      : std::runtime_error("option '" + key + "': " + what), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// A plugin's options: the table the user wrote under the plugin's section of
// the experiment, with typed getters. `prefix` is the dotted path of the
// table itself, so errors read "option 'tokenizer.lowercase': expected ...".
class Options {
 public:
  Options() = default;
  explicit Options(Table values, std::string prefix = {})
      : values_(std::move(values)), prefix_(std::move(prefix)) {}

  const Table& values() const { return values_; }
  const std::string& prefix() const { return prefix_; }
  bool contains(std::string_view key) const { return values_.find(key) != values_.end(); }

  std::string path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }

  const Value& at(std::string_view key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw OptionError(path(key), "required but not given");
    return it->second;
  }

  bool get_bool(std::string_view key) const { return expect(key, Value::Type::boolean).as_bool(); }
  std::int64_t get_int(std::string_view key) const { return expect(key, Value::Type::integer).as_int(); }
  double get_double(std::string_view key) const {
    const Value& v = at(key);
    if (!v.is_number()) throw mismatch(key, "a number", v);
    return v.as_double();
  }
  const std::string& get_string(std::string_view key) const {
    return expect(key, Value::Type::string).as_string();
  }
  const Array& get_array(std::string_view key) const { return expect(key, Value::Type::array).as_array(); }
  Options get_table(std::string_view key) const {
    return Options(expect(key, Value::Type::table).as_table(), path(key));
  }

  bool get_bool(std::string_view key, bool fallback) const {
    return contains(key) ? get_bool(key) : fallback;
  }
  std::int64_t get_int(std::string_view key, std::int64_t fallback) const {
    return contains(key) ? get_int(key) : fallback;
  }
  double get_double(std::string_view key, double fallback) const {
    return contains(key) ? get_double(key) : fallback;
  }
  std::string get_string(std::string_view key, std::string fallback) const {
    return contains(key) ? get_string(key) : fallback;
  }

  // Range-checked numeric getters: `[low, high]` inclusive.
  double get_double_in(std::string_view key, double fallback, double low, double high) const {
    double v = get_double(key, fallback);
    if (!(v >= low && v <= high))
      throw OptionError(path(key), "expected a number in [" + std::to_string(low) + ", " +
                                       std::to_string(high) + "], got " + std::to_string(v));
    return v;
  }
  std::int64_t get_int_in(std::string_view key, std::int64_t fallback, std::int64_t low,
                          std::int64_t high) const {
    std::int64_t v = get_int(key, fallback);
    if (v < low || v > high)
      throw OptionError(path(key), "expected an integer in [" + std::to_string(low) + ", " +
                                       std::to_string(high) + "], got " + std::to_string(v));
    return v;
  }

  // Plugins call this once after reading their options, so that a typo in an
  // option name is an error instead of a silently ignored setting.
  void reject_unknown(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : values_) {
      bool found = false;
      for (auto k : known) found = found || k == key;
      if (!found) {
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        throw OptionError(path(key), "unknown option (known: " + (list.empty() ? "none" : list) + ")");
      }
    }
  }

 private:
  const Value& expect(std::string_view key, Value::Type type) const {
    const Value& v = at(key);
    if (v.type() != type) throw mismatch(key, std::string("a ") + Value::type_name(type), v);
    return v;
  }
  OptionError mismatch(std::string_view key, const std::string& expected, const Value& got) const {
    return OptionError(path(key), "expected " + expected + ", got " + got.type_name());
  }

  Table values_;
  std::string prefix_;
};

}  // namespace bertlab
