#include "augment/augmented_data.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace bertlab::augment {

AugmentedData with_augmentations(const train::PreparedData& data,
                                 const std::vector<ExampleAugmentation>& augmentations, std::uint64_t seed,
                                 const Head& featurizer, const Tokenizer& tokenizer, const EncodeOptions& encode) {
  AugmentedData out;
  auto added = augment_examples(data.train_examples, augmentations, seed);
  out.summary = describe_added(added, augmentations);
  out.added = added.size();
  out.data = data;
  out.data.train_examples.reserve(data.train_examples.size() + added.size());
  for (auto& item : added) {
    const auto index = static_cast<std::int64_t>(out.data.train_examples.size());
    try {
      for (auto& feature : featurizer.featurize(item.example, index, tokenizer, encode))
        out.data.train_features.push_back(std::move(feature));
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(fmt::format("augmentation '{}' made an example the head refuses from training example "
                                           "{} (id {}): {}",
                                           augmentations[item.step].plugin, item.original,
                                           data.train_examples[item.original].id, error.what()));
    }
    out.data.train_examples.push_back(std::move(item.example));
  }
  return out;
}

}  // namespace bertlab::augment
