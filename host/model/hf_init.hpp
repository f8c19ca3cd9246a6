// Hugging Face's BertPreTrainedModel._init_weights for a freshly built
// module: linear and embedding weights normal(0, initializer_range),
// biases zero, LayerNorm weights one. Models trained from scratch and heads
// without checkpoint tensors start as they would in transformers.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>

namespace bertlab::model {

// Every parameter of `module`, from a generator seeded with `seed`.
void init_weights_like_hf(torch::nn::Module& module, double initializer_range, std::uint64_t seed);

}  // namespace bertlab::model
