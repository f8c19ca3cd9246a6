// A WordPiece vocabulary (vocab.txt): one token per line, the line number
// (from 0) is its id.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "token_trie.hpp"

namespace bertlab::wordpiece {

class Vocabulary {
 public:
  // Throws std::runtime_error naming the file when it cannot be read or a
  // line is not UTF-8.
  static Vocabulary load(const std::filesystem::path& file);

  std::int64_t size() const { return static_cast<std::int64_t>(tokens_.size()); }
  const std::string& token(std::int64_t id) const;  // throws std::out_of_range
  std::int32_t find(std::string_view token) const;  // -1 when absent
  const TokenTrie& trie() const { return trie_; }

 private:
  // `name` is the file, for errors.
  static Vocabulary parse(std::string_view contents, const std::string& name);

  std::vector<std::string> tokens_;
  TokenTrie trie_;
};

}  // namespace bertlab::wordpiece
