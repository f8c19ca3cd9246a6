// BertForSequenceClassification's layers on top of the pooled [CLS] vector.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace bertlab::heads {

class SequenceClassifierImpl : public torch::nn::Module {
 public:
  SequenceClassifierImpl(std::int64_t hidden_size, std::int64_t num_labels, double dropout);

  // Weights normal(0, std) from a generator seeded with `seed`, zero bias, as
  // HF's _init_weights does, but reproducible for a given seed.
  void init_weights(double std, std::uint64_t seed);

  torch::Tensor forward(const torch::Tensor& pooled_output);

 private:
  torch::nn::Dropout dropout_;
  torch::nn::Linear classifier_;
};
TORCH_MODULE(SequenceClassifier);

}  // namespace bertlab::heads
