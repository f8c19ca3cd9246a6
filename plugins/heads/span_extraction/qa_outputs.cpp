#include "qa_outputs.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

namespace bertlab::span_extraction {

SpanPointerImpl::SpanPointerImpl(std::int64_t hidden_size)
    // HF's name, so that state_dict() reads qa_outputs.weight/bias.
    : qa_outputs_(register_module("qa_outputs", torch::nn::Linear(hidden_size, 2))) {}

void SpanPointerImpl::init_weights(double std, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  // A private CPU generator: the weights do not depend on what else drew
  // from the global one, nor on the device the module is on.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto weight = torch::empty(qa_outputs_->weight.sizes(), torch::kFloat32);
  weight.normal_(0.0, std, generator);
  qa_outputs_->weight.copy_(weight);
  qa_outputs_->bias.zero_();
}

std::pair<torch::Tensor, torch::Tensor> SpanPointerImpl::forward(const torch::Tensor& hidden_states) {
  auto logits = qa_outputs_(hidden_states);
  return {logits.select(-1, 0).contiguous(), logits.select(-1, 1).contiguous()};
}

}  // namespace bertlab::span_extraction
