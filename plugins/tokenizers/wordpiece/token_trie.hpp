// A byte trie over the vocabulary in double-array form (Aoe 1989): the child
// of node s on byte b is base[s] + b when check of that slot is s, so a step
// is two loads with no search and no allocation, which is what greedy
// longest-match WordPiece spends its time on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bertlab::wordpiece {

class TokenTrie {
 public:
  using Node = std::int32_t;
  static constexpr Node kRoot = 0;
  static constexpr Node kNone = -1;

  TokenTrie() = default;
  // `entries` are (token, id); for a token listed twice the later id wins,
  // as in HF's vocabulary map.
  explicit TokenTrie(const std::vector<std::pair<std::string_view, std::int32_t>>& entries);

  Node child(Node node, unsigned char byte) const {
    const auto slot = static_cast<std::uint32_t>(base_[static_cast<std::size_t>(node)]) + byte;
    return slot < check_.size() && check_[slot] == node ? static_cast<Node>(slot) : kNone;
  }
  // The id of the token that ends at `node`, or -1.
  std::int32_t value(Node node) const { return value_[static_cast<std::size_t>(node)]; }

  // The node reached by all of `key` from `from`, or kNone.
  Node walk(Node from, std::string_view key) const {
    for (char c : key) {
      from = child(from, static_cast<unsigned char>(c));
      if (from == kNone) return kNone;
    }
    return from;
  }

 private:
  std::vector<std::int32_t> base_{0};
  std::vector<Node> check_{kNone};
  std::vector<std::int32_t> value_{-1};
};

}  // namespace bertlab::wordpiece
