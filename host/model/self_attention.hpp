// Multi-head self-attention: queries, keys and values from one projection of
// the hidden states each, softmax(QK^T / sqrt(d)) V per head.
//
// The usual path is one fused call to at::scaled_dot_product_attention
// (LibTorch's flash/memory-efficient kernels); when the caller asks for the
// attention probabilities (analysis, distillation, head pruning) an explicit
// path computes and returns them.
#pragma once

#include <optional>
#include <utility>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "model/bert_config.hpp"
#include "model/quantized_linear.hpp"

namespace bertlab::model {

// The padding mask in the two forms the two paths want, built once per
// forward and shared by every layer.
struct AttentionMask {
  // [batch, 1, 1, seq] bool, true where a key may be attended to; undefined
  // when nothing is padded (then no mask is applied at all).
  torch::Tensor keep;
  // [batch, 1, 1, seq] in the compute dtype: 0 to keep, the dtype's lowest
  // value to drop (Hugging Face's convention, for the explicit path).
  torch::Tensor additive;

  static AttentionMask from_padding(const torch::Tensor& attention_mask, torch::ScalarType dtype);
};

class BertSelfAttentionImpl : public torch::nn::Module {
 public:
  // Layer `layer` of the stack: its head count is the config's less the
  // heads pruned from that layer (Q, K and V have num_heads * head_size rows).
  BertSelfAttentionImpl(const BertConfig& config, std::int64_t layer);

  // hidden_states: [batch, seq, hidden]. Returns the per-head context
  // concatenated back to [batch, seq, hidden] and, when `return_probs`, the
  // attention probabilities [batch, heads, seq, seq].
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& hidden_states, const AttentionMask& mask,
                                                  bool return_probs = false);

  torch::nn::Linear query{nullptr};
  torch::nn::Linear key{nullptr};
  torch::nn::Linear value{nullptr};

  // When defined, [num_heads] weights multiplied into each head's context
  // (0 silences a head): head importance (Michel et al. 2019) is the
  // gradient of the loss with respect to it.
  torch::Tensor head_mask;
  // Q, K and V as one int8 GEMM, used instead of the float weights outside
  // training once the model is quantized (BertModel::quantize_int8).
  std::optional<QuantizedLinear> qkv_int8;

  std::int64_t num_heads() const { return num_heads_; }

 private:
  // Q, K and V weights concatenated for one GEMM. Inference reuses the copy
  // until a parameter changes (new storage or an in-place update); training
  // concatenates per call so that gradients flow to the three parameters.
  std::pair<torch::Tensor, torch::Tensor> fused_qkv();
  torch::Tensor qkv_weight_, qkv_bias_;
  std::vector<std::pair<const void*, std::uint32_t>> qkv_sources_;

  std::int64_t num_heads_;
  std::int64_t head_size_;
  double dropout_prob_;
};
TORCH_MODULE(BertSelfAttention);

}  // namespace bertlab::model
