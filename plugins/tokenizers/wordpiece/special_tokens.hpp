// Special tokens written in the text ("[SEP]", "[MASK]"): HF's added
// vocabulary finds them in the raw text before normalization and makes each
// one token, so "a [MASK] b" has the [MASK] id in the middle. This does the
// same: leftmost-longest matches, case-sensitive.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bertlab::wordpiece {

struct SpecialTokenPattern {
  std::u32string text;
  std::int32_t id;
};

struct TextSegment {
  std::uint32_t begin;  // code point indices
  std::uint32_t end;
  std::int32_t special_id;  // -1: ordinary text
};

class SpecialTokenSplitter {
 public:
  explicit SpecialTokenSplitter(std::vector<SpecialTokenPattern> patterns);

  // Writes the ordinary and special segments of `text` into `segments` in
  // order (replacing its contents); empty ordinary segments are left out.
  void split(std::span<const char32_t> text, std::vector<TextSegment>& segments) const;

  bool is_special(std::int64_t id) const;

 private:
  std::vector<SpecialTokenPattern> patterns_;
  std::u32string first_chars_;
};

}  // namespace bertlab::wordpiece
