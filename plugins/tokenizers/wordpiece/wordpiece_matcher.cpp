#include "wordpiece_matcher.hpp"

#include "utf8.hpp"

namespace bertlab::wordpiece {

WordPieceMatcher::WordPieceMatcher(const TokenTrie& trie, std::int32_t unk_id)
    : trie_(&trie), unk_id_(unk_id), continuation_(trie.walk(TokenTrie::kRoot, kContinuingPrefix)) {}

void WordPieceMatcher::match(std::span<const NormalizedChar> word, MatchBuffers& buffers,
                             std::vector<SubwordPiece>& out) const {
  const auto char_count = static_cast<std::uint32_t>(word.size());
  if (word.size() > kMaxCharsPerWord) {
    out.push_back({unk_id_, 0, char_count});
    return;
  }
  auto& bytes = buffers.bytes;
  auto& char_at_byte = buffers.char_at_byte;
  bytes.clear();
  char_at_byte.clear();
  for (std::uint32_t i = 0; i < char_count; ++i) {
    append_utf8(word[i].cp, bytes);
    char_at_byte.resize(bytes.size(), i);
  }
  char_at_byte.push_back(char_count);

  const auto first_piece = out.size();
  const auto size = bytes.size();
  std::size_t start = 0;
  while (start < size) {
    // Vocabulary tokens are valid UTF-8, so a token matching a prefix of
    // well-formed bytes always ends on a character boundary.
    TokenTrie::Node node = start == 0 ? TokenTrie::kRoot : continuation_;
    std::int32_t best_id = -1;
    std::size_t best_end = start;
    for (std::size_t p = start; p < size && node != TokenTrie::kNone; ++p) {
      node = trie_->child(node, static_cast<unsigned char>(bytes[p]));
      if (node != TokenTrie::kNone && trie_->value(node) >= 0) {
        best_id = trie_->value(node);
        best_end = p + 1;
      }
    }
    if (best_id < 0) {
      out.resize(first_piece);
      out.push_back({unk_id_, 0, char_count});
      return;
    }
    out.push_back({best_id, char_at_byte[start], char_at_byte[best_end]});
    start = best_end;
  }
}

}  // namespace bertlab::wordpiece
