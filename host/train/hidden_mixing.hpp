// Hidden-state augmentation (mixup) in a training step: the batch's hidden
// states are interpolated by an Augmentation of Level::hidden_states, after
// the encoder (the pooled output and token states; Guo et al. 2019) or after
// encoder layer k (TMix, Chen et al. 2020), and the loss is
//     lambda * loss(labels) + (1 - lambda) * loss(labels[permutation]),
// which for cross-entropy is exactly the loss on the interpolated soft labels
// (cross-entropy is linear in the target distribution). Training batches
// only: evaluation and prediction never mix.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "augment/augmenter.hpp"
#include "bertlab/augmentation.hpp"
#include "bertlab/head.hpp"
#include "experiment/experiment.hpp"
#include "model/bert_model.hpp"

namespace bertlab::train {

struct HiddenStateMixer {
  std::shared_ptr<Augmentation> plugin;
  // Mix the states after this encoder layer (0: the embeddings' output);
  // nullopt: after the encoder ("pooled").
  std::optional<std::int64_t> layer;
  std::string name;  // the plugin's, for messages
};

// The host option `layer` of an [[augment.plugins]] entry: absent or
// "pooled" -> nullopt, an integer >= 0 -> that layer; anything else throws
// OptionError naming `where`.layer.
std::optional<std::int64_t> mixing_layer(const Table& options, const std::string& where);

// The experiment's hidden-state augmentations (at most one: two mixings of
// one batch would need four label combinations), created from its
// [[augment.plugins]] entries; example-level entries are left to the data
// pipeline.
std::vector<HiddenStateMixer> make_hidden_state_mixers(const plugin::PluginHost& host,
                                                       const experiment::Experiment& experiment);
// The same from plugins already created (augment::create_augmentations).
std::vector<HiddenStateMixer> hidden_state_mixers(const experiment::Experiment& experiment,
                                                  std::vector<augment::HiddenStateAugmentation> augmentations);

// `batch` with every label tensor permuted along the batch dimension.
Batch with_permuted_labels(const Batch& batch, const torch::Tensor& permutation);

// The loss of one training batch: encoder, head and loss, with `mixer`
// (may be null) mixing the hidden states when it chooses to. `rng` is the
// trial's mixing generator.
torch::Tensor training_loss(model::BertModel& bert, Head& head, const Batch& batch, HiddenStateMixer* mixer,
                            std::mt19937_64& rng);

}  // namespace bertlab::train
