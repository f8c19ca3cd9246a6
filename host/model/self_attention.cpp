#include "model/self_attention.hpp"

#include "model/fused_linear.hpp"

#include <array>
#include <cmath>
#include <limits>

#include <ATen/ATen.h>

namespace bertlab::model {

AttentionMask AttentionMask::from_padding(const torch::Tensor& attention_mask, torch::ScalarType dtype) {
  AttentionMask mask;
  if (!attention_mask.defined()) return mask;
  auto keep = attention_mask.to(at::kBool).unsqueeze(1).unsqueeze(2);
  // With no padding at all, the fused kernel runs fastest without a mask.
  if (keep.all().item<bool>()) return mask;
  mask.keep = keep;
  // The dtype's lowest finite value, as Hugging Face uses: -inf would turn a
  // fully padded row into NaN.
  at::Scalar lowest = std::numeric_limits<float>::lowest();
  if (dtype == at::kBFloat16) lowest = static_cast<float>(std::numeric_limits<c10::BFloat16>::lowest());
  if (dtype == at::kHalf) lowest = static_cast<float>(std::numeric_limits<c10::Half>::lowest());
  mask.additive = at::zeros(keep.sizes(), keep.options().dtype(dtype)).masked_fill_(keep.logical_not(), lowest);
  return mask;
}

namespace {

std::int64_t heads_size(const BertConfig& config, std::int64_t layer) {
  return static_cast<std::int64_t>(config.heads_of_layer(layer).size()) * config.head_size();
}

}  // namespace

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& config, std::int64_t layer)
    : query(register_module("query", torch::nn::Linear(config.hidden_size, heads_size(config, layer)))),
      key(register_module("key", torch::nn::Linear(config.hidden_size, heads_size(config, layer)))),
      value(register_module("value", torch::nn::Linear(config.hidden_size, heads_size(config, layer)))),
      num_heads_(static_cast<std::int64_t>(config.heads_of_layer(layer).size())),
      head_size_(config.head_size()),
      dropout_prob_(config.attention_probs_dropout_prob) {}

std::pair<torch::Tensor, torch::Tensor> BertSelfAttentionImpl::fused_qkv() {
  const std::array<const torch::Tensor*, 6> sources{&query->weight, &key->weight, &value->weight,
                                                    &query->bias,   &key->bias,   &value->bias};
  if (at::GradMode::is_enabled() && query->weight.requires_grad()) {
    return {at::cat({query->weight, key->weight, value->weight}), at::cat({query->bias, key->bias, value->bias})};
  }
  std::vector<std::pair<const void*, std::uint32_t>> state;
  for (const auto* t : sources) state.emplace_back(t->data_ptr(), t->_version());
  if (state != qkv_sources_ || !qkv_weight_.defined()) {
    qkv_weight_ = at::cat({query->weight, key->weight, value->weight}).detach();
    qkv_bias_ = at::cat({query->bias, key->bias, value->bias}).detach();
    qkv_sources_ = std::move(state);
  }
  return {qkv_weight_, qkv_bias_};
}

std::pair<torch::Tensor, torch::Tensor> BertSelfAttentionImpl::forward(const torch::Tensor& hidden_states,
                                                                       const AttentionMask& mask,
                                                                       bool return_probs) {
  const auto batch = hidden_states.size(0), seq = hidden_states.size(1);
  // One GEMM for Q, K and V instead of three; the weights stay separate
  // parameters under Hugging Face's names.
  torch::Tensor qkv;
  if (qkv_int8 && !is_training()) {
    qkv = qkv_int8->forward(hidden_states);
  } else {
    auto [qkv_weight, qkv_bias] = fused_qkv();
    qkv = linear(hidden_states, qkv_weight, qkv_bias);
  }
  // [batch, seq, 3, heads, head] -> 3 x [batch, heads, seq, head]
  auto heads = qkv.view({batch, seq, 3, num_heads_, head_size_}).permute({2, 0, 3, 1, 4});
  auto q = heads[0], k = heads[1], v = heads[2];
  const double dropout = is_training() ? dropout_prob_ : 0.0;

  torch::Tensor context, probs;
  if (!return_probs) {
    auto keep = mask.keep.defined() ? std::optional<at::Tensor>(mask.keep) : std::nullopt;
    context = at::scaled_dot_product_attention(q, k, v, keep, dropout);
  } else {
    auto scores = at::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_size_));
    if (mask.additive.defined()) scores = scores + mask.additive;
    probs = at::softmax(scores, -1);
    context = at::matmul(dropout > 0 ? at::dropout(probs, dropout, true) : probs, v);
  }
  // Scaling a head's context scales its probabilities alike (context = P V).
  if (head_mask.defined()) context = context * head_mask.view({1, num_heads_, 1, 1}).to(context.scalar_type());
  context = context.transpose(1, 2).reshape({batch, seq, num_heads_ * head_size_});
  return {context, probs};
}

}  // namespace bertlab::model
