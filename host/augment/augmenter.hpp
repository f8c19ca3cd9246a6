// Example-level augmentation of a training set ([[augment.plugins]] whose
// plugin is Level::example): each entry in order makes new examples from the
// originals (never from another entry's output), each original augmented at
// all with the entry's `probability` (an option the host reads and removes,
// default 1.0). Randomness: one generator per entry and original, seeded from
// (seed, entry index, original index), so an original's augmentations do not
// depend on how many rows were read before it (`bertlab augment --show`
// prints what a trial trains on) and a seed reproduces them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bertlab/augmentation.hpp"
#include "experiment/experiment.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::augment {

struct ExampleAugmentation {
  std::string plugin;   // its name, as in [[augment.plugins]]
  std::string version;  // the plugin's version, for the trial record
  double probability = 1.0;
  std::shared_ptr<Augmentation> augmentation;
};

// A hidden-state augmentation (mixup), applied by the trainer (train/hidden_mixing.hpp).
struct HiddenStateAugmentation {
  std::size_t entry = 0;  // index into [[augment.plugins]]
  std::string plugin;
  std::shared_ptr<Augmentation> augmentation;
};

struct Augmentations {
  std::vector<ExampleAugmentation> example;
  std::vector<HiddenStateAugmentation> hidden_states;
};

// One plugin instance per entry of `entries` (a WordNet or a dictionary is
// loaded once per trial), sorted by level, in order. Throws OptionError for a
// bad `probability` and what the plugins throw for bad options.
Augmentations create_augmentations(const plugin::PluginHost& host, const std::vector<experiment::PluginRef>& entries);

// create_augmentations(...).example.
std::vector<ExampleAugmentation> example_augmentations(const plugin::PluginHost& host,
                                                        const std::vector<experiment::PluginRef>& entries);

// The options an example-level plugin is created with: the entry's, less `probability`.
Table plugin_options(const experiment::PluginRef& entry);

struct AugmentedExample {
  Example example;
  std::size_t original = 0;  // index into the originals
  std::size_t step = 0;      // index into the augmentations
};

// New examples from `originals` (indices `first` .. first + originals.size()
// - 1 of the whole set, for seeding), in order of original then augmentation.
// A plugin error names the plugin and the example.
std::vector<AugmentedExample> augment_examples(std::span<const Example> originals,
                                               const std::vector<ExampleAugmentation>& augmentations,
                                               std::uint64_t seed, std::size_t first = 0);

// "eda +812, synonym +190": how many examples each augmentation added.
std::string describe_added(const std::vector<AugmentedExample>& added,
                           const std::vector<ExampleAugmentation>& augmentations);

}  // namespace bertlab::augment
