// bertlab SDK v2 — augmentation.hpp
//
// Augmentations for scarce data, at two levels:
//
//  - Example level (`Level::example`): text transforms applied to training
//    examples before tokenization — synonym replacement, random insertion,
//    swap and deletion (EDA), back-translation tables, ... `augment` returns
//    the new examples made from one example (possibly none); the host adds
//    them to the training set of each trial. Labels must stay valid for the
//    new text (for word-tagged examples, keep `words` and the tag array
//    aligned). The host calls `augment` on each original training example
//    with a generator seeded from the trial's seed and the example's
//    position; each [[augment.plugins]] entry's `probability` option (the
//    chance that an example is augmented at all, default 1.0) is read by the
//    host and removed from the options the plugin is constructed with.
//
//  - Batch level (`Level::hidden_states`): a hook on the encoder outputs of
//    a training batch, e.g. mixup-style interpolation of hidden states.
//    `mix` may rewrite the outputs in place and returns how the batch was
//    mixed; the host then combines the head's loss on the original labels
//    and on the labels permuted by `permutation`:
//        loss = lambda * loss(labels) + (1 - lambda) * loss(labels[permutation])
//    so it works for any head without the head knowing about mixing. For
//    cross-entropy this is exactly the loss on the interpolated soft labels
//    lambda * onehot(y) + (1 - lambda) * onehot(y[permutation]), cross-entropy
//    being linear in the target distribution.
//
//    Where the host calls `mix` is the host option `layer` of the plugin's
//    [[augment.plugins]] entry (a plugin should accept and ignore it):
//      absent or "pooled": after the encoder, with pooled_output,
//        last_hidden_state and (for heads that read them) hidden_states
//        filled; the plugin mixes whatever is defined (Guo et al. 2019).
//      an integer k in 0..num_layers: the host runs the embeddings and
//        layers 1..k, calls `mix` with only last_hidden_state set (the states
//        after layer k; 0: the embeddings' output), then runs the remaining
//        layers on the mixed states (TMix, Chen et al. 2020). The attention
//        mask of a mixed row is then the union (max) of the two rows' masks.
//    Training batches only; evaluation never mixes.
//
// Randomness comes only from the generator passed in, which the host seeds
// per trial, so a seed reproduces a run. Calls may throw std::exception; the
// host fails the trial with the message.
#pragma once

#include <optional>
#include <random>
#include <vector>

#include <torch/types.h>

#include "bertlab/head.hpp"
#include "bertlab/plugin.hpp"

namespace bertlab {

struct BatchMix {
  torch::Tensor permutation;  // [batch] int64: the partner of each row
  double lambda = 1.0;        // weight of the original row
};

class Augmentation : public Plugin {
 public:
  using Interface = Augmentation;
  static constexpr const char* kKind = kind::augmentation;

  enum class Level { example, hidden_states };
  virtual Level level() const = 0;

  // Level::example: new examples derived from `example`.
  virtual std::vector<Example> augment(const Example& example, std::mt19937_64& rng) const {
    (void)example;
    (void)rng;
    return {};
  }

  // Level::hidden_states: called on each training batch after the encoder.
  // Return std::nullopt to leave this batch unmixed.
  virtual std::optional<BatchMix> mix(EncoderOutputs& outputs, const Batch& batch, std::mt19937_64& rng) {
    (void)outputs;
    (void)batch;
    (void)rng;
    return std::nullopt;
  }
};

}  // namespace bertlab
