// BERT's normalizer (HF's BertNormalizer): text cleaning, spaces around CJK
// ideographs, accent stripping (NFD, then dropping Mn), lower-casing, in that
// order. Every output character remembers the input character it came from,
// so that token offsets point into the original text.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace bertlab::wordpiece {

struct NormalizedChar {
  char32_t cp;
  std::uint32_t source;  // index of the original code point it stands for
};

struct NormalizerOptions {
  bool lowercase = true;
  bool strip_accents = true;
  bool handle_chinese_chars = true;
};

// Working memory of one normalize() call, reused across calls by the caller.
struct NormalizerBuffers {
  std::vector<NormalizedChar> cleaned;
  std::vector<NormalizedChar> decomposed;
  struct Part {
    char32_t cp;
    std::uint8_t combining_class;
    bool inserted;  // not the first character of its decomposition
  };
  std::vector<Part> parts;
};

class Normalizer {
 public:
  explicit Normalizer(NormalizerOptions options) : options_(options) {}

  // Writes the normalized form of `text` into `out` (replacing its contents);
  // text[i] has source `first_source + i`.
  void normalize(std::span<const char32_t> text, std::uint32_t first_source, NormalizerBuffers& buffers,
                 std::vector<NormalizedChar>& out) const;

 private:
  NormalizerOptions options_;
};

}  // namespace bertlab::wordpiece
