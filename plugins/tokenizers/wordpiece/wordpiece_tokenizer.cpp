#include "wordpiece_tokenizer.hpp"

#include <stdexcept>

#include "pre_tokenizer.hpp"
#include "truncation.hpp"
#include "utf8.hpp"

namespace bertlab::wordpiece {

// The working memory of one encode() call; the tokenizer itself stays
// immutable so that calls from many threads need no locking.
struct Workspace {
  std::vector<char32_t> code_points;
  std::vector<TextSegment> segments;
  NormalizerBuffers normalizer;
  std::vector<NormalizedChar> normalized;
  std::vector<WordSpan> words;
  MatchBuffers match;
  std::vector<SubwordPiece> subwords;
};

namespace {

Vocabulary load_vocabulary(const Options& options) {
  options.reject_unknown({"vocab", "lowercase", "strip_accents", "tokenize_chinese_chars"});
  return Vocabulary::load(options.get_string("vocab"));
}

NormalizerOptions normalizer_options(const Options& options) {
  NormalizerOptions normalizer;
  normalizer.lowercase = options.get_bool("lowercase", true);
  normalizer.strip_accents = options.get_bool("strip_accents", normalizer.lowercase);
  normalizer.handle_chinese_chars = options.get_bool("tokenize_chinese_chars", true);
  return normalizer;
}

std::int32_t required_token(const Vocabulary& vocabulary, std::string_view token, const Options& options) {
  const auto id = vocabulary.find(token);
  if (id < 0)
    throw std::runtime_error(options.get_string("vocab") + ": the vocabulary has no " + std::string(token) +
                             " token");
  return id;
}

SpecialTokens find_special_tokens(const Vocabulary& vocabulary, const Options& options) {
  SpecialTokens special;
  special.unk_id = required_token(vocabulary, "[UNK]", options);
  special.cls_id = required_token(vocabulary, "[CLS]", options);
  special.sep_id = required_token(vocabulary, "[SEP]", options);
  special.pad_id = required_token(vocabulary, "[PAD]", options);
  special.mask_id = vocabulary.find("[MASK]");
  special.pad_token = "[PAD]";
  return special;
}

std::vector<SpecialTokenPattern> special_token_patterns(const Vocabulary& vocabulary) {
  std::vector<SpecialTokenPattern> patterns;
  for (std::u32string_view token : {U"[PAD]", U"[UNK]", U"[CLS]", U"[SEP]", U"[MASK]"}) {
    const auto id = vocabulary.find(std::string(token.begin(), token.end()));
    if (id >= 0) patterns.push_back({std::u32string(token), id});
  }
  return patterns;
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const Options& options)
    : vocabulary_(load_vocabulary(options)),
      special_(find_special_tokens(vocabulary_, options)),
      splitter_(special_token_patterns(vocabulary_)),
      normalizer_(normalizer_options(options)),
      matcher_(vocabulary_.trie(), static_cast<std::int32_t>(special_.unk_id)) {}

void WordPieceTokenizer::encode_text(std::string_view text, std::int32_t word, Workspace& workspace,
                                     std::vector<Piece>& out) const {
  auto& code_points = workspace.code_points;
  code_points.clear();
  code_points.reserve(text.size());
  decode_utf8(text, code_points);
  out.reserve(out.size() + code_points.size() / 4 + 4);
  splitter_.split(code_points, workspace.segments);

  std::int32_t next_word = 0;
  auto word_index = [&] { return word >= 0 ? word : next_word++; };
  for (const auto& segment : workspace.segments) {
    if (segment.special_id >= 0) {
      out.push_back({segment.special_id, word_index(), segment.begin, segment.end});
      continue;
    }
    const auto text_segment = std::span(code_points).subspan(segment.begin, segment.end - segment.begin);
    normalizer_.normalize(text_segment, segment.begin, workspace.normalizer, workspace.normalized);
    split_words(workspace.normalized, workspace.words);
    for (const auto& span : workspace.words) {
      const auto chars = std::span(workspace.normalized).subspan(span.begin, span.end - span.begin);
      workspace.subwords.clear();
      matcher_.match(chars, workspace.match, workspace.subwords);
      const auto index = word_index();
      for (const auto& subword : workspace.subwords)
        out.push_back({subword.id, index, chars[subword.begin].source, chars[subword.end - 1].source + 1});
    }
  }
}

std::vector<Piece> WordPieceTokenizer::encode_words(std::span<const std::string> words, Workspace& workspace) const {
  std::vector<Piece> pieces;
  for (std::size_t i = 0; i < words.size(); ++i) encode_text(words[i], static_cast<std::int32_t>(i), workspace, pieces);
  return pieces;
}

Encoding WordPieceTokenizer::encode(const TextInput& input, const EncodeOptions& options) const {
  Workspace workspace;
  std::vector<Piece> first, second;
  const bool pair = input.words.empty() && input.is_pair;
  if (input.words.empty())
    encode_text(input.text, -1, workspace, first);
  else
    first = encode_words(input.words, workspace);
  if (pair) encode_text(input.text_pair, -1, workspace, second);

  const std::size_t special_count = options.add_special_tokens ? (pair ? 3 : 2) : 0;
  const auto plan = plan_truncation(first.size(), pair ? std::optional(second.size()) : std::nullopt,
                                    special_count, options);
  auto build = [&](const Window& a, const Window* b) {
    const auto first_part = std::span<const Piece>(first).subspan(a.begin, a.end - a.begin);
    std::optional<std::span<const Piece>> second_part;
    if (b) second_part = std::span<const Piece>(second).subspan(b->begin, b->end - b->begin);
    return build_encoding(vocabulary_, special_, first_part, second_part, options.add_special_tokens);
  };

  const Window* second_kept = pair ? &plan.second.front() : nullptr;
  Encoding encoding = build(plan.first.front(), second_kept);
  if (!options.return_overflowing) return encoding;
  // HF's Encoding::merge_with order: each overflowing window of A with B's
  // kept part and then with each of B's windows, then A's kept part with
  // each of B's windows.
  for (std::size_t i = 1; i < plan.first.size(); ++i) {
    encoding.overflowing.push_back(build(plan.first[i], second_kept));
    for (std::size_t j = 1; j < plan.second.size(); ++j)
      encoding.overflowing.push_back(build(plan.first[i], &plan.second[j]));
  }
  for (std::size_t j = 1; j < plan.second.size(); ++j)
    encoding.overflowing.push_back(build(plan.first.front(), &plan.second[j]));
  return encoding;
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const {
  Workspace workspace;
  std::vector<Piece> pieces;
  encode_text(text, -1, workspace, pieces);
  std::vector<std::string> tokens;
  tokens.reserve(pieces.size());
  for (const auto& piece : pieces) tokens.push_back(vocabulary_.token(piece.id));
  return tokens;
}

std::int64_t WordPieceTokenizer::token_to_id(std::string_view token) const {
  const auto id = vocabulary_.find(token);
  return id >= 0 ? id : special_.unk_id;
}

}  // namespace bertlab::wordpiece
