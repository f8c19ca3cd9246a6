#include "model/pooler.hpp"

#include <ATen/ATen.h>

#include "model/fused_linear.hpp"

namespace bertlab::model {

BertPoolerImpl::BertPoolerImpl(const BertConfig& config)
    : dense(register_module("dense", torch::nn::Linear(config.hidden_size, config.hidden_size))) {}

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& last_hidden_state) {
  return linear_activation(last_hidden_state.select(1, 0), dense->weight, dense->bias, Activation::tanh);
}

}  // namespace bertlab::model
