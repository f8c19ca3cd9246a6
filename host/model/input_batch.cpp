#include "model/input_batch.hpp"

#include <algorithm>
#include <cstring>

#include <ATen/ATen.h>

namespace bertlab::model {

InputBatch make_input_batch(std::span<const Encoding* const> encodings, std::int64_t pad_id, std::int64_t length) {
  const auto batch = static_cast<std::int64_t>(encodings.size());
  std::int64_t seq = length;
  if (seq == 0)
    for (const auto* e : encodings) seq = std::max(seq, static_cast<std::int64_t>(e->size()));
  InputBatch out;
  out.input_ids = at::full({batch, seq}, pad_id, at::kLong);
  out.token_type_ids = at::zeros({batch, seq}, at::kLong);
  out.attention_mask = at::zeros({batch, seq}, at::kLong);
  auto* ids = out.input_ids.data_ptr<std::int64_t>();
  auto* types = out.token_type_ids.data_ptr<std::int64_t>();
  auto* mask = out.attention_mask.data_ptr<std::int64_t>();
  for (std::int64_t row = 0; row < batch; ++row) {
    const Encoding& e = *encodings[static_cast<std::size_t>(row)];
    const auto n = std::min<std::int64_t>(seq, static_cast<std::int64_t>(e.size()));
    const auto bytes = static_cast<std::size_t>(n) * sizeof(std::int64_t);
    std::memcpy(ids + row * seq, e.ids.data(), bytes);
    std::memcpy(types + row * seq, e.type_ids.data(), bytes);
    std::memcpy(mask + row * seq, e.attention_mask.data(), bytes);
  }
  return out;
}

}  // namespace bertlab::model
