#include "word_operations.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "random.hpp"
#include "text_units.hpp"

namespace bertlab::augment {

namespace {

std::vector<std::size_t> editable_positions(const Sentence& sentence) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < sentence.tokens.size(); ++i)
    if (sentence.tokens[i].editable) out.push_back(i);
  return out;
}

// The lookup key of a word: its core without punctuation; characters as they are.
std::string core_of(const Sentence& sentence, const std::string& word) {
  return sentence.characters ? word : split_affixes(word).core;
}

// The tokens that replace `word` by `synonym`: punctuation and case kept; a
// multi-word synonym gives several tokens; in character text, one per character.
std::vector<Token> replacement_tokens(const Sentence& sentence, const Token& original, const std::string& synonym) {
  std::vector<std::string> words;
  if (sentence.characters) {
    for (const auto& unit : split_units(synonym).units)
      for (auto& point : code_points(unit)) words.push_back(std::move(point));
  } else {
    auto affixes = split_affixes(original.word);
    words = split_units(affixes.prefix + match_case(affixes.core, synonym) + affixes.suffix).units;
  }
  std::vector<Token> out;
  for (auto& word : words) out.push_back({std::move(word), original.tag, original.editable});
  return out;
}

std::vector<Token> inserted_tokens(const Sentence& sentence, const std::string& synonym) {
  Token plain{"", sentence.tagged ? "O" : "", true};
  std::vector<Token> out;
  for (auto& unit : split_units(synonym).units) {
    if (sentence.characters) {
      for (auto& point : code_points(unit)) out.push_back({std::move(point), plain.tag, true});
    } else {
      out.push_back({std::move(unit), plain.tag, true});
    }
  }
  return out;
}

}  // namespace

std::size_t changes_for(double alpha, std::size_t words) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(alpha * static_cast<double>(words)));
}

std::size_t count_replaceable(const Sentence& sentence, const StopWords& stopwords) {
  std::size_t n = 0;
  for (const auto& token : sentence.tokens) {
    if (!token.editable) continue;
    const auto core = core_of(sentence, token.word);
    if (!core.empty() && !is_stopword(stopwords, core)) ++n;
  }
  return n;
}

std::size_t synonym_replacement(Sentence& sentence, std::size_t n, const SynonymSource& source,
                                const StopWords& stopwords, std::mt19937_64& rng) {
  // The distinct replaceable words, in order of first appearance, then shuffled.
  std::vector<std::string> candidates;
  for (const auto& token : sentence.tokens) {
    if (!token.editable) continue;
    auto core = core_of(sentence, token.word);
    if (core.empty() || is_stopword(stopwords, core)) continue;
    if (std::find(candidates.begin(), candidates.end(), token.word) == candidates.end()) candidates.push_back(token.word);
  }
  shuffle(candidates, rng);
  std::size_t replaced = 0;
  for (const auto& word : candidates) {
    if (replaced >= n) break;
    auto synonyms = source.synonyms(core_of(sentence, word));
    if (synonyms.empty()) continue;
    const std::string& chosen = synonyms[uniform_index(rng, synonyms.size())];
    std::vector<Token> rewritten;
    for (auto& token : sentence.tokens) {
      if (token.editable && token.word == word) {
        for (auto& t : replacement_tokens(sentence, token, chosen)) rewritten.push_back(std::move(t));
      } else {
        rewritten.push_back(std::move(token));
      }
    }
    sentence.tokens = std::move(rewritten);
    ++replaced;
  }
  return replaced;
}

std::size_t random_insertion(Sentence& sentence, std::size_t n, const SynonymSource& source, std::mt19937_64& rng) {
  std::size_t inserted = 0;
  for (std::size_t k = 0; k < n; ++k) {
    auto editable = editable_positions(sentence);
    if (editable.empty()) break;
    std::vector<std::string> synonyms;
    for (int attempt = 0; attempt < 10 && synonyms.empty(); ++attempt) {
      const auto& word = sentence.tokens[editable[uniform_index(rng, editable.size())]].word;
      auto core = core_of(sentence, word);
      if (!core.empty()) synonyms = source.synonyms(core);
    }
    if (synonyms.empty()) continue;
    const std::string& chosen = synonyms[uniform_index(rng, synonyms.size())];
    // Positions 0..size where the word there (if any) does not continue an entity.
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i <= sentence.tokens.size(); ++i)
      if (i == sentence.tokens.size() || !continues_entity(sentence.tokens[i].tag)) positions.push_back(i);
    const std::size_t at = positions[uniform_index(rng, positions.size())];
    auto tokens = inserted_tokens(sentence, chosen);
    sentence.tokens.insert(sentence.tokens.begin() + static_cast<std::ptrdiff_t>(at), tokens.begin(), tokens.end());
    ++inserted;
  }
  return inserted;
}

void random_swap(Sentence& sentence, std::size_t n, std::mt19937_64& rng) {
  for (std::size_t k = 0; k < n; ++k) {
    auto editable = editable_positions(sentence);
    if (editable.size() < 2) return;
    std::size_t a = editable[uniform_index(rng, editable.size())];
    std::size_t b = a;
    for (int attempt = 0; attempt < 4 && b == a; ++attempt) b = editable[uniform_index(rng, editable.size())];
    std::swap(sentence.tokens[a], sentence.tokens[b]);
  }
}

void random_deletion(Sentence& sentence, double p, std::mt19937_64& rng) {
  if (sentence.tokens.size() <= 1) return;
  std::vector<Token> kept;
  for (auto& token : sentence.tokens)
    if (!token.editable || uniform01(rng) > p) kept.push_back(token);
  if (kept.empty()) kept.push_back(sentence.tokens[uniform_index(rng, sentence.tokens.size())]);
  sentence.tokens = std::move(kept);
}

}  // namespace bertlab::augment
