// A non-negative integer written out in full ("12"; not "", "-1", "+3",
// " 3" or "3x"), or nothing: trial numbers in "STUDY/3" and URLs, layer
// keys in a config.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bertlab::util {

inline std::optional<std::int64_t> parse_index(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || value < 0) return std::nullopt;
  return value;
}

}  // namespace bertlab::util
