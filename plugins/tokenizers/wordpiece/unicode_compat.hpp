// Where Hugging Face tokenizers' character data differ from utf8proc's (see
// gen_unicode_compat.py, which writes the tables): HF's categories are those
// of Unicode 8.0, its lower case that of the Rust release it was built with.
#pragma once

#include <cstdint>
#include <span>

namespace bertlab::wordpiece {

struct CodePointRange {
  char32_t first;
  char32_t last;  // inclusive
};

struct LowercaseException {
  char32_t from;
  char32_t to[3];
  std::uint8_t length;
};

namespace compat {

extern const std::span<const CodePointRange> other_added;
extern const std::span<const CodePointRange> other_removed;
extern const std::span<const CodePointRange> punctuation_added;
extern const std::span<const CodePointRange> punctuation_removed;
extern const std::span<const CodePointRange> nonspacing_mark_added;
extern const std::span<const CodePointRange> nonspacing_mark_removed;
extern const std::span<const CodePointRange> decomposition_removed;
extern const std::span<const CodePointRange> combining_removed;
extern const std::span<const LowercaseException> lowercase_exceptions;  // sorted by `from`

}  // namespace compat

}  // namespace bertlab::wordpiece
