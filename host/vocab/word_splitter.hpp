// The words of a text as BERT's tokenizer sees them before WordPiece: the
// `wordpiece` plugin's own normalizer (cleaning, CJK characters apart,
// lower-casing and accent stripping as configured) and pre-tokenizer
// (whitespace and punctuation), compiled from the plugin's sources so that
// `vocab extend` and `vocab train` count exactly the words the tokenizer
// will later match.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "normalizer.hpp"
#include "special_tokens.hpp"
#include "vocabulary.hpp"
#include "wordpiece_matcher.hpp"

namespace bertlab::vocab {

struct TokenizerSettings {
  bool lowercase = true;
  bool strip_accents = true;
  bool tokenize_chinese_chars = true;
};

// The settings of a model directory's tokenizer_config.json (the same rules
// as the host uses to configure the plugin).
TokenizerSettings tokenizer_settings(const std::string& model_dir);

// One word: its normalized characters (what WordPiece matches).
using Word = std::u32string;

class WordSplitter {
 public:
  // `special_tokens` written in the text ("[MASK]") are left out of the
  // words, as the tokenizer keeps them whole before normalization.
  WordSplitter(const TokenizerSettings& settings, const std::vector<std::string>& special_tokens);

  // Replaces `words` with the words of the UTF-8 `text`.
  void split(std::string_view text, std::vector<Word>& words) const;

 private:
  wordpiece::Normalizer normalizer_;
  wordpiece::SpecialTokenSplitter specials_;
};

std::string to_utf8(std::u32string_view text);

// Greedy longest-match WordPiece over a vocabulary, on one word: the ids
// the plugin would produce (a single unknown id when the word cannot be
// covered or is longer than HF's max_input_chars_per_word).
class WordMatcher {
 public:
  explicit WordMatcher(const wordpiece::Vocabulary& vocabulary);
  std::vector<std::int32_t> match(std::u32string_view word) const;
  std::int32_t unk_id() const { return unk_id_; }

 private:
  const wordpiece::Vocabulary* vocabulary_;
  std::int32_t unk_id_;
  wordpiece::WordPieceMatcher matcher_;
};

}  // namespace bertlab::vocab
