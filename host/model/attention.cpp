#include "model/attention.hpp"

#include "model/fused_linear.hpp"

namespace bertlab::model {

BertResidualOutputImpl::BertResidualOutputImpl(const BertConfig& config, std::int64_t input_size)
    : dense(register_module("dense", torch::nn::Linear(input_size, config.hidden_size))),
      LayerNorm(register_module(
          "LayerNorm",
          torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)))),
      dropout(register_module("dropout", torch::nn::Dropout(config.hidden_dropout_prob))) {}

torch::Tensor BertResidualOutputImpl::forward(const torch::Tensor& x, const torch::Tensor& residual) {
  // Dropout is the identity in eval mode, which lets the residual add run
  // inside the GEMM there.
  if (!is_training()) {
    if (dense_int8) return LayerNorm(dense_int8->forward(x) + residual);
    return LayerNorm(linear_add(x, dense->weight, dense->bias, residual));
  }
  return LayerNorm(dropout(dense(x)) + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& config, std::int64_t layer)
    : self(register_module("self", BertSelfAttention(config, layer))),
      output(register_module("output", BertResidualOutput(config, self->num_heads() * config.head_size()))) {}

std::pair<torch::Tensor, torch::Tensor> BertAttentionImpl::forward(const torch::Tensor& hidden_states,
                                                                   const AttentionMask& mask, bool return_probs) {
  auto [context, probs] = self(hidden_states, mask, return_probs);
  return {output(context, hidden_states), probs};
}

}  // namespace bertlab::model
