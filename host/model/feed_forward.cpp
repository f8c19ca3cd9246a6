#include "model/feed_forward.hpp"

#include "model/fused_linear.hpp"

namespace bertlab::model {

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& config)
    : dense(register_module("dense", torch::nn::Linear(config.hidden_size, config.intermediate_size))),
      activation_(parse_activation(config.hidden_act, "config")) {}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden_states) {
  return linear_activation(hidden_states, dense->weight, dense->bias, activation_);
}

}  // namespace bertlab::model
