#include "data/featurize.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace bertlab::data {

std::vector<Feature> featurize(const Head& head, const Dataset& dataset, const Tokenizer& tokenizer,
                               const EncodeOptions& options) {
  std::vector<Feature> features;
  features.reserve(dataset.examples.size());
  for (std::size_t i = 0; i < dataset.examples.size(); ++i) {
    try {
      auto made = head.featurize(dataset.examples[i], static_cast<std::int64_t>(i), tokenizer, options);
      for (auto& f : made) features.push_back(std::move(f));
    } catch (const std::invalid_argument& e) {
      throw DataError(fmt::format("{}:{}: {}", dataset.file.string(), dataset.lines[i], e.what()));
    }
  }
  return features;
}

}  // namespace bertlab::data
