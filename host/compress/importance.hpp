// How much the loss depends on each attention head and each FFN neuron:
// the gradient of the loss with respect to a mask multiplied into the head's
// context (the neuron's activation), in absolute value, summed over batches
// (Michel et al. 2019, "Are Sixteen Heads Really Better than One?", eq. 4;
// the same estimate for FFN neurons). Dropout is off; the weights get no
// gradients.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "bertlab/head.hpp"
#include "model/bert_model.hpp"

namespace bertlab::compress {

struct Importance {
  std::vector<at::Tensor> heads;    // per layer, [current heads of the layer]
  std::vector<at::Tensor> neurons;  // per layer, [intermediate_size]
};

// `head_masks` (per layer; empty for all ones) are the heads already masked
// off, whose importance comes out 0. `features` need labels.
Importance mask_importance(model::BertModel& bert, Head& head, const std::vector<Feature>& features,
                           std::int64_t batch_size, std::int64_t pad_id, const std::vector<at::Tensor>& head_masks);

// Each layer's scores divided by their L2 norm, as Michel et al. normalise
// head importance before ranking heads across layers.
std::vector<at::Tensor> normalized_per_layer(const std::vector<at::Tensor>& scores);

// Sets (or, with an empty list, removes) the head masks of every layer.
void set_head_masks(model::BertModel& bert, const std::vector<at::Tensor>& masks);

}  // namespace bertlab::compress
