#include "vocab/embedding_init.hpp"

#include <ATen/ATen.h>

#include "utf8.hpp"

namespace bertlab::vocab {

namespace {

constexpr std::string_view kContinuation = "##";

bool is_continuation(const std::string& token) { return token.rfind(kContinuation, 0) == 0 && token.size() > 2; }

}  // namespace

std::vector<std::vector<std::int64_t>> init_sources(const std::vector<NewToken>& tokens,
                                                    const wordpiece::Vocabulary& old_vocabulary, InitMode mode) {
  std::vector<std::vector<std::int64_t>> sources(tokens.size());
  if (mode == InitMode::mean) return sources;
  const WordMatcher matcher(old_vocabulary);
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const auto& token = tokens[t].text;
    const std::string bare = is_continuation(token) ? token.substr(kContinuation.size()) : token;
    std::vector<char32_t> chars;
    wordpiece::decode_utf8(bare, chars);
    for (const auto id : matcher.match(std::u32string(chars.begin(), chars.end())))
      if (id != matcher.unk_id()) sources[t].push_back(id);
    if (sources[t].empty() && chars.size() == 1) {
      const auto other = old_vocabulary.find(is_continuation(token) ? bare : std::string(kContinuation) + bare);
      if (other >= 0) sources[t].push_back(other);
    }
  }
  return sources;
}

at::Tensor append_rows(const at::Tensor& table, const std::vector<std::vector<std::int64_t>>& sources) {
  if (sources.empty()) return table;
  const auto as_float = table.to(at::kFloat);
  const auto all_mean = as_float.mean(0);
  std::vector<at::Tensor> rows;
  rows.reserve(sources.size());
  for (const auto& ids : sources) {
    if (ids.empty()) {
      rows.push_back(all_mean);
    } else {
      const auto index = at::tensor(ids, at::kLong);
      rows.push_back(as_float.index_select(0, index).mean(0));
    }
  }
  return at::cat({table, at::stack(rows).to(table.scalar_type())}, 0);
}

}  // namespace bertlab::vocab
