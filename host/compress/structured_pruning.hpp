// Physically removing attention heads and FFN neurons: a new, smaller
// BertModel whose matrices are the kept rows and columns of the old one's.
// Head pruning records the removed heads in the config's pruned_heads (their
// original indices, as Hugging Face writes them); FFN pruning keeps the same
// number of neurons in every layer, so that intermediate_size stays one
// number and the model loads in `transformers` as it is.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include <ATen/core/Tensor.h>

#include "model/bert_model.hpp"

namespace bertlab::compress {

// `remove`: layer -> positions among the layer's current heads (0-based, as
// BertSelfAttention orders them). A layer keeps at least one head.
model::BertModel remove_heads(model::BertModel& bert, const std::map<std::int64_t, std::vector<std::int64_t>>& remove);

// `keep`: per layer, the indices of the intermediate neurons to keep (int64,
// each layer the same count).
model::BertModel keep_neurons(model::BertModel& bert, const std::vector<at::Tensor>& keep);

// Parameters of the encoder (all of them, zeros included).
std::int64_t parameter_count(model::BertModel& bert);

}  // namespace bertlab::compress
