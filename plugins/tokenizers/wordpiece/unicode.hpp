// The character properties BERT's normalizer and pre-tokenizer ask about,
// with the answers Hugging Face tokenizers gives: utf8proc's data corrected by
// the tables of unicode_compat.hpp.
#pragma once

#include <array>
#include <cstdint>

namespace bertlab::wordpiece {

namespace char_flag {
inline constexpr std::uint8_t drop = 1 << 0;           // removed by text cleaning
inline constexpr std::uint8_t whitespace = 1 << 1;     // becomes ' ' in cleaning; splits words
inline constexpr std::uint8_t cjk = 1 << 2;            // a word of its own (handle_chinese_chars)
inline constexpr std::uint8_t punctuation = 1 << 3;    // a word of its own
inline constexpr std::uint8_t nonspacing_mark = 1 << 4;  // removed by accent stripping
inline constexpr std::uint8_t decomposes = 1 << 5;     // NFD changes it
inline constexpr std::uint8_t combining = 1 << 6;      // canonical combining class > 0
inline constexpr std::uint8_t lowercase_changes = 1 << 7;
}  // namespace char_flag

inline constexpr char32_t kCodePointCount = 0x110000;

// The char_flag bits of every code point (about 1 MiB, built on first use).
// Callers fetch it once and then look up characters with an inlined load.
class CharFlags {
 public:
  static const CharFlags& instance();
  // 0 for values above U+10FFFF.
  std::uint8_t operator()(char32_t cp) const { return cp < kCodePointCount ? table_[cp] : 0; }

 private:
  CharFlags();
  std::array<std::uint8_t, kCodePointCount> table_;
};

// The full lower-case mapping of `cp` into `out`; returns its length (1 to 3).
int to_lowercase(char32_t cp, char32_t out[3]);

// The canonical decomposition of `cp` into `out` (not yet canonically
// ordered); returns its length. Only for code points with char_flag::decomposes.
inline constexpr int kMaxDecomposition = 8;
int decompose(char32_t cp, char32_t out[kMaxDecomposition]);

std::uint8_t combining_class(char32_t cp);

}  // namespace bertlab::wordpiece
