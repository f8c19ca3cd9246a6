#include "train/param_groups.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>

namespace bertlab::train {

namespace {

// 0 for the embeddings, l (1-based) for encoder layer l, L + 1 for the
// pooler; every name of a BertModel is one of these.
std::int64_t depth_of(const std::string& name, std::int64_t num_layers) {
  if (name.rfind("embeddings.", 0) == 0) return 0;
  const std::string prefix = "encoder.layer.";
  if (name.rfind(prefix, 0) == 0) return std::stoll(name.substr(prefix.size())) + 1;
  return num_layers + 1;
}

}  // namespace

bool decays(const std::string& name) {
  return name.find("LayerNorm") == std::string::npos && name.find("bias") == std::string::npos;
}

void freeze(model::BertModel& bert, const experiment::TrainSection& train) {
  const auto layers = static_cast<std::int64_t>(bert->encoder->size());
  if (train.freeze_layers > layers)
    throw experiment::ExperimentError(fmt::format("key 'train.freeze_layers': {} exceeds the model's {} encoder layers",
                                                  train.freeze_layers, layers));
  for (auto& item : bert->named_parameters()) {
    const auto depth = depth_of(item.key(), layers);
    const bool frozen = (depth == 0 && train.freeze_embeddings) || (depth >= 1 && depth <= train.freeze_layers);
    if (frozen) item.value().set_requires_grad(false);
  }
}

std::vector<ParamGroup> param_groups(model::BertModel& bert, torch::nn::Module& head,
                                     const experiment::TrainSection& train) {
  const auto layers = static_cast<std::int64_t>(bert->encoder->size());
  // By depth (0 .. L + 1, the head at L + 1 with the pooler), then decay first.
  std::map<std::pair<std::int64_t, bool>, ParamGroup> groups;
  auto add = [&](const std::string& name, const torch::Tensor& p, std::int64_t depth) {
    if (!p.requires_grad()) return;
    const bool decay = decays(name);
    auto& group = groups[{depth, !decay}];
    if (group.params.empty()) {
      group.name = (depth == 0 ? std::string("embeddings")
                    : depth <= layers ? fmt::format("layer {}", depth)
                                      : std::string("top")) +
                   (decay ? "+decay" : "-decay");
      // Depth d <= L is layer d: xi^(L - d); the embeddings (d = 0) get xi^L; the top xi^0.
      group.lr_scale = depth > layers ? 1.0 : std::pow(train.layer_lr_decay, static_cast<double>(layers - depth));
      group.weight_decay = decay ? train.weight_decay : 0.0;
    }
    group.params.push_back(p);
  };
  for (auto& item : bert->named_parameters()) add(item.key(), item.value(), depth_of(item.key(), layers));
  for (auto& item : head.named_parameters()) add(item.key(), item.value(), layers + 1);
  std::vector<ParamGroup> out;
  for (auto& [key, group] : groups) out.push_back(std::move(group));
  return out;
}

}  // namespace bertlab::train
