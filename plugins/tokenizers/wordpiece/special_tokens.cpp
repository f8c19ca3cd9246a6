#include "special_tokens.hpp"

#include <algorithm>

namespace bertlab::wordpiece {

SpecialTokenSplitter::SpecialTokenSplitter(std::vector<SpecialTokenPattern> patterns)
    : patterns_(std::move(patterns)) {
  std::erase_if(patterns_, [](const auto& p) { return p.text.empty(); });
  for (const auto& p : patterns_)
    if (first_chars_.find(p.text.front()) == std::u32string::npos) first_chars_.push_back(p.text.front());
}

void SpecialTokenSplitter::split(std::span<const char32_t> text, std::vector<TextSegment>& segments) const {
  segments.clear();
  const std::u32string_view view(text.data(), text.size());
  std::uint32_t ordinary_begin = 0;
  for (std::uint32_t i = 0; i < view.size(); ++i) {
    if (first_chars_.find(view[i]) == std::u32string::npos) continue;
    const SpecialTokenPattern* longest = nullptr;
    for (const auto& p : patterns_)
      if (view.substr(i).starts_with(p.text) && (!longest || p.text.size() > longest->text.size())) longest = &p;
    if (!longest) continue;
    if (ordinary_begin < i) segments.push_back({ordinary_begin, i, -1});
    const auto end = i + static_cast<std::uint32_t>(longest->text.size());
    segments.push_back({i, end, longest->id});
    ordinary_begin = end;
    i = end - 1;
  }
  if (ordinary_begin < view.size()) segments.push_back({ordinary_begin, static_cast<std::uint32_t>(view.size()), -1});
}

bool SpecialTokenSplitter::is_special(std::int64_t id) const {
  return std::any_of(patterns_.begin(), patterns_.end(), [id](const auto& p) { return p.id == id; });
}

}  // namespace bertlab::wordpiece
