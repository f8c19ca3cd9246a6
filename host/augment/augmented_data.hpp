// A trial's training data with its augmentations: the study's prepared data
// (tokenized once) plus the new examples the trial's seed makes, featurized
// here; evaluation data is never augmented.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augment/augmenter.hpp"
#include "bertlab/head.hpp"
#include "bertlab/tokenizer.hpp"
#include "train/trainer.hpp"

namespace bertlab::augment {

struct AugmentedData {
  train::PreparedData data;
  std::size_t added = 0;
  std::string summary;  // describe_added()
};

// `data` with the new examples of `augmentations` appended to its training
// examples and features. A new example the head cannot featurize is a
// runtime_error naming the augmentation and the original it came from.
AugmentedData with_augmentations(const train::PreparedData& data,
                                 const std::vector<ExampleAugmentation>& augmentations, std::uint64_t seed,
                                 const Head& featurizer, const Tokenizer& tokenizer, const EncodeOptions& encode);

}  // namespace bertlab::augment
