// Sequence labelling on sub-word tokens: a sentence's words are tokenized as
// pre-split words, cut into overlapping windows when longer than the model
// input (the tokenizer's stride support), and each word's tag is carried by
// its first sub-token; the others get kIgnoreIndex, as Hugging Face does.
// Back from the model, every word gets exactly one tag: from the window in
// which its first sub-token has the most context on both sides.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <bertlab/head.hpp>

namespace bertlab::heads {

// Feature::labels values: a token that carries no word's tag; and a first
// sub-token of an unlabelled word (it is still predicted).
constexpr std::int64_t kIgnoreIndex = -100;
constexpr std::int64_t kUnlabelled = -1;

// The windows of one example. `tag_ids` are the words' tag ids (empty: no
// labels, every first sub-token gets kUnlabelled). `stride` is the overlap
// of consecutive windows in tokens, lowered to fit when max_length is small.
std::vector<Feature> featurize_words(std::span<const std::string> words, std::span<const std::int64_t> tag_ids,
                                     std::int64_t example_index, const Tokenizer& tokenizer,
                                     const EncodeOptions& options, std::int64_t stride);

// One tag id per word of an example, from its windows (`features`, in
// order) and each window's predicted tag ids of its first sub-tokens (in
// token order). A word without any sub-token (one the tokenizer drops
// entirely) gets `fallback`.
std::vector<std::int64_t> merge_windows(std::size_t word_count, std::span<const Feature* const> features,
                                        std::span<const std::vector<std::int64_t>> window_tags,
                                        std::int64_t fallback);

}  // namespace bertlab::heads
