#include "text_units.hpp"

#include <cctype>

namespace bertlab::augment {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

char32_t decode(std::string_view unit) {
  const auto lead = static_cast<unsigned char>(unit[0]);
  if (unit.size() == 1) return lead;
  char32_t cp = lead & (0xFF >> (unit.size() + 1));
  for (std::size_t i = 1; i < unit.size(); ++i) cp = (cp << 6) | (static_cast<unsigned char>(unit[i]) & 0x3F);
  return cp;
}

// CJK ideographs, kana, hangul and their punctuation: scripts written without spaces.
bool is_cjk(char32_t cp) {
  return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

}  // namespace

std::vector<std::string> code_points(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = sequence_length(static_cast<unsigned char>(text[i]));
    bool valid = i + n <= text.size();
    for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!valid) n = 1;
    out.emplace_back(text.substr(i, n));
    i += n;
  }
  return out;
}

TextUnits split_units(std::string_view text) {
  TextUnits out;
  bool has_space = false;
  for (char c : text) has_space = has_space || is_space(c);
  if (!has_space) {
    auto points = code_points(text);
    bool cjk = false;
    for (const auto& p : points) cjk = cjk || is_cjk(decode(p));
    if (cjk) {
      out.units = std::move(points);
      out.characters = true;
      return out;
    }
  }
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) out.units.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::string join_units(const std::vector<std::string>& units, bool characters) {
  std::string out;
  for (const auto& unit : units) {
    if (!characters && !out.empty()) out += ' ';
    out += unit;
  }
  return out;
}

Affixes split_affixes(std::string_view word) {
  std::size_t begin = 0, end = word.size();
  auto punct = [](char c) { return static_cast<unsigned char>(c) < 0x80 && std::ispunct(static_cast<unsigned char>(c)); };
  while (begin < end && punct(word[begin])) ++begin;
  while (end > begin && punct(word[end - 1])) --end;
  return {std::string(word.substr(0, begin)), std::string(word.substr(begin, end - begin)), std::string(word.substr(end))};
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string match_case(std::string_view original, std::string replacement) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (original.empty() || !upper(original[0])) return replacement;
  bool all_upper = original.size() > 1;
  for (char c : original) all_upper = all_upper && !lower(c);
  for (std::size_t i = 0; i < replacement.size(); ++i) {
    char& c = replacement[i];
    if ((all_upper || i == 0) && lower(c)) c = static_cast<char>(c - 'a' + 'A');
  }
  return replacement;
}

}  // namespace bertlab::augment
