#include "vocab/word_splitter.hpp"

#include <stdexcept>

#include "bertlab/value.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "pre_tokenizer.hpp"
#include "utf8.hpp"

namespace bertlab::vocab {

TokenizerSettings tokenizer_settings(const std::string& model_dir) {
  const Options options(checkpoint::tokenizer_options(model_dir));
  TokenizerSettings settings;
  settings.lowercase = options.get_bool("lowercase", true);
  // The plugin's default: accents are stripped when lower-casing.
  settings.strip_accents = options.get_bool("strip_accents", settings.lowercase);
  settings.tokenize_chinese_chars = options.get_bool("tokenize_chinese_chars", true);
  return settings;
}

namespace {

std::vector<wordpiece::SpecialTokenPattern> patterns(const std::vector<std::string>& tokens) {
  std::vector<wordpiece::SpecialTokenPattern> out;
  for (const auto& token : tokens) {
    std::vector<char32_t> code_points;
    wordpiece::decode_utf8(token, code_points);
    out.push_back({std::u32string(code_points.begin(), code_points.end()), static_cast<std::int32_t>(out.size())});
  }
  return out;
}

}  // namespace

WordSplitter::WordSplitter(const TokenizerSettings& settings, const std::vector<std::string>& special_tokens)
    : normalizer_({settings.lowercase, settings.strip_accents, settings.tokenize_chinese_chars}),
      specials_(patterns(special_tokens)) {}

void WordSplitter::split(std::string_view text, std::vector<Word>& words) const {
  words.clear();
  std::vector<char32_t> code_points;
  wordpiece::decode_utf8(text, code_points);
  std::vector<wordpiece::TextSegment> segments;
  specials_.split(code_points, segments);
  wordpiece::NormalizerBuffers buffers;
  std::vector<wordpiece::NormalizedChar> normalized;
  std::vector<wordpiece::WordSpan> spans;
  for (const auto& segment : segments) {
    if (segment.special_id >= 0) continue;
    const auto part = std::span<const char32_t>(code_points).subspan(segment.begin, segment.end - segment.begin);
    normalizer_.normalize(part, segment.begin, buffers, normalized);
    wordpiece::split_words(normalized, spans);
    for (const auto& span : spans) {
      Word word;
      word.reserve(span.end - span.begin);
      for (auto i = span.begin; i < span.end; ++i) word.push_back(normalized[i].cp);
      words.push_back(std::move(word));
    }
  }
}

std::string to_utf8(std::u32string_view text) {
  std::string out;
  for (char32_t cp : text) wordpiece::append_utf8(cp, out);
  return out;
}

namespace {

std::int32_t find_unk(const wordpiece::Vocabulary& vocabulary) {
  const auto id = vocabulary.find("[UNK]");
  if (id < 0) throw std::runtime_error("the vocabulary has no [UNK] token");
  return id;
}

}  // namespace

WordMatcher::WordMatcher(const wordpiece::Vocabulary& vocabulary)
    : vocabulary_(&vocabulary), unk_id_(find_unk(vocabulary)), matcher_(vocabulary.trie(), unk_id_) {}

std::vector<std::int32_t> WordMatcher::match(std::u32string_view word) const {
  std::vector<wordpiece::NormalizedChar> chars;
  chars.reserve(word.size());
  for (std::uint32_t i = 0; i < word.size(); ++i) chars.push_back({word[i], i});
  wordpiece::MatchBuffers buffers;
  std::vector<wordpiece::SubwordPiece> pieces;
  if (!chars.empty()) matcher_.match(chars, buffers, pieces);
  std::vector<std::int32_t> ids;
  ids.reserve(pieces.size());
  for (const auto& piece : pieces) ids.push_back(piece.id);
  return ids;
}

}  // namespace bertlab::vocab
