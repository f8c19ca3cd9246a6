#include "compress/ffn_pruning.hpp"

#include <cmath>
#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "compress/importance.hpp"
#include "compress/structured_pruning.hpp"

namespace bertlab::compress {

model::BertModel prune_ffn(model::BertModel& bert, Head& head, const std::vector<Feature>& importance_features,
                           std::int64_t batch_size, std::int64_t pad_id, double amount) {
  if (!(amount > 0 && amount < 1)) throw std::invalid_argument(fmt::format("--amount must be in (0, 1), got {}", amount));
  const auto importance = mask_importance(bert, head, importance_features, batch_size, pad_id, {});
  const auto size = bert->config().intermediate_size;
  const auto keep_count = std::max<std::int64_t>(1, std::llround(static_cast<double>(size) * (1 - amount)));
  std::vector<at::Tensor> keep;
  for (const auto& scores : importance.neurons) keep.push_back(std::get<1>(scores.topk(keep_count)));
  return keep_neurons(bert, keep);
}

}  // namespace bertlab::compress
