// The encoder stack: N identical layers, each self-attention then the
// feed-forward network, each sub-layer with its residual and LayerNorm.
#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "model/attention.hpp"
#include "model/feed_forward.hpp"

namespace bertlab::model {

class BertLayerImpl : public torch::nn::Module {
 public:
  BertLayerImpl(const BertConfig& config, std::int64_t layer);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& hidden_states, const AttentionMask& mask,
                                                  bool return_probs = false);

  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

struct EncoderResult {
  torch::Tensor last_hidden_state;
  std::vector<torch::Tensor> hidden_states;  // input + each layer's output, when asked
  std::vector<torch::Tensor> attentions;     // each layer's probabilities, when asked
};

class BertEncoderImpl : public torch::nn::Module {
 public:
  explicit BertEncoderImpl(const BertConfig& config);
  EncoderResult forward(const torch::Tensor& hidden_states, const AttentionMask& mask,
                        bool output_hidden_states = false, bool output_attentions = false);
  // Runs layers [begin, end) only (layer l is 0-based here): TMix runs the
  // stack in two parts around its mixing step. When `hidden_states` is given,
  // each layer's output is appended to it.
  torch::Tensor forward_layers(const torch::Tensor& hidden_states, const AttentionMask& mask, std::size_t begin,
                               std::size_t end, std::vector<torch::Tensor>* outputs = nullptr);

  BertLayer& operator[](std::size_t index) { return layers_[index]; }
  const BertLayer& operator[](std::size_t index) const { return layers_[index]; }
  std::size_t size() const { return layers_.size(); }

  torch::nn::ModuleList layer{nullptr};  // "encoder.layer.N" in checkpoints

 private:
  std::vector<BertLayer> layers_;  // typed handles to the entries of `layer`
};
TORCH_MODULE(BertEncoder);

}  // namespace bertlab::model
