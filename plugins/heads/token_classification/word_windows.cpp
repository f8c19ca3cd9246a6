#include "word_windows.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace bertlab::heads {

std::vector<Feature> featurize_words(std::span<const std::string> words, std::span<const std::int64_t> tag_ids,
                                     std::int64_t example_index, const Tokenizer& tokenizer,
                                     const EncodeOptions& options, std::int64_t stride) {
  EncodeOptions windowed = options;
  windowed.truncation = Truncation::only_first;
  windowed.return_overflowing = true;
  // The stride must stay below the window's room for words ([CLS] and [SEP] take two).
  const std::int64_t room = options.max_length > 0 ? options.max_length - 2 : 0;
  windowed.stride = room > 1 ? std::min(stride, room / 2) : 0;
  Encoding first = tokenizer.encode(TextInput{{}, {}, false, words}, windowed);
  std::vector<Encoding> windows;
  windows.push_back(std::move(first));
  for (auto& more : windows.front().overflowing) windows.push_back(std::move(more));
  windows.front().overflowing.clear();

  // A word's first sub-token is the one that starts earliest in the word;
  // a window that begins inside a word holds only later pieces of it.
  std::vector<std::int64_t> first_begin(words.size(), std::numeric_limits<std::int64_t>::max());
  for (const auto& window : windows)
    for (std::size_t i = 0; i < window.size(); ++i)
      if (window.word_ids[i] >= 0) {
        auto& begin = first_begin.at(static_cast<std::size_t>(window.word_ids[i]));
        begin = std::min(begin, window.offsets[i].begin);
      }

  std::vector<Feature> features;
  for (auto& window : windows) {
    Feature feature;
    feature.example_index = example_index;
    feature.labels.assign(window.size(), kIgnoreIndex);
    std::int32_t previous_word = -1;
    for (std::size_t i = 0; i < window.size(); ++i) {
      const auto word = window.word_ids[i];
      const bool first_piece = word >= 0 && word != previous_word &&
                               window.offsets[i].begin == first_begin[static_cast<std::size_t>(word)];
      if (first_piece)
        feature.labels[i] = tag_ids.empty() ? kUnlabelled : tag_ids[static_cast<std::size_t>(word)];
      previous_word = word;
    }
    feature.encoding = std::move(window);
    features.push_back(std::move(feature));
  }
  return features;
}

std::vector<std::int64_t> merge_windows(std::size_t word_count, std::span<const Feature* const> features,
                                        std::span<const std::vector<std::int64_t>> window_tags,
                                        std::int64_t fallback) {
  if (features.size() != window_tags.size()) throw std::logic_error("merge_windows: one tag list per window expected");
  std::vector<std::int64_t> tags(word_count, fallback);
  std::vector<std::int64_t> best_context(word_count, -1);
  for (std::size_t f = 0; f < features.size(); ++f) {
    const Feature& feature = *features[f];
    const auto& word_ids = feature.encoding.word_ids;
    // The window's word tokens span [content_begin, content_end].
    std::int64_t content_begin = -1, content_end = -1;
    for (std::size_t i = 0; i < word_ids.size(); ++i)
      if (word_ids[i] >= 0) {
        if (content_begin < 0) content_begin = static_cast<std::int64_t>(i);
        content_end = static_cast<std::int64_t>(i);
      }
    std::size_t next = 0;
    for (std::size_t i = 0; i < feature.labels.size(); ++i) {
      if (feature.labels[i] == kIgnoreIndex) continue;
      if (next >= window_tags[f].size()) throw std::logic_error("merge_windows: fewer tags than first sub-tokens");
      const auto tag = window_tags[f][next++];
      const auto word = static_cast<std::size_t>(word_ids[i]);
      const auto at = static_cast<std::int64_t>(i);
      // BERT's "max context" rule for windows (run_squad's _check_is_max_context).
      const auto context = std::min(at - content_begin, content_end - at);
      if (context > best_context.at(word)) {
        best_context[word] = context;
        tags[word] = tag;
      }
    }
  }
  return tags;
}

}  // namespace bertlab::heads
