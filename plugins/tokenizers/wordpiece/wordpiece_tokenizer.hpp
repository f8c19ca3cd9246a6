// The `wordpiece` tokenizer plugin: BERT's tokenizer, token for token and
// offset for offset what Hugging Face tokenizers' BertNormalizer,
// BertPreTokenizer, WordPiece and BertProcessing produce.
//
// Options: vocab (path to vocab.txt, required), lowercase (default true),
// strip_accents (default: lowercase), tokenize_chinese_chars (default true).
// The vocabulary must hold [UNK], [CLS], [SEP] and [PAD]; [MASK] is optional
// (mask_id -1 without it). These tokens written in the text are found before
// normalization and kept whole, as HF's added vocabulary does.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bertlab/tokenizer.hpp"
#include "normalizer.hpp"
#include "post_processor.hpp"
#include "special_tokens.hpp"
#include "vocabulary.hpp"
#include "wordpiece_matcher.hpp"

namespace bertlab::wordpiece {

struct Workspace;

class WordPieceTokenizer final : public Tokenizer {
 public:
  explicit WordPieceTokenizer(const Options& options);
  WordPieceTokenizer(const WordPieceTokenizer&) = delete;
  WordPieceTokenizer& operator=(const WordPieceTokenizer&) = delete;

  Encoding encode(const TextInput& input, const EncodeOptions& options) const override;
  using Tokenizer::encode;
  std::vector<std::string> tokenize(std::string_view text) const override;
  std::int64_t vocab_size() const override { return vocabulary_.size(); }
  std::int64_t token_to_id(std::string_view token) const override;
  const std::string& id_to_token(std::int64_t id) const override { return vocabulary_.token(id); }
  SpecialTokens special_tokens() const override { return special_; }
  std::string decode(std::span<const std::int64_t> ids, bool skip_special_tokens) const override;

 private:
  // Appends the content tokens of `text`; `word` is the word index of every
  // token (pre-tokenized input) or -1 to number the words of `text` itself.
  void encode_text(std::string_view text, std::int32_t word, Workspace& workspace, std::vector<Piece>& out) const;
  std::vector<Piece> encode_words(std::span<const std::string> words, Workspace& workspace) const;

  Vocabulary vocabulary_;
  SpecialTokens special_;
  SpecialTokenSplitter splitter_;
  Normalizer normalizer_;
  WordPieceMatcher matcher_;
};

}  // namespace bertlab::wordpiece
