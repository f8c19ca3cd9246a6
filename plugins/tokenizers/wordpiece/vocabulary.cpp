#include "vocabulary.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "unicode.hpp"
#include "utf8.hpp"

namespace bertlab::wordpiece {

namespace {

// HF reads vocab.txt with Rust's lines() and trim_end(): the line break and
// any trailing White_Space go.
std::string_view trim_end(std::string_view line, std::vector<char32_t>& scratch) {
  scratch.clear();
  decode_utf8(line, scratch);
  std::size_t bytes = line.size();
  while (!scratch.empty() && (CharFlags::instance()(scratch.back()) & char_flag::whitespace)) {
    bytes -= utf8_length(scratch.back());
    scratch.pop_back();
  }
  return line.substr(0, bytes);
}

}  // namespace

Vocabulary Vocabulary::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the vocabulary file");
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw std::runtime_error(file.string() + ": cannot read the vocabulary file");
  return parse(contents.str(), file.string());
}

Vocabulary Vocabulary::parse(std::string_view contents, const std::string& name) {
  Vocabulary vocabulary;
  std::vector<char32_t> scratch;
  std::size_t line_start = 0;
  while (line_start < contents.size()) {
    auto line_end = contents.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = contents.size();
    const auto line = contents.substr(line_start, line_end - line_start);
    if (!is_valid_utf8(line))
      throw std::runtime_error(name + ":" + std::to_string(vocabulary.tokens_.size() + 1) + ": not valid UTF-8");
    vocabulary.tokens_.emplace_back(trim_end(line, scratch));
    line_start = line_end + 1;
  }
  std::vector<std::pair<std::string_view, std::int32_t>> entries;
  entries.reserve(vocabulary.tokens_.size());
  for (std::size_t id = 0; id < vocabulary.tokens_.size(); ++id)
    entries.emplace_back(vocabulary.tokens_[id], static_cast<std::int32_t>(id));
  vocabulary.trie_ = TokenTrie(entries);
  return vocabulary;
}

const std::string& Vocabulary::token(std::int64_t id) const {
  if (id < 0 || id >= size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary (size " +
                            std::to_string(size()) + ")");
  return tokens_[static_cast<std::size_t>(id)];
}

std::int32_t Vocabulary::find(std::string_view token) const {
  const auto node = trie_.walk(TokenTrie::kRoot, token);
  return node == TokenTrie::kNone ? -1 : trie_.value(node);
}

}  // namespace bertlab::wordpiece
