// WordPiece (Schuster & Nakajima 2012; HF's WordPiece model): a word becomes
// the longest vocabulary token that starts it, then the longest "##" token
// that continues it, and so on; a word that cannot be covered this way, or
// that is longer than kMaxCharsPerWord characters, becomes one unknown token.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "normalizer.hpp"
#include "token_trie.hpp"

namespace bertlab::wordpiece {

struct SubwordPiece {
  std::int32_t id;
  std::uint32_t begin;  // characters of the word
  std::uint32_t end;
};

// Working memory of match(), reused across words by the caller.
struct MatchBuffers {
  std::string bytes;
  std::vector<std::uint32_t> char_at_byte;
};

class WordPieceMatcher {
 public:
  static constexpr std::string_view kContinuingPrefix = "##";
  static constexpr std::size_t kMaxCharsPerWord = 100;  // HF's max_input_chars_per_word

  // `trie` must outlive the matcher.
  WordPieceMatcher(const TokenTrie& trie, std::int32_t unk_id);

  // Appends the pieces of the non-empty `word` to `out`.
  void match(std::span<const NormalizedChar> word, MatchBuffers& buffers, std::vector<SubwordPiece>& out) const;

 private:
  const TokenTrie* trie_;
  std::int32_t unk_id_;
  TokenTrie::Node continuation_;  // the node after the prefix; kNone if no token has it
};

}  // namespace bertlab::wordpiece
