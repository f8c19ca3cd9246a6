// The optimizer's parameter groups for fine-tuning: frozen parameters left
// out, layer-wise learning-rate decay (Sun et al. 2019, "How to Fine-Tune
// BERT for Text Classification": layer l of L gets lr * xi^(L - l), the
// embeddings lr * xi^L, the pooler and the head lr), and each depth split
// into parameters with weight decay and without (biases and LayerNorm, as in
// BERT).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "experiment/experiment.hpp"
#include "model/bert_model.hpp"

namespace bertlab::train {

struct ParamGroup {
  std::string name;  // "embeddings", "layer 3" (1-based), "top" (pooler and head); "+decay"/"-decay"
  std::vector<torch::Tensor> params;
  double lr_scale = 1.0;  // of the scheduled learning rate
  double weight_decay = 0;
};

// Parameters without weight decay, as in BERT: biases and LayerNorm.
bool decays(const std::string& name);

// Sets requires_grad off for what `train` freezes; throws
// experiment::ExperimentError naming train.freeze_layers when it exceeds the
// model's layers.
void freeze(model::BertModel& bert, const experiment::TrainSection& train);

// The groups of every trainable parameter of `bert` and `head`, empty groups
// left out. Frozen parameters (requires_grad off) are in none.
std::vector<ParamGroup> param_groups(model::BertModel& bert, torch::nn::Module& head,
                                     const experiment::TrainSection& train);

}  // namespace bertlab::train
