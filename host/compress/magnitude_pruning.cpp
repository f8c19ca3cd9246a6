#include "compress/magnitude_pruning.hpp"

#include <cmath>
#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

namespace bertlab::compress {

namespace {

bool is_linear_weight(const std::string& name, const at::Tensor& p) {
  return name.starts_with("encoder.layer.") && name.ends_with(".weight") && p.dim() == 2;
}

// Zeroes the `count` smallest |w| of `values` (a flat view) by threshold;
// ties at the threshold are broken by position, so the count is exact.
void zero_smallest(const at::Tensor& weight, std::int64_t count) {
  if (count <= 0) return;
  auto flat = weight.view({-1});
  auto order = std::get<1>(flat.abs().sort(/*stable=*/true, 0, false));
  flat.index_fill_(0, order.narrow(0, 0, count), 0);
}

}  // namespace

std::vector<std::pair<std::string, at::Tensor>> linear_weights(model::BertModel& bert) {
  std::vector<std::pair<std::string, at::Tensor>> weights;
  for (const auto& item : bert->named_parameters())
    if (is_linear_weight(item.key(), item.value())) weights.emplace_back(item.key(), item.value());
  return weights;
}

SparsityReport prune_magnitude(model::BertModel& bert, double sparsity, const std::string& scope) {
  if (!(sparsity > 0 && sparsity < 1))
    throw std::invalid_argument(fmt::format("--amount must be in (0, 1), got {}", sparsity));
  if (scope != "global" && scope != "layer")
    throw std::invalid_argument(fmt::format("--scope must be global or layer, got '{}'", scope));
  torch::NoGradGuard no_grad;
  auto weights = linear_weights(bert);
  SparsityReport report;
  for (const auto& [name, weight] : weights) report.pruned_weights += weight.numel();
  if (scope == "layer") {
    for (auto& [name, weight] : weights)
      zero_smallest(weight, std::llround(static_cast<double>(weight.numel()) * sparsity));
  } else {
    std::vector<at::Tensor> flat;
    for (const auto& [name, weight] : weights) flat.push_back(weight.view({-1}));
    auto all = at::cat(flat);
    const auto count = std::llround(static_cast<double>(all.numel()) * sparsity);
    zero_smallest(all, count);
    std::int64_t offset = 0;
    for (auto& [name, weight] : weights) {
      weight.view({-1}).copy_(all.narrow(0, offset, weight.numel()));
      offset += weight.numel();
    }
  }
  for (const auto& [name, weight] : weights) report.zeros += weight.eq(0).sum().item<std::int64_t>();
  report.sparsity = static_cast<double>(report.zeros) / static_cast<double>(report.pruned_weights);
  return report;
}

std::int64_t sparse_size(model::BertModel& bert) {
  std::int64_t bytes = 0;
  for (const auto& item : bert->named_parameters()) {
    const auto& p = item.value();
    if (!is_linear_weight(item.key(), p)) {
      bytes += p.numel() * 4;
      continue;
    }
    const auto nonzeros = p.ne(0).sum().item<std::int64_t>();
    bytes += nonzeros * (4 + 4) + (p.size(0) + 1) * 8;
  }
  return bytes;
}

}  // namespace bertlab::compress
