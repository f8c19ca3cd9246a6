#include "data/data_signature.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <string_view>
#include <unordered_set>

#include "util/splitmix.hpp"

namespace bertlab::data {

namespace {

// FNV-1a: stable across runs and platforms, unlike std::hash.
std::uint64_t fnv1a(std::string_view word) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : word) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

void add_words(std::string_view text, std::unordered_set<std::uint64_t>& words) {
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.insert(fnv1a(word));
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isspace(c) || (c < 0x80 && std::ispunct(c))) {
      flush();
    } else {
      word += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
    }
  }
  flush();
}

}  // namespace

std::vector<std::uint64_t> data_signature(const std::vector<Example>& examples) {
  std::unordered_set<std::uint64_t> words;
  for (const auto& example : examples) {
    add_words(example.text, words);
    add_words(example.text_pair, words);
    for (const auto& word : example.words) add_words(word, words);
  }
  std::vector<std::uint64_t> signature(kSignatureSize, std::numeric_limits<std::uint64_t>::max());
  if (words.empty()) return {};
  for (auto word : words)
    for (std::size_t i = 0; i < kSignatureSize; ++i) signature[i] = std::min(signature[i], util::splitmix64(word ^ util::splitmix64(i + 1)));
  return signature;
}

double signature_similarity(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() || a.size() != b.size()) return 0.0;
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(a.size());
}

}  // namespace bertlab::data
