// BertForQuestionAnswering's layer on the encoder: one linear map from each
// token's hidden state to a start and an end logit (HF's qa_outputs, no dropout).
#pragma once

#include <cstdint>
#include <utility>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace bertlab::span_extraction {

class SpanPointerImpl : public torch::nn::Module {
 public:
  explicit SpanPointerImpl(std::int64_t hidden_size);

  // Weights normal(0, std) from a generator seeded with `seed`, zero bias, as
  // HF's _init_weights, reproducible for a given seed.
  void init_weights(double std, std::uint64_t seed);

  // [batch, seq, hidden] -> start and end logits, each [batch, seq].
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& hidden_states);

 private:
  torch::nn::Linear qa_outputs_;
};
TORCH_MODULE(SpanPointer);

}  // namespace bertlab::span_extraction
