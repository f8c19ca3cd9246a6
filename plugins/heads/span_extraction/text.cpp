#include "text.hpp"

#include <algorithm>

#include "unicode_tables.hpp"

namespace bertlab::span_extraction {

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t cp = 0, minimum = 0;
    if (lead < 0x80) {
      length = 1, cp = lead;
    } else if (lead >= 0xC2 && lead < 0xE0) {
      length = 2, cp = lead & 0x1F, minimum = 0x80;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      length = 3, cp = lead & 0x0F, minimum = 0x800;
    } else if (lead >= 0xF0 && lead < 0xF5) {
      length = 4, cp = lead & 0x07, minimum = 0x10000;
    }
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      ok = (byte & 0xC0) == 0x80;
      cp = (cp << 6) | (byte & 0x3F);
    }
    ok = ok && cp >= minimum && cp <= 0x10FFFF && !(cp >= 0xD800 && cp < 0xE000);
    out.push_back(ok ? cp : U'\uFFFD');
    i += ok ? length : 1;
  }
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::vector<std::size_t> code_point_bytes(std::string_view text) {
  // Continuation bytes (10xxxxxx) never start a code point; this matches
  // decode_utf8 on well-formed text, which is what the tokenizer's offsets index.
  std::vector<std::size_t> out;
  out.reserve(text.size() + 1);
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) out.push_back(i);
  out.push_back(text.size());
  return out;
}

bool is_python_space(char32_t c) {
  const auto& table = space_code_points();
  return std::binary_search(table.begin(), table.end(), c);
}

bool is_word_char(char32_t c) {
  const auto& table = word_ranges();
  auto it = std::upper_bound(table.begin(), table.end(), c, [](char32_t v, const CodeRange& r) { return v < r.begin; });
  return it != table.begin() && c < std::prev(it)->end;
}

std::u32string python_lower(std::u32string_view text) {
  const auto& table = lower_pairs();
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x80) {
      out.push_back(c >= U'A' && c <= U'Z' ? c + 32 : c);
      continue;
    }
    if (c == 0x130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE: "i" + COMBINING DOT ABOVE
      out += U"i\u0307";
      continue;
    }
    auto it = std::lower_bound(table.begin(), table.end(), c, [](const LowerPair& p, char32_t v) { return p.from < v; });
    out.push_back(it != table.end() && it->from == c ? it->to : c);
  }
  return out;
}

std::vector<std::u32string> python_split(std::u32string_view text) {
  std::vector<std::u32string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_python_space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_python_space(text[j])) ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::u32string_view python_strip(std::u32string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && is_python_space(text[begin])) ++begin;
  while (end > begin && is_python_space(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

}  // namespace bertlab::span_extraction
