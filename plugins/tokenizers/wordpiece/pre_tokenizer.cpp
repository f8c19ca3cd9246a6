#include "pre_tokenizer.hpp"

#include "unicode.hpp"

namespace bertlab::wordpiece {

void split_words(std::span<const NormalizedChar> normalized, std::vector<WordSpan>& words) {
  const auto& flags_of = CharFlags::instance();
  words.clear();
  std::uint32_t start = 0;
  bool in_word = false;
  const auto size = static_cast<std::uint32_t>(normalized.size());
  for (std::uint32_t i = 0; i < size; ++i) {
    const auto flags = flags_of(normalized[i].cp);
    if (flags & (char_flag::whitespace | char_flag::punctuation)) {
      if (in_word) words.push_back({start, i});
      in_word = false;
      if (flags & char_flag::punctuation) words.push_back({i, i + 1});
    } else if (!in_word) {
      start = i;
      in_word = true;
    }
  }
  if (in_word) words.push_back({start, size});
}

}  // namespace bertlab::wordpiece
