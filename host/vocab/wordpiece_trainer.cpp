#include "vocab/wordpiece_trainer.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <queue>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "vocab/vocab_extension.hpp"
#include "vocab/word_splitter.hpp"

namespace bertlab::vocab {

namespace {

constexpr std::string_view kPrefix = "##";

using Pair = std::uint64_t;  // (left id << 32) | right id: orders as the pair of ids does
Pair make_pair(std::uint32_t left, std::uint32_t right) { return (static_cast<Pair>(left) << 32) | right; }
std::uint32_t left_of(Pair pair) { return static_cast<std::uint32_t>(pair >> 32); }
std::uint32_t right_of(Pair pair) { return static_cast<std::uint32_t>(pair & 0xffffffffu); }

class TokenTable {
 public:
  std::uint32_t add(const std::string& token) {
    auto [it, inserted] = ids_.try_emplace(token, static_cast<std::uint32_t>(tokens_.size()));
    if (inserted) tokens_.push_back(token);
    return it->second;
  }
  bool contains(const std::string& token) const { return ids_.count(token) != 0; }
  std::uint32_t id(const std::string& token) const { return ids_.at(token); }
  const std::string& token(std::uint32_t id) const { return tokens_[id]; }
  std::size_t size() const { return tokens_.size(); }
  std::vector<std::string> release() { return std::move(tokens_); }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> tokens_;
};

// A word in the course of merging: its symbols' ids.
struct Symbols {
  std::vector<std::uint32_t> ids;

  // Merges every non-overlapping (left, right), left to right, into
  // `merged`; appends the pair count changes this makes around each merge
  // (the merged pair's own count is not touched, as in HF's trainer).
  void merge(std::uint32_t left, std::uint32_t right, std::uint32_t merged,
             std::vector<std::pair<Pair, int>>& changes) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] != left || i + 1 >= ids.size() || ids[i + 1] != right) continue;
      if (i > 0) {
        changes.emplace_back(make_pair(ids[i - 1], left), -1);
        changes.emplace_back(make_pair(ids[i - 1], merged), 1);
      }
      ids[i] = merged;
      ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      if (i + 1 < ids.size()) {
        changes.emplace_back(make_pair(right, ids[i + 1]), -1);
        changes.emplace_back(make_pair(merged, ids[i + 1]), 1);
      }
    }
  }
};

// A queued merge candidate: its count when queued and the words it was seen in.
struct Candidate {
  std::int64_t count;
  Pair pair;
  std::shared_ptr<std::vector<std::size_t>> words;
};

// The queue's order: higher count first, then the smaller pair.
struct LowerPriority {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.count != b.count) return a.count < b.count;
    return a.pair > b.pair;
  }
};

using Queue = std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority>;
using Positions = std::unordered_map<Pair, std::vector<std::size_t>>;

void queue_positions(Positions& positions, const std::unordered_map<Pair, std::int64_t>& pair_counts, Queue& queue) {
  for (auto& [pair, words] : positions) {
    const auto count = pair_counts.at(pair);
    if (count <= 0) continue;
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    queue.push({count, pair, std::make_shared<std::vector<std::size_t>>(std::move(words))});
  }
  positions.clear();
}

// The characters kept: all, or the `limit` most frequent (ties: the smaller
// code point is kept), in code point order.
std::vector<char32_t> alphabet_of(const WordCounts& words, std::int64_t limit, std::int64_t& dropped) {
  std::map<char32_t, std::int64_t> counts;
  for (const auto& [word, count] : words)
    for (char32_t c : word) counts[c] += count;
  std::vector<std::pair<char32_t, std::int64_t>> kept(counts.begin(), counts.end());
  dropped = 0;
  if (limit > 0 && static_cast<std::int64_t>(kept.size()) > limit) {
    std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    dropped = static_cast<std::int64_t>(kept.size()) - limit;
    kept.resize(static_cast<std::size_t>(limit));
    std::sort(kept.begin(), kept.end());
  }
  std::vector<char32_t> alphabet;
  for (const auto& [c, count] : kept) alphabet.push_back(c);
  return alphabet;
}

}  // namespace

TrainResult train_wordpiece(const std::vector<std::string>& texts, const TrainOptions& options) {
  const WordSplitter splitter({options.lowercase, options.strip_accents, options.chinese_chars}, {});
  const auto word_counts = count_words(texts, splitter);
  TrainResult result;
  result.words = static_cast<std::int64_t>(word_counts.size());

  TokenTable table;
  for (const auto& token : options.special_tokens) table.add(token);
  const auto alphabet = alphabet_of(word_counts, options.limit_alphabet, result.dropped_characters);
  result.alphabet = static_cast<std::int64_t>(alphabet.size());
  for (char32_t c : alphabet) table.add(to_utf8(std::u32string_view(&c, 1)));

  // Words as symbols; a character outside the alphabet is left out of its word.
  std::vector<Symbols> words;
  std::vector<std::int64_t> counts;
  words.reserve(word_counts.size());
  for (const auto& [word, count] : word_counts) {
    Symbols symbols;
    for (std::size_t i = 0; i < word.size(); ++i) {
      std::string piece = to_utf8(std::u32string_view(word).substr(i, 1));
      if (!table.contains(piece)) continue;
      if (i > 0) piece.insert(0, kPrefix);
      symbols.ids.push_back(table.add(piece));
    }
    words.push_back(std::move(symbols));
    counts.push_back(count);
  }
  result.initial_size = static_cast<std::int64_t>(table.size());
  if (options.size < result.initial_size)
    throw std::invalid_argument(fmt::format(
        "--size {} is below the vocabulary before any merge: {} special tokens, {} characters and their \"##\" "
        "forms make {} tokens",
        options.size, options.special_tokens.size(), alphabet.size(), result.initial_size));

  std::unordered_map<Pair, std::int64_t> pair_counts;
  Positions positions;
  for (std::size_t w = 0; w < words.size(); ++w) {
    const auto& ids = words[w].ids;
    for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
      const auto pair = make_pair(ids[i], ids[i + 1]);
      pair_counts[pair] += counts[w];
      positions[pair].push_back(w);
    }
  }
  Queue queue;
  queue_positions(positions, pair_counts, queue);

  std::vector<std::pair<Pair, int>> changes;
  while (static_cast<std::int64_t>(table.size()) < options.size && !queue.empty()) {
    auto top = queue.top();
    queue.pop();
    // Counts change after a candidate is queued; requeue it with the current one.
    const auto current = pair_counts.at(top.pair);
    if (top.count != current) {
      top.count = current;
      queue.push(std::move(top));
      continue;
    }
    if (top.count < 1 || top.count < options.min_frequency) break;

    const auto left = left_of(top.pair), right = right_of(top.pair);
    std::string right_text = table.token(right);
    if (right_text.rfind(kPrefix, 0) == 0) right_text.erase(0, kPrefix.size());
    const auto merged = table.add(table.token(left) + right_text);
    ++result.merges;

    for (const auto w : *top.words) {
      changes.clear();
      words[w].merge(left, right, merged, changes);
      for (const auto& [pair, change] : changes) {
        pair_counts[pair] += change * counts[w];
        if (change > 0) positions[pair].push_back(w);
      }
    }
    queue_positions(positions, pair_counts, queue);
  }
  result.vocabulary = table.release();
  return result;
}

}  // namespace bertlab::vocab
