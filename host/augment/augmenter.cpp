#include "augment/augmenter.hpp"

#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace bertlab::augment {

namespace {

// Uniform in [0, 1) with 53 random bits, the same on every standard library.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::mt19937_64 generator_for(std::uint64_t seed, std::size_t step, std::size_t index) {
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(index),
                         static_cast<std::uint32_t>(static_cast<std::uint64_t>(index) >> 32)};
  return std::mt19937_64(sequence);
}

}  // namespace

Table plugin_options(const experiment::PluginRef& entry) {
  Table options = entry.options;
  options.erase("probability");
  return options;
}

Augmentations create_augmentations(const plugin::PluginHost& host,
                                  const std::vector<experiment::PluginRef>& entries) {
  Augmentations out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    // Errors name the option as a search parameter would: augment.<plugin>.<option>.
    const std::string prefix = "augment." + entry.plugin;
    // Example-level plugins do not take `probability` (the host reads it for
    // them), so the level is asked of an instance made without it.
    auto augmentation = host.create<Augmentation>(entry.plugin, Options(plugin_options(entry), prefix));
    if (augmentation->level() == Augmentation::Level::example) {
      const double probability = Options(entry.options, prefix).get_double_in("probability", 1.0, 0.0, 1.0);
      const auto* record = host.find("augmentation", entry.plugin);
      out.example.push_back({entry.plugin, record ? record->version : "", probability, std::move(augmentation)});
      continue;
    }
    // A hidden-state plugin reads its options whole, `probability` included.
    if (entry.options.count("probability") != 0)
      augmentation = host.create<Augmentation>(entry.plugin, Options(entry.options, prefix));
    out.hidden_states.push_back({i, entry.plugin, std::move(augmentation)});
  }
  return out;
}

std::vector<ExampleAugmentation> example_augmentations(const plugin::PluginHost& host,
                                                        const std::vector<experiment::PluginRef>& entries) {
  return create_augmentations(host, entries).example;
}

std::vector<AugmentedExample> augment_examples(std::span<const Example> originals,
                                               const std::vector<ExampleAugmentation>& augmentations,
                                               std::uint64_t seed, std::size_t first) {
  std::vector<AugmentedExample> out;
  for (std::size_t i = 0; i < originals.size(); ++i) {
    for (std::size_t step = 0; step < augmentations.size(); ++step) {
      const auto& augmentation = augmentations[step];
      auto rng = generator_for(seed, step, first + i);
      if (augmentation.probability < 1.0 && !(uniform01(rng) < augmentation.probability)) continue;
      std::vector<Example> made;
      try {
        made = augmentation.augmentation->augment(originals[i], rng);
      } catch (const std::exception& error) {
        throw std::runtime_error(fmt::format("augmentation '{}' on training example {} (id {}): {}", augmentation.plugin,
                                             first + i, originals[i].id, error.what()));
      }
      for (auto& example : made) out.push_back({std::move(example), i, step});
    }
  }
  return out;
}

std::string describe_added(const std::vector<AugmentedExample>& added,
                           const std::vector<ExampleAugmentation>& augmentations) {
  std::vector<std::size_t> counts(augmentations.size(), 0);
  for (const auto& item : added) ++counts[item.step];
  std::string out;
  for (std::size_t i = 0; i < augmentations.size(); ++i)
    out += fmt::format("{}{} +{}", out.empty() ? "" : ", ", augmentations[i].plugin, counts[i]);
  return out;
}

}  // namespace bertlab::augment
