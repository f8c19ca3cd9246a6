#include "model/feed_forward.hpp"

#include "model/fused_linear.hpp"

namespace bertlab::model {

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& config)
    : dense(register_module("dense", torch::nn::Linear(config.hidden_size, config.intermediate_size))),
      activation_(parse_activation(config.hidden_act, "config")) {}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden_states) {
  auto activations = dense_int8 && !is_training()
                         ? activate(activation_, dense_int8->forward(hidden_states))
                         : linear_activation(hidden_states, dense->weight, dense->bias, activation_);
  if (neuron_mask.defined()) activations = activations * neuron_mask.to(activations.scalar_type());
  return activations;
}

}  // namespace bertlab::model
