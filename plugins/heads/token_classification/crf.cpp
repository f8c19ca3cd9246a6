#include "crf.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

namespace bertlab::heads {

CrfImpl::CrfImpl(std::int64_t num_tags, double learning_rate_multiplier, std::optional<AllowedTransitions> allowed)
    : multiplier_(learning_rate_multiplier) {
  if (!(multiplier_ > 0)) throw std::invalid_argument("crf: the learning-rate multiplier must be positive");
  transitions_raw_ = register_parameter("transitions_raw", at::zeros({num_tags, num_tags}));
  start_raw_ = register_parameter("start_transitions_raw", at::zeros({num_tags}));
  end_raw_ = register_parameter("end_transitions_raw", at::zeros({num_tags}));
  if (allowed) {
    allowed_transitions_ = register_buffer("allowed_transitions", allowed->transitions);
    allowed_start_ = register_buffer("allowed_start", allowed->start);
    allowed_end_ = register_buffer("allowed_end", allowed->end);
  }
}

void CrfImpl::init_weights(std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto* raw : {&transitions_raw_, &start_raw_, &end_raw_}) {
    auto real = at::empty(raw->sizes(), at::kFloat);
    real.uniform_(-0.1, 0.1, generator);
    raw->copy_(real / multiplier_);
  }
}

CrfWeights CrfImpl::weights() const {
  CrfWeights w{transitions_raw_ * multiplier_, start_raw_ * multiplier_, end_raw_ * multiplier_};
  if (allowed_transitions_.defined()) {
    const auto forbidden = at::scalar_tensor(kForbidden, w.transitions.options());
    // .to(kBool): Module::to(dtype) converts buffers too.
    w.transitions = at::where(allowed_transitions_.to(at::kBool), w.transitions, forbidden);
    w.start = at::where(allowed_start_.to(at::kBool), w.start, forbidden);
    w.end = at::where(allowed_end_.to(at::kBool), w.end, forbidden);
  }
  return w;
}

at::Tensor CrfImpl::negative_log_likelihood(const at::Tensor& emissions, const at::Tensor& tags,
                                            const at::Tensor& mask) const {
  const auto w = weights();
  return crf_log_partition(emissions, mask, w) - crf_path_score(emissions, tags, mask, w);
}

at::Tensor CrfImpl::decode(const at::Tensor& emissions, const at::Tensor& mask) const {
  return crf_viterbi(emissions, mask, weights());
}

std::map<std::string, at::Tensor> CrfImpl::real_weights() const {
  return {{"transitions", transitions_raw_ * multiplier_},
          {"start_transitions", start_raw_ * multiplier_},
          {"end_transitions", end_raw_ * multiplier_}};
}

void CrfImpl::load_real_weights(const std::map<std::string, at::Tensor>& weights) {
  torch::NoGradGuard no_grad;
  transitions_raw_.copy_(weights.at("transitions") / multiplier_);
  start_raw_.copy_(weights.at("start_transitions") / multiplier_);
  end_raw_.copy_(weights.at("end_transitions") / multiplier_);
}

}  // namespace bertlab::heads
