#include "utf8.hpp"

namespace bertlab::wordpiece {

namespace {

struct Decoded {
  char32_t cp;
  std::size_t length;  // bytes consumed; a lone U+FFFD covers a maximal subpart
  bool valid;
};

// One code point at `p` (Unicode 15, table 3-7: the second byte's range
// depends on the lead byte, which excludes overlongs, surrogates and values
// above U+10FFFF).
Decoded decode_one(const unsigned char* p, const unsigned char* end) {
  const unsigned b0 = p[0];
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t length;
  unsigned low = 0x80, high = 0xBF;
  char32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3, cp = b0 & 0x0F;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4, cp = b0 & 0x07;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return {kReplacementCharacter, 1, false};
  }
  for (std::size_t i = 1; i < length; ++i) {
    if (p + i == end) return {kReplacementCharacter, i, false};
    const unsigned b = p[i];
    if (b < low || b > high) return {kReplacementCharacter, i, false};
    cp = (cp << 6) | (b & 0x3F);
    low = 0x80, high = 0xBF;
  }
  return {cp, length, true};
}

}  // namespace

void decode_utf8(std::string_view text, std::vector<char32_t>& out) {
  auto p = reinterpret_cast<const unsigned char*>(text.data());
  const auto end = p + text.size();
  while (p < end) {
    if (*p < 0x80) {
      out.push_back(*p++);
      continue;
    }
    const auto decoded = decode_one(p, end);
    out.push_back(decoded.cp);
    p += decoded.length;
  }
}

bool is_valid_utf8(std::string_view text) {
  auto p = reinterpret_cast<const unsigned char*>(text.data());
  const auto end = p + text.size();
  while (p < end) {
    const auto decoded = decode_one(p, end);
    if (!decoded.valid) return false;
    p += decoded.length;
  }
  return true;
}

}  // namespace bertlab::wordpiece
