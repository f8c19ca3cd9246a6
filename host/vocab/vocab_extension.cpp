#include "vocab/vocab_extension.hpp"

#include <algorithm>

namespace bertlab::vocab {

WordCounts count_words(const std::vector<std::string>& texts, const WordSplitter& splitter) {
  WordCounts counts;
  std::vector<Word> words;
  for (const auto& text : texts) {
    splitter.split(text, words);
    for (auto& word : words) ++counts[std::move(word)];
  }
  return counts;
}

UnknownRate unknown_rate(const WordCounts& words, const WordMatcher& matcher) {
  UnknownRate rate;
  for (const auto& [word, count] : words) {
    for (const auto id : matcher.match(word)) {
      rate.tokens += count;
      if (id == matcher.unk_id()) rate.unknown += count;
    }
  }
  return rate;
}

ExtensionChoice choose_new_tokens(const WordCounts& words, const wordpiece::Vocabulary& vocabulary,
                                  std::int64_t min_count, std::int64_t max_new) {
  const WordMatcher matcher(vocabulary);
  std::map<std::string, std::int64_t> candidates;
  ExtensionChoice choice;
  for (const auto& [word, count] : words) {
    const auto ids = matcher.match(word);
    if (std::find(ids.begin(), ids.end(), matcher.unk_id()) == ids.end()) continue;
    if (word.size() > wordpiece::WordPieceMatcher::kMaxCharsPerWord) {
      choice.words_too_long += count;
      continue;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
      std::string piece = i == 0 ? "" : "##";
      piece += to_utf8(std::u32string_view(word).substr(i, 1));
      if (vocabulary.find(piece) < 0) candidates[piece] += count;
    }
  }
  choice.candidates = static_cast<std::int64_t>(candidates.size());
  for (const auto& [text, count] : candidates) {
    if (count < min_count)
      ++choice.below_min_count;
    else
      choice.tokens.push_back({text, count});
  }
  std::stable_sort(choice.tokens.begin(), choice.tokens.end(),
                   [](const NewToken& a, const NewToken& b) { return a.count > b.count; });
  if (max_new > 0 && static_cast<std::int64_t>(choice.tokens.size()) > max_new)
    choice.tokens.resize(static_cast<std::size_t>(max_new));
  return choice;
}

}  // namespace bertlab::vocab
