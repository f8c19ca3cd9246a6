#include "normalizer.hpp"

#include <algorithm>

#include "unicode.hpp"

namespace bertlab::wordpiece {

namespace {

// NFD as HF's NormalizedString::nfd computes it, alignments included. The
// first character of a decomposition replaces its source and later ones are
// inserted; after canonical reordering, sources are handed out by position
// (a replacing character takes the next input character's source, an
// inserted one the source of the input character before it), not carried
// with the characters. Token offsets follow that, so this does too.
void canonical_decompose(const std::vector<NormalizedChar>& in, NormalizerBuffers& buffers,
                         std::vector<NormalizedChar>& out) {
  const auto& flags_of = CharFlags::instance();
  auto& parts = buffers.parts;
  parts.clear();
  for (const auto& c : in) {
    const auto flags = flags_of(c.cp);
    if (flags & char_flag::decomposes) {
      char32_t decomposition[kMaxDecomposition];
      const int length = decompose(c.cp, decomposition);
      for (int k = 0; k < length; ++k)
        parts.push_back({decomposition[k], combining_class(decomposition[k]), k > 0});
    } else {
      parts.push_back({c.cp, combining_class(c.cp), false});
    }
  }
  for (std::size_t i = 0; i < parts.size();) {
    if (parts[i].combining_class == 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < parts.size() && parts[j].combining_class != 0) ++j;
    std::stable_sort(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.begin() + static_cast<std::ptrdiff_t>(j),
                     [](const auto& a, const auto& b) { return a.combining_class < b.combining_class; });
    i = j;
  }
  out.clear();
  std::size_t next = 0;  // input characters replaced so far
  for (const auto& part : parts) {
    // A decomposition never starts with an inserted character, so `next` > 0
    // there; the guard only keeps odd tables from reading out of bounds.
    const bool replaces = !part.inserted || next == 0;
    const std::uint32_t source = replaces ? in[std::min(next, in.size() - 1)].source : in[next - 1].source;
    if (replaces) ++next;
    out.push_back({part.cp, source});
  }
}

}  // namespace

void Normalizer::normalize(std::span<const char32_t> text, std::uint32_t first_source, NormalizerBuffers& buffers,
                           std::vector<NormalizedChar>& out) const {
  const auto& flags_of = CharFlags::instance();
  auto& cleaned = buffers.cleaned;
  cleaned.clear();
  cleaned.reserve(text.size());
  bool needs_decomposition = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char32_t cp = text[i];
    const auto flags = flags_of(cp);
    const auto source = first_source + static_cast<std::uint32_t>(i);
    if (flags & char_flag::drop) continue;
    if (flags & char_flag::whitespace) {
      cleaned.push_back({U' ', source});
      continue;
    }
    needs_decomposition |= (flags & (char_flag::decomposes | char_flag::combining)) != 0;
    if (options_.handle_chinese_chars && (flags & char_flag::cjk)) {
      cleaned.push_back({U' ', source});
      cleaned.push_back({cp, source});
      cleaned.push_back({U' ', source});
    } else {
      cleaned.push_back({cp, source});
    }
  }

  const std::vector<NormalizedChar>* accents_done = &cleaned;
  if (options_.strip_accents && needs_decomposition) {
    canonical_decompose(cleaned, buffers, buffers.decomposed);
    accents_done = &buffers.decomposed;
  }

  out.clear();
  out.reserve(accents_done->size() + accents_done->size() / 8);
  for (const auto& c : *accents_done) {
    const auto flags = flags_of(c.cp);
    if (options_.strip_accents && (flags & char_flag::nonspacing_mark)) continue;
    if (options_.lowercase && (flags & char_flag::lowercase_changes)) {
      char32_t lower[3];
      const int length = to_lowercase(c.cp, lower);
      for (int k = 0; k < length; ++k) out.push_back({lower[k], c.source});
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace bertlab::wordpiece
