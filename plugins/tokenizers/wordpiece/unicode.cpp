#include "unicode.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <utf8proc.h>

#include "unicode_compat.hpp"

namespace bertlab::wordpiece {

namespace {

// Rust's char::is_whitespace (the White_Space property), which HF uses for
// cleaning and splitting; \t \n \r are in it too.
bool is_white_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

// HF's is_chinese_char: the CJK ideograph blocks, not Hiragana, Katakana or
// Hangul, which are written with spaces.
bool is_cjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool is_ascii_punctuation(char32_t cp) {
  return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
         (cp >= 0x7B && cp <= 0x7E);
}

const LowercaseException* find_lowercase_exception(char32_t cp) {
  const auto& rows = compat::lowercase_exceptions;
  auto it = std::lower_bound(rows.begin(), rows.end(), cp,
                             [](const LowercaseException& row, char32_t key) { return row.from < key; });
  return it != rows.end() && it->from == cp ? &*it : nullptr;
}

std::uint8_t flags_from_utf8proc(char32_t cp) {
  const auto* property = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
  const auto category = static_cast<utf8proc_category_t>(property->category);
  std::uint8_t flags = 0;
  const bool other = category == UTF8PROC_CATEGORY_CC || category == UTF8PROC_CATEGORY_CF ||
                     category == UTF8PROC_CATEGORY_CS || category == UTF8PROC_CATEGORY_CO;
  if (other && cp != '\t' && cp != '\n' && cp != '\r') flags |= char_flag::drop;
  if (is_white_space(cp)) flags |= char_flag::whitespace;
  if (is_cjk(cp)) flags |= char_flag::cjk;
  if (is_ascii_punctuation(cp) || (category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO))
    flags |= char_flag::punctuation;
  if (category == UTF8PROC_CATEGORY_MN) flags |= char_flag::nonspacing_mark;
  if (property->decomp_seqindex != UINT16_MAX || (cp >= 0xAC00 && cp <= 0xD7A3)) {
    // Compatibility mappings share the field; NFD leaves those alone.
    utf8proc_int32_t parts[kMaxDecomposition];
    int boundclass = 0;
    if (utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), parts, kMaxDecomposition, UTF8PROC_DECOMPOSE,
                                &boundclass) != 1 ||
        parts[0] != static_cast<utf8proc_int32_t>(cp))
      flags |= char_flag::decomposes;
  }
  if (property->combining_class != 0) flags |= char_flag::combining;
  if (utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)) != static_cast<utf8proc_int32_t>(cp))
    flags |= char_flag::lowercase_changes;
  return flags;
}

void apply(std::array<std::uint8_t, kCodePointCount>& table, std::span<const CodePointRange> ranges,
           std::uint8_t flag, bool set) {
  for (const auto& range : ranges)
    for (char32_t cp = range.first; cp <= range.last && cp < kCodePointCount; ++cp)
      table[cp] = set ? (table[cp] | flag) : (table[cp] & ~flag);
}

}  // namespace

// A table beats utf8proc's two-level lookup plus the exceptions for each of
// the several questions asked of every character.
CharFlags::CharFlags() {
  for (char32_t cp = 0; cp < kCodePointCount; ++cp) table_[cp] = flags_from_utf8proc(cp);
  table_[0xFFFD] |= char_flag::drop;  // HF cleaning drops U+FFFD (ill-formed input) as well
  apply(table_, compat::other_added, char_flag::drop, true);
  apply(table_, compat::other_removed, char_flag::drop, false);
  apply(table_, compat::punctuation_added, char_flag::punctuation, true);
  apply(table_, compat::punctuation_removed, char_flag::punctuation, false);
  apply(table_, compat::nonspacing_mark_added, char_flag::nonspacing_mark, true);
  apply(table_, compat::nonspacing_mark_removed, char_flag::nonspacing_mark, false);
  apply(table_, compat::decomposition_removed, char_flag::decomposes, false);
  apply(table_, compat::combining_removed, char_flag::combining, false);
  for (const auto& row : compat::lowercase_exceptions) {
    const bool changes = row.length != 1 || row.to[0] != row.from;
    table_[row.from] = changes ? (table_[row.from] | char_flag::lowercase_changes)
                               : (table_[row.from] & ~char_flag::lowercase_changes);
  }
}

const CharFlags& CharFlags::instance() {
  static const CharFlags flags;
  return flags;
}

int to_lowercase(char32_t cp, char32_t out[3]) {
  if (cp >= U'A' && cp <= U'Z') {  // most calls, and no exception or lookup applies
    out[0] = cp + (U'a' - U'A');
    return 1;
  }
  if (const auto* row = find_lowercase_exception(cp)) {
    std::copy_n(row->to, row->length, out);
    return row->length;
  }
  out[0] = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
  return 1;
}

int decompose(char32_t cp, char32_t out[kMaxDecomposition]) {
  utf8proc_int32_t buffer[kMaxDecomposition];
  int boundclass = 0;
  const auto length = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buffer, kMaxDecomposition,
                                              UTF8PROC_DECOMPOSE, &boundclass);
  // No canonical decomposition is longer than 4 code points; anything else
  // (an error, a table from the future) leaves the character as it is.
  if (length < 1 || length > kMaxDecomposition) {
    out[0] = cp;
    return 1;
  }
  for (utf8proc_ssize_t i = 0; i < length; ++i) out[i] = static_cast<char32_t>(buffer[i]);
  return static_cast<int>(length);
}

std::uint8_t combining_class(char32_t cp) {
  if (!(CharFlags::instance()(cp) & char_flag::combining)) return 0;
  return static_cast<std::uint8_t>(utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class);
}

}  // namespace bertlab::wordpiece
