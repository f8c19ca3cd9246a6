#include "truncation.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace bertlab::wordpiece {

namespace {

// Encoding::truncate: keep `keep` tokens; the rest comes back in windows of
// `keep` tokens that start `keep - stride` apart, the kept part first.
std::vector<Window> cut(std::size_t length, std::size_t keep, std::size_t stride) {
  if (keep >= length) return {{0, length}};
  if (keep == 0) return {{0, 0}, {0, length}};
  if (stride >= keep)
    throw std::invalid_argument("stride " + std::to_string(stride) + " must be smaller than the " +
                                std::to_string(keep) + " tokens left to the truncated text");
  std::vector<Window> windows;
  for (std::size_t start = 0;; start += keep - stride) {
    const auto stop = std::min(start + keep, length);
    windows.push_back({start, stop});
    if (stop == length) break;
  }
  return windows;
}

}  // namespace

TruncationPlan plan_truncation(std::size_t first_length, std::optional<std::size_t> second_length,
                               std::size_t special_tokens, const EncodeOptions& options) {
  TruncationPlan plan{{{0, first_length}}, {}};
  if (second_length) plan.second = {{0, *second_length}};
  if (options.truncation == Truncation::none || options.max_length <= 0) return plan;
  if (options.stride < 0) throw std::invalid_argument("stride must not be negative");
  const auto max_length = static_cast<std::size_t>(options.max_length);
  const auto stride = static_cast<std::size_t>(options.stride);
  if (max_length < special_tokens)
    throw std::invalid_argument("max_length " + std::to_string(max_length) + " leaves no room for the " +
                                std::to_string(special_tokens) + " special tokens");
  const auto limit = max_length - special_tokens;
  if (limit == 0) {
    plan.first = cut(first_length, 0, stride);
    if (second_length) plan.second = cut(*second_length, 0, stride);
    return plan;
  }
  const auto total = first_length + second_length.value_or(0);
  if (total <= limit) return plan;
  const auto excess = total - limit;

  switch (options.truncation) {
    case Truncation::none:
      break;
    case Truncation::longest_first: {
      if (!second_length) {
        plan.first = cut(first_length, limit, stride);
        break;
      }
      // Both keep what they can up to half the room, the shorter one first;
      // HF's closed form, not a token-by-token loop (the two differ).
      auto shorter = std::min(first_length, *second_length);
      auto longer = shorter > limit ? shorter : std::max(shorter, limit - shorter);
      if (shorter + longer > limit) {
        shorter = limit / 2;
        longer = shorter + limit % 2;
      }
      const bool first_is_shorter = first_length <= *second_length;
      plan.first = cut(first_length, first_is_shorter ? shorter : longer, stride);
      plan.second = cut(*second_length, first_is_shorter ? longer : shorter, stride);
      break;
    }
    case Truncation::only_first:
    case Truncation::only_second: {
      const bool first = options.truncation == Truncation::only_first;
      if (!first && !second_length)
        throw std::invalid_argument("truncation only_second needs a pair of texts");
      const auto length = first ? first_length : *second_length;
      if (length <= excess)
        throw std::invalid_argument("cannot fit max_length " + std::to_string(max_length) + " by truncating only the " +
                                    (first ? "first" : "second") + " text: it has " + std::to_string(length) +
                                    " tokens and " + std::to_string(excess) + " must go");
      (first ? plan.first : plan.second) = cut(length, length - excess, stride);
      break;
    }
  }
  return plan;
}

}  // namespace bertlab::wordpiece
