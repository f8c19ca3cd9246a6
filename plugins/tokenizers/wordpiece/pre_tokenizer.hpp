// BERT's pre-tokenizer (HF's BertPreTokenizer) over normalized text: words
// end at whitespace, which is dropped, and every punctuation character is a
// word of its own.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "normalizer.hpp"

namespace bertlab::wordpiece {

struct WordSpan {
  std::uint32_t begin;  // indices into the normalized characters
  std::uint32_t end;
};

// Writes the words of `normalized` into `words` (replacing its contents).
void split_words(std::span<const NormalizedChar> normalized, std::vector<WordSpan>& words);

}  // namespace bertlab::wordpiece
