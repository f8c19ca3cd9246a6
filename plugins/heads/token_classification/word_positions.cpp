#include "word_positions.hpp"

#include <ATen/ATen.h>

namespace bertlab::heads {

WordPositions word_positions(const at::Tensor& word_mask) {
  const auto lengths = word_mask.sum(1);
  const auto longest = word_mask.size(0) == 0 ? 0 : lengths.max().item<std::int64_t>();
  // A stable sort on "not a word" moves each row's word tokens to its front, in order.
  const auto order = std::get<1>(at::sort(at::logical_not(word_mask).to(at::kInt), /*stable=*/true, 1, false));
  WordPositions out;
  out.index = order.slice(1, 0, longest).contiguous();
  out.mask = at::arange(longest, lengths.options()).unsqueeze(0) < lengths.unsqueeze(1);
  out.index = at::where(out.mask, out.index, at::zeros_like(out.index));
  return out;
}

at::Tensor gather_words(const at::Tensor& values, const WordPositions& positions) {
  auto index = positions.index;
  for (std::int64_t d = 2; d < values.dim(); ++d) index = index.unsqueeze(d);
  std::vector<std::int64_t> shape(values.sizes().begin(), values.sizes().end());
  shape[1] = positions.index.size(1);
  return values.gather(1, index.expand(shape));
}

}  // namespace bertlab::heads
