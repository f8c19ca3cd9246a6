// UTF-8 to code points and back. Offsets are counted in code points, so input
// is decoded once up front; an ill-formed sequence becomes one U+FFFD per
// maximal subpart, as Python's errors="replace" and Rust's from_utf8_lossy do,
// which keeps offsets equal to what HF reports for the same bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bertlab::wordpiece {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Appends the code points of `text` to `out`.
void decode_utf8(std::string_view text, std::vector<char32_t>& out);

// Whether `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

inline std::size_t utf8_length(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

inline void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace bertlab::wordpiece
