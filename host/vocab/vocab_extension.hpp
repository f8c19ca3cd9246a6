// `vocab extend`'s choice of new tokens: the characters that make corpus
// words come out of WordPiece as [UNK].
//
// WordPiece is all-or-nothing per word: one character the vocabulary cannot
// write in its position (word-initial "x", or "##x" inside a word) turns the
// whole word into [UNK]. So for every word that becomes [UNK], each
// character whose needed form is missing becomes a candidate: "x" at the
// start of the word, "##x" after it (a single CJK character is a word of its
// own, so it yields "x"). With those present every such word is reachable
// by greedy longest-match, and unseen words made of the same characters are
// too — adding whole words instead would only fix the exact words seen, and
// would add many rare tokens.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vocab/word_splitter.hpp"

namespace bertlab::vocab {

// Every word of a corpus with the number of times it occurs.
using WordCounts = std::map<Word, std::int64_t>;

WordCounts count_words(const std::vector<std::string>& texts, const WordSplitter& splitter);

struct UnknownRate {
  std::int64_t tokens = 0;   // WordPiece tokens of the corpus (no special tokens)
  std::int64_t unknown = 0;  // of them [UNK]
  double percent() const { return tokens ? 100.0 * static_cast<double>(unknown) / static_cast<double>(tokens) : 0.0; }
};

UnknownRate unknown_rate(const WordCounts& words, const WordMatcher& matcher);

struct NewToken {
  std::string text;     // as written in vocab.txt ("x" or "##x")
  std::int64_t count;   // occurrences in [UNK] words
};

struct ExtensionChoice {
  std::vector<NewToken> tokens;   // in the order they get ids
  std::int64_t candidates = 0;    // before --min-count and --max-new
  std::int64_t below_min_count = 0;
  std::int64_t words_too_long = 0;  // [UNK] only for being longer than max_input_chars_per_word
};

// Candidates by count (descending), then text (byte order); those seen fewer
// than `min_count` times are dropped, then all but the first `max_new`
// (0: no limit).
ExtensionChoice choose_new_tokens(const WordCounts& words, const wordpiece::Vocabulary& vocabulary,
                                  std::int64_t min_count, std::int64_t max_new);

}  // namespace bertlab::vocab
