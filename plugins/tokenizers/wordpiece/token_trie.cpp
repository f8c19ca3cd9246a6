#include "token_trie.hpp"

#include <algorithm>
#include <array>

namespace bertlab::wordpiece {

namespace {

// Keys [begin, end) share their first `depth` bytes and end up under `node`.
struct Pending {
  TokenTrie::Node node;
  std::size_t begin;
  std::size_t end;
  std::size_t depth;
};

}  // namespace

TokenTrie::TokenTrie(const std::vector<std::pair<std::string_view, std::int32_t>>& entries) {
  std::vector<std::pair<std::string_view, std::int32_t>> keys(entries);
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Of equal keys keep the last listed; stable sorting kept their order.
  std::vector<std::pair<std::string_view, std::int32_t>> unique;
  unique.reserve(keys.size());
  for (const auto& key : keys) {
    if (!unique.empty() && unique.back().first == key.first)
      unique.back().second = key.second;
    else
      unique.push_back(key);
  }

  // next_free[i] leads to the lowest free slot >= i (union-find with path
  // halving), so the search for a base steps over free slots only; scanning
  // occupied ones made building a 30k-token vocabulary quadratic.
  std::vector<std::size_t> next_free;
  auto ensure_size = [&](std::size_t size) {
    if (size <= check_.size()) return;
    const auto grown = std::max(size, check_.size() * 2);
    const auto old_size = next_free.size();
    base_.resize(grown, 0);
    check_.resize(grown, kNone);
    value_.resize(grown, -1);
    next_free.resize(grown + 1);
    for (auto i = old_size; i <= grown; ++i) next_free[i] = i;
  };
  auto find_free = [&](std::size_t slot) {
    while (next_free[slot] != slot) {
      next_free[slot] = next_free[next_free[slot]];
      slot = next_free[slot];
    }
    return slot;
  };
  auto occupy = [&](std::size_t slot) { next_free[slot] = slot + 1; };
  ensure_size(std::max<std::size_t>(256, unique.size() * 4));
  occupy(0);  // the root

  std::vector<Pending> queue{{kRoot, 0, unique.size(), 0}};
  std::vector<std::array<std::size_t, 3>> children;  // label, begin, end
  for (std::size_t next = 0; next < queue.size(); ++next) {
    auto [node, begin, end, depth] = queue[next];
    if (begin < end && unique[begin].first.size() == depth) value_[static_cast<std::size_t>(node)] = unique[begin++].second;
    if (begin == end) continue;

    children.clear();
    for (std::size_t k = begin; k < end; ++k) {
      const auto label = static_cast<unsigned char>(unique[k].first[depth]);
      if (!children.empty() && children.back()[0] == label)
        children.back()[2] = k + 1;
      else
        children.push_back({label, k, k + 1});
    }

    // The first child goes to a free slot; base >= 1 keeps every child off
    // slot 0, the root.
    const auto first_label = children.front()[0];
    std::size_t base = 0;
    for (auto slot = find_free(first_label + 1);; slot = find_free(slot + 1)) {
      base = slot - first_label;
      ensure_size(base + children.back()[0] + 2);
      bool fits = true;
      for (const auto& child : children) fits = fits && check_[base + child[0]] == kNone;
      if (fits) break;
    }
    base_[static_cast<std::size_t>(node)] = static_cast<std::int32_t>(base);
    for (const auto& [label, child_begin, child_end] : children) {
      const auto slot = base + label;
      check_[slot] = node;
      occupy(slot);
      queue.push_back({static_cast<Node>(slot), child_begin, child_end, depth + 1});
    }
  }
  const auto used = static_cast<std::size_t>(
      std::find_if(check_.rbegin(), check_.rend(), [](Node n) { return n != kNone; }).base() - check_.begin());
  const auto size = std::max<std::size_t>(used, 1);
  base_.resize(size);
  check_.resize(size);
  value_.resize(size);
}

}  // namespace bertlab::wordpiece
