#include "model/pooler.hpp"

#include <ATen/ATen.h>

namespace bertlab::model {

BertPoolerImpl::BertPoolerImpl(const BertConfig& config)
    : dense(register_module("dense", torch::nn::Linear(config.hidden_size, config.hidden_size))) {}

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& last_hidden_state) {
  return at::tanh(dense(last_hidden_state.select(1, 0)));
}

}  // namespace bertlab::model
