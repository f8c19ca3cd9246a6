#include "classifier.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

namespace bertlab::heads {

SequenceClassifierImpl::SequenceClassifierImpl(std::int64_t hidden_size, std::int64_t num_labels,
                                               double dropout)
    // The names are HF's, so that state_dict() reads classifier.weight/bias.
    : dropout_(register_module("dropout", torch::nn::Dropout(dropout))),
      classifier_(register_module("classifier", torch::nn::Linear(hidden_size, num_labels))) {}

void SequenceClassifierImpl::init_weights(double std, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  // A private CPU generator: the global one would make the head depend on
  // whatever else drew from it first. Drawing on CPU and copying keeps the
  // weights identical whatever device the module is on.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto weight = torch::empty(classifier_->weight.sizes(), torch::kFloat32);
  weight.normal_(0.0, std, generator);
  classifier_->weight.copy_(weight);
  classifier_->bias.zero_();
}

torch::Tensor SequenceClassifierImpl::forward(const torch::Tensor& pooled_output) {
  return classifier_(dropout_(pooled_output));
}

}  // namespace bertlab::heads
