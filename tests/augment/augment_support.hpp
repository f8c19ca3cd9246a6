// The built-in augmentations as bertlab loads them, and small helpers.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bertlab/augmentation.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::test {

inline const plugin::PluginHost& augmentation_plugins() {
  // Never unloaded: plugin objects made by a test may outlive any scope in it.
  static const auto* host = [] {
    auto* loaded = new plugin::PluginHost;
    loaded->load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
    return loaded;
  }();
  return *host;
}

inline std::shared_ptr<Augmentation> augmentation(const std::string& name, Table options = {}) {
  return augmentation_plugins().create<Augmentation>(name, Options(std::move(options), "augment." + name));
}

inline Example text_example(const std::string& text, const std::string& id = "1") {
  Example e;
  e.id = id;
  e.text = text;
  e.label = Value("1");
  return e;
}

// Every augmentation of every example, with one generator seeded `seed`.
inline std::vector<Example> augment_all(const Augmentation& a, const std::vector<Example>& examples, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Example> out;
  for (const auto& e : examples)
    for (auto& made : a.augment(e, rng)) out.push_back(std::move(made));
  return out;
}

inline std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (c == ' ') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(word);
  return out;
}

// A few SST-2 style sentences (lowercased, spaced punctuation).
inline std::vector<Example> movie_sentences() {
  std::vector<std::string> texts = {
      "a charming and often affecting journey through the lives of quick witted people .",
      "the film is a happy mess , full of good actors and great music",
      "it 's a slow , dull movie that never finds its story",
      "an intelligent , funny and moving picture about a small town",
      "the acting is terrible and the plot makes no sense at all",
      "this quick little comedy will make you laugh and cry",
      "a beautiful , sad film with a strong performance by the young star",
      "nothing in this boring thriller is new or surprising"};
  std::vector<Example> out;
  for (std::size_t i = 0; i < texts.size(); ++i) out.push_back(text_example(texts[i], std::to_string(i)));
  return out;
}

}  // namespace bertlab::test
