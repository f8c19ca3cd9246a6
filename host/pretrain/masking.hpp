// Masked-language-model inputs, drawn as BERT draws them
// (create_masked_lm_predictions): `probability` of the tokens of an input
// (special tokens excluded) are selected, rounded per input, at least one;
// each selected token becomes [MASK] with `mask_ratio`, a token drawn
// uniformly from the vocabulary with `random_ratio`, and stays as it is
// otherwise. The model must predict the original at every selected position.
//
// With whole-word masking the candidates are whole words (a piece and the
// "##" pieces after it, or a Chinese word of the word list), taken in random
// order while they fit the budget, so a word is masked entirely or not at
// all; the 80/10/10 choice is still made per token, as in Google's release.
//
// Masks are drawn from a generator seeded per (seed, epoch, instance), so
// each epoch sees new masks and a seed reproduces all of them.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "pretrain/instances.hpp"

namespace bertlab::pretrain {

struct MaskingOptions {
  double probability = 0.15;
  double mask_ratio = 0.8;
  double random_ratio = 0.1;
  std::int64_t max_predictions = 0;  // per input; 0: no cap
  bool whole_word = false;
  std::int64_t vocab_size = 0;
  std::int64_t mask_id = 0;
};

struct MaskedInput {
  std::vector<std::int64_t> input_ids;
  std::vector<std::int64_t> labels;  // the original id where selected, -100 elsewhere
};

MaskedInput mask_instance(const Instance& instance, const MaskingOptions& options, std::mt19937_64& rng);

}  // namespace bertlab::pretrain
