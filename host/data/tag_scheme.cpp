#include "data/tag_scheme.hpp"

#include <stdexcept>

namespace bertlab::data {

std::optional<TagScheme> parse_tag_scheme(std::string_view name) {
  if (name == "auto") return std::nullopt;
  if (name == "iob1") return TagScheme::iob1;
  if (name == "bio" || name == "iob2") return TagScheme::bio;
  if (name == "bioes" || name == "iobes") return TagScheme::bioes;
  if (name == "bmes") return TagScheme::bmes;
  throw std::invalid_argument("unknown tag scheme '" + std::string(name) + "' (auto, iob1, bio, bioes, bmes)");
}

std::string tag_scheme_name(TagScheme scheme) {
  switch (scheme) {
    case TagScheme::iob1: return "iob1";
    case TagScheme::bio: return "bio";
    case TagScheme::bioes: return "bioes";
    case TagScheme::bmes: return "bmes";
  }
  return "bio";
}

std::optional<TagParts> split_tag(std::string_view tag) {
  if (tag == "O") return TagParts{'O', {}};
  if (tag.size() < 3 || tag[1] != '-') return std::nullopt;
  const char prefix = tag[0];
  if (prefix != 'B' && prefix != 'I' && prefix != 'M' && prefix != 'E' && prefix != 'S') return std::nullopt;
  return TagParts{prefix, tag.substr(2)};
}

bool scheme_allows(TagScheme scheme, char prefix) {
  switch (prefix) {
    case 'O':
    case 'B': return true;
    case 'I': return scheme != TagScheme::bmes;
    case 'M': return scheme == TagScheme::bmes;
    case 'E':
    case 'S': return scheme == TagScheme::bioes || scheme == TagScheme::bmes;
    default: return false;
  }
}

TagScheme detect_tag_scheme(std::span<const std::vector<std::string>> sentences) {
  bool middle = false, end_or_single = false, starts_with_inside = false;
  for (const auto& tags : sentences) {
    std::string_view previous_type;
    bool previous_in_entity = false;
    for (const auto& tag : tags) {
      const auto parts = split_tag(tag).value_or(TagParts{});
      middle = middle || parts.prefix == 'M';
      end_or_single = end_or_single || parts.prefix == 'E' || parts.prefix == 'S';
      if (parts.prefix == 'I' && !(previous_in_entity && previous_type == parts.type)) starts_with_inside = true;
      previous_in_entity = parts.prefix != 'O';
      previous_type = parts.type;
    }
  }
  if (middle) return TagScheme::bmes;
  if (end_or_single) return TagScheme::bioes;
  return starts_with_inside ? TagScheme::iob1 : TagScheme::bio;
}

std::vector<std::string> to_bio(std::span<const std::string> tags, TagScheme scheme) {
  const bool closing_scheme = scheme == TagScheme::bioes || scheme == TagScheme::bmes;
  std::vector<std::string> out;
  out.reserve(tags.size());
  bool open = false;  // an entity is open and may continue
  std::string open_type;
  for (const auto& tag : tags) {
    const auto parts = split_tag(tag);
    if (!parts) throw std::invalid_argument("not a tag: '" + tag + "'");
    if (parts->prefix == 'O') {
      out.emplace_back("O");
      open = false;
      continue;
    }
    const std::string type(parts->type);
    const bool starts = parts->prefix == 'B' || parts->prefix == 'S' || !open || open_type != type;
    out.push_back((starts ? "B-" : "I-") + type);
    open_type = type;
    // In BIOES/BMES an entity closes after its E- or S-; in IOB1/BIO only
    // an O or a B- (or another type) ends it.
    open = !(closing_scheme && (parts->prefix == 'E' || parts->prefix == 'S'));
  }
  return out;
}

std::vector<std::string> from_bio(std::span<const std::string> tags, TagScheme scheme) {
  // Normalized first: an I- that starts an entity becomes B-.
  const auto bio = to_bio(tags, TagScheme::bio);
  if (scheme == TagScheme::bio) return bio;
  std::vector<std::string> out;
  out.reserve(bio.size());
  for (std::size_t i = 0; i < bio.size(); ++i) {
    const auto parts = split_tag(bio[i]).value();
    if (parts.prefix == 'O') {
      out.emplace_back("O");
      continue;
    }
    const std::string type(parts.type);
    if (scheme == TagScheme::iob1) {
      // B- only where the entity touches one of the same type before it.
      const bool touches = parts.prefix == 'B' && i > 0 && split_tag(bio[i - 1]).value().type == parts.type;
      out.push_back((touches ? "B-" : "I-") + type);
      continue;
    }
    const bool continues = i + 1 < bio.size() && bio[i + 1][0] == 'I';
    const char* inside = scheme == TagScheme::bmes ? "M-" : "I-";
    if (parts.prefix == 'B')
      out.push_back((continues ? "B-" : "S-") + type);
    else
      out.push_back((continues ? inside : "E-") + type);
  }
  return out;
}

}  // namespace bertlab::data
