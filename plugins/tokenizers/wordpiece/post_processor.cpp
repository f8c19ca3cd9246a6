#include "post_processor.hpp"

namespace bertlab::wordpiece {

namespace {

void reserve(Encoding& encoding, std::size_t size) {
  encoding.ids.reserve(size);
  encoding.type_ids.reserve(size);
  encoding.attention_mask.reserve(size);
  encoding.tokens.reserve(size);
  encoding.offsets.reserve(size);
  encoding.sequence_ids.reserve(size);
  encoding.word_ids.reserve(size);
}

void append_special(Encoding& encoding, const Vocabulary& vocabulary, std::int64_t id, std::int64_t type_id) {
  encoding.ids.push_back(id);
  encoding.type_ids.push_back(type_id);
  encoding.attention_mask.push_back(1);
  encoding.tokens.push_back(vocabulary.token(id));
  encoding.offsets.push_back({0, 0});
  encoding.sequence_ids.push_back(-1);
  encoding.word_ids.push_back(-1);
}

void append_content(Encoding& encoding, const Vocabulary& vocabulary, std::span<const Piece> pieces,
                    std::int64_t type_id, std::int32_t sequence_id) {
  for (const auto& piece : pieces) {
    encoding.ids.push_back(piece.id);
    encoding.type_ids.push_back(type_id);
    encoding.attention_mask.push_back(1);
    encoding.tokens.push_back(vocabulary.token(piece.id));
    encoding.offsets.push_back({piece.begin, piece.end});
    encoding.sequence_ids.push_back(sequence_id);
    encoding.word_ids.push_back(piece.word);
  }
}

}  // namespace

Encoding build_encoding(const Vocabulary& vocabulary, const SpecialTokens& special, std::span<const Piece> first,
                        std::optional<std::span<const Piece>> second, bool add_special_tokens) {
  Encoding encoding;
  const std::size_t specials = add_special_tokens ? (second ? 3 : 2) : 0;
  reserve(encoding, first.size() + (second ? second->size() : 0) + specials);
  if (add_special_tokens) append_special(encoding, vocabulary, special.cls_id, 0);
  append_content(encoding, vocabulary, first, 0, 0);
  if (add_special_tokens) append_special(encoding, vocabulary, special.sep_id, 0);
  if (second) {
    append_content(encoding, vocabulary, *second, 1, 1);
    if (add_special_tokens) append_special(encoding, vocabulary, special.sep_id, 1);
  }
  return encoding;
}

}  // namespace bertlab::wordpiece
