#include "compress/head_pruning.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "compress/importance.hpp"
#include "compress/structured_pruning.hpp"

namespace bertlab::compress {

namespace {

std::int64_t count_kept(const std::vector<at::Tensor>& masks) {
  std::int64_t kept = 0;
  for (const auto& mask : masks) kept += mask.ne(0).sum().item<std::int64_t>();
  return kept;
}

// Masks the `count` lowest-scored heads still on, never a layer's last one.
void mask_lowest(std::vector<at::Tensor>& masks, const std::vector<at::Tensor>& scores, std::int64_t count) {
  std::vector<std::tuple<float, std::size_t, std::int64_t>> ranked;
  for (std::size_t l = 0; l < masks.size(); ++l) {
    auto score = scores[l].contiguous();
    for (std::int64_t h = 0; h < masks[l].numel(); ++h)
      if (masks[l][h].item<float>() != 0) ranked.emplace_back(score[h].item<float>(), l, h);
  }
  std::sort(ranked.begin(), ranked.end());
  for (const auto& [score, layer, h] : ranked) {
    if (count == 0) break;
    if (masks[layer].ne(0).sum().item<std::int64_t>() <= 1) continue;
    masks[layer][h] = 0;
    --count;
  }
}

}  // namespace

HeadPruningResult prune_heads(model::BertModel& bert, Head& head, const std::vector<Feature>& importance_features,
                              std::int64_t batch_size, std::int64_t pad_id, const HeadPruningOptions& options,
                              const std::function<double()>& metric_loss) {
  if (!(options.amount > 0 && options.amount < 1))
    throw std::invalid_argument(fmt::format("--amount must be in (0, 1), got {}", options.amount));
  std::vector<at::Tensor> masks;
  for (std::size_t l = 0; l < bert->encoder->size(); ++l)
    masks.push_back(at::ones({(*bert->encoder)[l]->attention->self->num_heads()}));
  HeadPruningResult result;
  result.heads_before = count_kept(masks);
  const auto layers = static_cast<std::int64_t>(masks.size());
  const auto target = std::max(layers, static_cast<std::int64_t>(std::llround(result.heads_before * (1 - options.amount))));
  const auto per_step = options.heads_per_step > 0 ? options.heads_per_step
                                                   : std::max<std::int64_t>(1, result.heads_before / 10);

  while (count_kept(masks) > target) {
    auto importance = mask_importance(bert, head, importance_features, batch_size, pad_id, masks);
    auto scores = normalized_per_layer(importance.heads);
    auto next = masks;
    for (auto& mask : next) mask = mask.clone();
    mask_lowest(next, scores, std::min(per_step, count_kept(masks) - target));
    if (count_kept(next) == count_kept(masks)) break;  // every layer down to one head
    HeadPruningStep step{count_kept(next), std::nullopt};
    if (options.tolerance) {
      {
        torch::NoGradGuard no_grad;
        set_head_masks(bert, next);
      }
      const double loss = metric_loss();
      set_head_masks(bert, {});
      step.metric_loss = loss;
      if (loss > *options.tolerance) break;
    }
    masks = std::move(next);
    result.steps.push_back(step);
  }

  std::map<std::int64_t, std::vector<std::int64_t>> remove;
  for (std::int64_t l = 0; l < layers; ++l) {
    auto off = masks[static_cast<std::size_t>(l)].eq(0).nonzero().flatten();
    for (std::int64_t i = 0; i < off.numel(); ++i) remove[l].push_back(off[i].item<std::int64_t>());
  }
  result.model = remove_heads(bert, remove);
  result.heads_after = count_kept(masks);
  return result;
}

}  // namespace bertlab::compress
