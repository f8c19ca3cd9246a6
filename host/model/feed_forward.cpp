#include "model/feed_forward.hpp"

namespace bertlab::model {

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& config)
    : dense(register_module("dense", torch::nn::Linear(config.hidden_size, config.intermediate_size))),
      activation_(parse_activation(config.hidden_act, "config")) {}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden_states) {
  return activate(activation_, dense(hidden_states));
}

}  // namespace bertlab::model
