// The starting rows of new tokens in a resized vocabulary-sized tensor (the
// word embeddings, an MLM decoder's weight and bias).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "vocab/extend_vocabulary.hpp"
#include "vocab/vocab_extension.hpp"

namespace bertlab::vocab {

// For each new token, the old ids its row is the mean of; empty means all
// old rows. With mean_of_pieces: the pieces the old vocabulary writes the
// token's text as (without "##"), [UNK] left out; when that is only [UNK]
// and the token is one character, its other form ("##x" for "x", "x" for
// "##x") if the old vocabulary has it; otherwise all rows.
std::vector<std::vector<std::int64_t>> init_sources(const std::vector<NewToken>& tokens,
                                                    const wordpiece::Vocabulary& old_vocabulary, InitMode mode);

// `table` (old size × ..., on dim 0) with one row per entry of `sources`
// appended: the mean of those rows of `table` (all rows when empty), in
// float32 arithmetic and `table`'s dtype.
at::Tensor append_rows(const at::Tensor& table, const std::vector<std::vector<std::int64_t>>& sources);

}  // namespace bertlab::vocab
