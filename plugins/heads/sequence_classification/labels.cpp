#include "labels.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace bertlab::heads {

std::string label_name(const Value& label) {
  if (label.is_string()) return label.as_string();
  if (label.is_int()) return std::to_string(label.as_int());
  if (label.is_real()) {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, label.as_double());
    return std::string(buffer, result.ptr);
  }
  throw std::invalid_argument(std::string("label must be a string or a number, got ") + label.type_name());
}

double label_target(const Value& label) {
  if (label.is_number()) return label.as_double();
  if (label.is_string()) {
    const std::string& text = label.as_string();
    double value = 0;
    auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec == std::errc{} && result.ptr == text.data() + text.size() && !text.empty()) return value;
    throw std::invalid_argument("regression label '" + text + "' is not a number");
  }
  throw std::invalid_argument(std::string("regression label must be a number, got ") + label.type_name());
}

bool looks_like_regression(std::span<const Example> examples) {
  bool fractional = false;
  for (const auto& example : examples) {
    if (example.label.is_null()) continue;
    if (!example.label.is_number()) return false;
    const double value = example.label.as_double();
    fractional = fractional || value != std::floor(value);
  }
  return fractional;
}

}  // namespace bertlab::heads
