// The position-wise feed-forward sub-layer's first half: the intermediate
// dense layer (hidden -> intermediate) and the activation. The second half,
// dense back to hidden + dropout + residual + LayerNorm, is a
// BertResidualOutput (attention.hpp), registered as "output" by the layer.
#pragma once

#include <optional>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "model/activation.hpp"
#include "model/bert_config.hpp"
#include "model/quantized_linear.hpp"

namespace bertlab::model {

class BertIntermediateImpl : public torch::nn::Module {
 public:
  explicit BertIntermediateImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden_states);

  torch::nn::Linear dense{nullptr};
  std::optional<QuantizedLinear> dense_int8;  // used outside training once quantized
  // When defined, [intermediate_size] weights multiplied into the activations
  // (0 silences a neuron): FFN neuron importance is the loss's gradient
  // with respect to it.
  torch::Tensor neuron_mask;

 private:
  Activation activation_;
};
TORCH_MODULE(BertIntermediate);

}  // namespace bertlab::model
