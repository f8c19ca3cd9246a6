// The attention sub-layer of an encoder layer: self-attention, then the
// output projection with dropout, the residual connection and LayerNorm
// (post-LN, as in BERT).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "model/self_attention.hpp"

namespace bertlab::model {

// LayerNorm(dropout(dense(x)) + residual): the "output" block that follows
// both the attention and the feed-forward sub-layers.
class BertResidualOutputImpl : public torch::nn::Module {
 public:
  BertResidualOutputImpl(const BertConfig& config, std::int64_t input_size);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual);

  torch::nn::Linear dense{nullptr};
  std::optional<QuantizedLinear> dense_int8;  // used outside training once quantized
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertResidualOutput);

class BertAttentionImpl : public torch::nn::Module {
 public:
  BertAttentionImpl(const BertConfig& config, std::int64_t layer);
  // Returns the sub-layer's output [batch, seq, hidden] and, when asked, the
  // attention probabilities.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& hidden_states, const AttentionMask& mask,
                                                  bool return_probs = false);

  BertSelfAttention self{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

}  // namespace bertlab::model
