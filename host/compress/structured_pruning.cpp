#include "compress/structured_pruning.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

namespace bertlab::compress {

namespace {

// Which rows or columns of a parameter survive: (dimension, kept indices).
using Selections = std::map<std::string, std::pair<std::int64_t, at::Tensor>>;

model::BertModel rebuild(model::BertModel& bert, const model::BertConfig& config, const Selections& selections) {
  model::BertModel pruned(config);
  torch::NoGradGuard no_grad;
  auto old_params = bert->named_parameters();
  for (auto& item : pruned->named_parameters()) {
    auto source = old_params[item.key()];
    if (auto it = selections.find(item.key()); it != selections.end())
      source = source.index_select(it->second.first, it->second.second);
    if (source.sizes() != item.value().sizes())
      throw std::logic_error(fmt::format("pruning {}: {} for {}", item.key(), c10::str(source.sizes()),
                                         c10::str(item.value().sizes())));
    item.value().copy_(source);
  }
  return pruned;
}

std::string layer_name(std::size_t layer, const char* rest) { return fmt::format("encoder.layer.{}.{}", layer, rest); }

}  // namespace

model::BertModel remove_heads(model::BertModel& bert, const std::map<std::int64_t, std::vector<std::int64_t>>& remove) {
  auto config = bert->config();
  const auto head_size = config.head_size();
  Selections selections;
  for (const auto& [layer, positions] : remove) {
    if (layer < 0 || layer >= config.num_hidden_layers)
      throw std::invalid_argument(fmt::format("no layer {} to prune heads from", layer));
    const auto current = config.heads_of_layer(layer);
    const std::set<std::int64_t> dropped(positions.begin(), positions.end());
    std::vector<std::int64_t> rows;
    auto& pruned = config.pruned_heads[layer];
    for (std::int64_t position = 0; position < static_cast<std::int64_t>(current.size()); ++position) {
      if (dropped.count(position)) {
        pruned.push_back(current[static_cast<std::size_t>(position)]);
        continue;
      }
      for (std::int64_t r = 0; r < head_size; ++r) rows.push_back(position * head_size + r);
    }
    if (rows.empty()) throw std::invalid_argument(fmt::format("pruning would remove every head of layer {}", layer));
    std::sort(pruned.begin(), pruned.end());
    auto index = at::tensor(rows, at::kLong);
    const auto l = static_cast<std::size_t>(layer);
    for (const char* name : {"attention.self.query", "attention.self.key", "attention.self.value"}) {
      selections[layer_name(l, name) + ".weight"] = {0, index};
      selections[layer_name(l, name) + ".bias"] = {0, index};
    }
    selections[layer_name(l, "attention.output.dense.weight")] = {1, index};
  }
  std::erase_if(config.pruned_heads, [](const auto& entry) { return entry.second.empty(); });
  return rebuild(bert, config, selections);
}

model::BertModel keep_neurons(model::BertModel& bert, const std::vector<at::Tensor>& keep) {
  auto config = bert->config();
  if (keep.size() != bert->encoder->size()) throw std::invalid_argument("keep_neurons: one index list per layer");
  Selections selections;
  for (std::size_t l = 0; l < keep.size(); ++l) {
    auto index = std::get<0>(keep[l].to(at::kLong).sort());
    if (index.numel() != keep.front().numel())
      throw std::invalid_argument("keep_neurons: every layer keeps the same number of neurons");
    selections[layer_name(l, "intermediate.dense.weight")] = {0, index};
    selections[layer_name(l, "intermediate.dense.bias")] = {0, index};
    selections[layer_name(l, "output.dense.weight")] = {1, index};
  }
  config.intermediate_size = keep.front().numel();
  return rebuild(bert, config, selections);
}

std::int64_t parameter_count(model::BertModel& bert) {
  std::int64_t count = 0;
  for (const auto& p : bert->parameters()) count += p.numel();
  return count;
}

}  // namespace bertlab::compress
