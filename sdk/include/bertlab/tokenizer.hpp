// bertlab SDK v2 — tokenizer.hpp
//
// A tokenizer turns text into model input: token ids with the special tokens
// of a BERT input ([CLS] A [SEP] B [SEP]), token type ids, an attention mask,
// and for every token the span of input it came from, so that heads can map
// labels and answers between characters, words and sub-tokens.
//
// Conventions (identical to Hugging Face `tokenizers` as seen from Python):
//  - Text is UTF-8. Offsets are [begin, end) in Unicode code points into the
//    text the token came from (text A or text B); special tokens get {0, 0}.
//  - `sequence_ids[i]` is 0 for tokens of A, 1 for tokens of B, -1 for
//    special and padding tokens; `word_ids[i]` the index of the word the
//    token belongs to (for pre-tokenized input, the index into `words`), -1
//    for special and padding tokens.
//  - Truncation applies to the content tokens so that the whole encoding,
//    special tokens included, fits `max_length`.
//
// Thread safety: every const member may be called from several threads at
// once; the host encodes datasets in parallel.
// Errors: constructors throw bertlab::OptionError for bad options and
// std::runtime_error naming the file for an unreadable vocabulary; encoding
// never throws on any byte sequence (invalid UTF-8 is replaced, as HF does).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bertlab/plugin.hpp"

namespace bertlab {

enum class Truncation {
  none,           // never truncate (max_length is ignored)
  longest_first,  // shorten the longer sequence first, splitting the room as HF tokenizers does
  only_first,     // drop from A only
  only_second,    // drop from B only
};

struct Offset {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  friend bool operator==(const Offset&, const Offset&) = default;
};

struct EncodeOptions {
  std::int64_t max_length = 512;  // 0: no limit
  Truncation truncation = Truncation::longest_first;
  bool add_special_tokens = true;
  // For long inputs (QA contexts): when > 0 and truncation removes tokens
  // from the truncated sequence, the removed part is returned as further
  // windows in Encoding::overflowing, each overlapping the previous one by
  // `stride` tokens (HF's return_overflowing_tokens + stride).
  std::int64_t stride = 0;
  bool return_overflowing = false;
};

struct Encoding {
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> type_ids;
  std::vector<std::int64_t> attention_mask;  // 1 for real tokens, 0 for padding
  std::vector<std::string> tokens;
  std::vector<Offset> offsets;
  std::vector<std::int32_t> sequence_ids;
  std::vector<std::int32_t> word_ids;
  std::vector<Encoding> overflowing;  // further windows, see EncodeOptions::stride

  std::size_t size() const { return ids.size(); }
};

// One input: a text or a pair of texts, or pre-split words (sequence
// labelling, where labels belong to words). When `words` is non-empty the
// texts are ignored and offsets are relative to each word.
struct TextInput {
  std::string_view text;
  std::string_view text_pair;  // empty: single sequence
  bool is_pair = false;
  std::span<const std::string> words;
};

struct SpecialTokens {
  std::int64_t pad_id = 0;
  std::int64_t unk_id = 0;
  std::int64_t cls_id = 0;
  std::int64_t sep_id = 0;
  std::int64_t mask_id = 0;
  std::string pad_token = "[PAD]";
};

class Tokenizer : public Plugin {
 public:
  using Interface = Tokenizer;
  static constexpr const char* kKind = kind::tokenizer;

  // The core call: one input with special tokens, truncation and offsets.
  // No padding; see pad() below.
  virtual Encoding encode(const TextInput& input, const EncodeOptions& options) const = 0;

  // Many inputs; the default runs encode() on each. Implementations may
  // override it to share work or use threads.
  virtual std::vector<Encoding> encode_batch(std::span<const TextInput> inputs,
                                             const EncodeOptions& options) const {
    std::vector<Encoding> out;
    out.reserve(inputs.size());
    for (const auto& input : inputs) out.push_back(encode(input, options));
    return out;
  }

  // Sub-word tokens of a text, without special tokens or truncation.
  virtual std::vector<std::string> tokenize(std::string_view text) const = 0;

  // Vocabulary access. token_to_id returns unk_id for unknown tokens;
  // id_to_token throws std::out_of_range for an id outside the vocabulary.
  virtual std::int64_t vocab_size() const = 0;
  virtual std::int64_t token_to_id(std::string_view token) const = 0;
  virtual const std::string& id_to_token(std::int64_t id) const = 0;
  virtual SpecialTokens special_tokens() const = 0;

  // Text from ids, joining continuation pieces ("##ing") to their word.
  virtual std::string decode(std::span<const std::int64_t> ids, bool skip_special_tokens) const = 0;

  // Convenience wrappers.
  Encoding encode(std::string_view text, const EncodeOptions& options) const {
    return encode(TextInput{text, {}, false, {}}, options);
  }
  Encoding encode_pair(std::string_view a, std::string_view b, const EncodeOptions& options) const {
    return encode(TextInput{a, b, true, {}}, options);
  }
};

// Pads `encoding` on the right to `length` tokens with the tokenizer's pad
// id (attention mask 0, sequence and word id -1). A longer encoding is left
// as it is.
inline void pad(Encoding& encoding, std::size_t length, const SpecialTokens& special) {
  if (encoding.size() >= length) return;
  encoding.ids.resize(length, special.pad_id);
  encoding.type_ids.resize(length, 0);
  encoding.attention_mask.resize(length, 0);
  encoding.tokens.resize(length, special.pad_token);
  encoding.offsets.resize(length, Offset{});
  encoding.sequence_ids.resize(length, -1);
  encoding.word_ids.resize(length, -1);
}

}  // namespace bertlab
