// `bertlab vocab train`: a WordPiece vocabulary learned from a corpus the way
// Hugging Face tokenizers' WordPieceTrainer learns one. That trainer is its
// BPE trainer with "##" as the continuing-subword prefix:
//  1. the special tokens, in the order given;
//  2. the alphabet: every character of the corpus words, weighted by word
//     count; with limit_alphabet only the most frequent are kept; added in
//     code point order;
//  3. each word split into characters, "##"-prefixed after the first; each
//     "##x" form is added on first use;
//  4. merges: repeatedly the adjacent pair with the highest count (ties: the
//     pair of smaller ids) becomes a new token (the right part loses its
//     "##"), until the vocabulary has `size` tokens, or no pair is seen
//     `min_frequency` times.
// Words are normalized and split by the `wordpiece` plugin's own rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bertlab::vocab {

struct TrainOptions {
  std::int64_t size = 30000;
  std::int64_t min_frequency = 2;
  bool lowercase = true;
  bool strip_accents = true;  // BERT strips accents with lower-casing
  bool chinese_chars = true;  // CJK characters as words of their own
  std::int64_t limit_alphabet = 1000;  // 0: no limit
  std::vector<std::string> special_tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
};

struct TrainResult {
  std::vector<std::string> vocabulary;  // by id
  std::int64_t words = 0;               // distinct words of the corpus
  std::int64_t alphabet = 0;            // characters kept
  std::int64_t dropped_characters = 0;  // by limit_alphabet
  std::int64_t initial_size = 0;        // specials + alphabet + "##" forms, before any merge
  std::int64_t merges = 0;
};

// Throws std::invalid_argument when `size` is below the vocabulary before
// any merge (specials, alphabet, "##" forms): the result could not have the
// size asked for.
TrainResult train_wordpiece(const std::vector<std::string>& texts, const TrainOptions& options);

}  // namespace bertlab::vocab
