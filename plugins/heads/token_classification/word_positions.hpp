// The first sub-tokens of words gathered into a compact [batch, words]
// sequence, so that a CRF runs over words with no holes between them.
#pragma once

#include <ATen/core/Tensor.h>

namespace bertlab::heads {

struct WordPositions {
  at::Tensor index;  // [batch, max words] int64: token position of each word (0 past a row's end)
  at::Tensor mask;   // [batch, max words] bool: the row's words (a prefix)
};

// `word_mask` [batch, seq] bool marks the tokens that carry a word's tag.
WordPositions word_positions(const at::Tensor& word_mask);

// values [batch, seq, ...] -> [batch, max words, ...] at `positions.index`.
at::Tensor gather_words(const at::Tensor& values, const WordPositions& positions);

}  // namespace bertlab::heads
