// Tag schemes of sequence labelling and their conversion to the one scheme
// bertlab trains and scores on: BIO (IOB2), where every entity starts with
// B-TYPE and continues with I-TYPE.
//
// Files come as IOB1 (CoNLL-2003: I- everywhere, B- only between two touching
// entities of one type), BIO, BIOES (E- ends, S- is a single-word entity) or
// BMES (the Chinese variant: M- for inside). Converting keeps every entity
// as conlleval would read it from the original tags.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bertlab::data {

enum class TagScheme { iob1, bio, bioes, bmes };

// "iob1", "bio" (or "iob2"), "bioes" (or "iobes"), "bmes"; nullopt for
// "auto". Throws std::invalid_argument for anything else.
std::optional<TagScheme> parse_tag_scheme(std::string_view name);
std::string tag_scheme_name(TagScheme scheme);

// The prefix of a tag ('O' for "O", 'B' for "B-PER") and its type ("" for
// "O"). nullopt when the tag is neither "O" nor LETTER-TYPE with a letter of
// B, I, M, E, S and a non-empty type.
struct TagParts {
  char prefix = 'O';
  std::string_view type;
};
std::optional<TagParts> split_tag(std::string_view tag);

// Whether `prefix` is used by `scheme` (O always is).
bool scheme_allows(TagScheme scheme, char prefix);

// The scheme of a file's tags: BMES when an M- occurs, BIOES when an E- or
// S- does, otherwise IOB1 when some entity starts with I- (as CoNLL-2003's
// do), otherwise BIO. Tags must be valid (split_tag succeeds).
TagScheme detect_tag_scheme(std::span<const std::vector<std::string>> sentences);

// One sentence's tags in `scheme` to BIO. An I- (or M-/E-) that cannot
// continue the entity before it starts one, as conlleval reads it.
std::vector<std::string> to_bio(std::span<const std::string> tags, TagScheme scheme);

// BIO tags (possibly with I- that start entities, as a linear tagger may
// predict) to `scheme`, entity for entity.
std::vector<std::string> from_bio(std::span<const std::string> tags, TagScheme scheme);

}  // namespace bertlab::data
