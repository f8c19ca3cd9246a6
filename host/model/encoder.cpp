#include "model/encoder.hpp"

#include <algorithm>

namespace bertlab::model {

BertLayerImpl::BertLayerImpl(const BertConfig& config, std::int64_t layer)
    : attention(register_module("attention", BertAttention(config, layer))),
      intermediate(register_module("intermediate", BertIntermediate(config))),
      output(register_module("output", BertResidualOutput(config, config.intermediate_size))) {}

std::pair<torch::Tensor, torch::Tensor> BertLayerImpl::forward(const torch::Tensor& hidden_states,
                                                               const AttentionMask& mask, bool return_probs) {
  auto [attention_output, probs] = attention(hidden_states, mask, return_probs);
  return {output(intermediate(attention_output), attention_output), probs};
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& config) : layer(register_module("layer", torch::nn::ModuleList())) {
  for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) {
    layers_.emplace_back(config, i);
    layer->push_back(layers_.back());
  }
}

EncoderResult BertEncoderImpl::forward(const torch::Tensor& hidden_states, const AttentionMask& mask,
                                       bool output_hidden_states, bool output_attentions) {
  EncoderResult result;
  auto x = hidden_states;
  for (auto& block : layers_) {
    if (output_hidden_states) result.hidden_states.push_back(x);
    auto [next, probs] = block(x, mask, output_attentions);
    if (output_attentions) result.attentions.push_back(probs);
    x = next;
  }
  if (output_hidden_states) result.hidden_states.push_back(x);
  result.last_hidden_state = x;
  return result;
}

torch::Tensor BertEncoderImpl::forward_layers(const torch::Tensor& hidden_states, const AttentionMask& mask,
                                              std::size_t begin, std::size_t end, std::vector<torch::Tensor>* outputs) {
  auto x = hidden_states;
  for (std::size_t i = begin; i < std::min(end, layers_.size()); ++i) {
    x = layers_[i](x, mask).first;
    if (outputs) outputs->push_back(x);
  }
  return x;
}

}  // namespace bertlab::model
