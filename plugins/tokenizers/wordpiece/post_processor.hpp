// BERT's post-processor (HF's BertProcessing): [CLS] A [SEP] or
// [CLS] A [SEP] B [SEP], with type ids 0 for A and 1 for B, and the
// per-token sequence ids, word ids and offsets of the SDK's Encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "bertlab/tokenizer.hpp"
#include "vocabulary.hpp"

namespace bertlab::wordpiece {

// A content token (no [CLS]/[SEP]) before it becomes part of an Encoding.
struct Piece {
  std::int32_t id;
  std::int32_t word;
  std::uint32_t begin;  // code points of the text or word it came from
  std::uint32_t end;
};

Encoding build_encoding(const Vocabulary& vocabulary, const SpecialTokens& special, std::span<const Piece> first,
                        std::optional<std::span<const Piece>> second, bool add_special_tokens);

}  // namespace bertlab::wordpiece
