// Truncation as HF tokenizers does it (truncate_encodings and
// Encoding::truncate): how many content tokens of A and B stay, and which
// windows of each sequence the cut-off tokens are returned in.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "bertlab/tokenizer.hpp"

namespace bertlab::wordpiece {

struct Window {
  std::size_t begin;  // content tokens of one sequence
  std::size_t end;
};

// The first window of each sequence is the part that stays; the others are
// the overflowing windows, in HF's order. A sequence that is not cut has
// the one window [0, length).
struct TruncationPlan {
  std::vector<Window> first;
  std::vector<Window> second;  // empty for a single sequence
};

// `special_tokens` is how many special tokens the encoding adds (2 for a
// single sequence, 3 for a pair, 0 without them). Throws
// std::invalid_argument when the options cannot be met: max_length too small
// for the special tokens, only_second without a pair, a sequence too short
// to remove the excess from, or a stride not below the window length.
TruncationPlan plan_truncation(std::size_t first_length, std::optional<std::size_t> second_length,
                               std::size_t special_tokens, const EncodeOptions& options);

}  // namespace bertlab::wordpiece
