// The pooler: tanh(dense(hidden state of [CLS])), the sentence representation
// BERT's NSP objective trained and classification heads read.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "model/bert_config.hpp"

namespace bertlab::model {

class BertPoolerImpl : public torch::nn::Module {
 public:
  explicit BertPoolerImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& last_hidden_state);  // [batch, seq, hidden] -> [batch, hidden]

  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

}  // namespace bertlab::model
