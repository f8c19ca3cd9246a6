// A linear-chain CRF layer: a transition score for every pair of tags plus
// start and end scores, trained by negative log-likelihood and decoded by
// Viterbi (crf_algorithms.hpp).
//
// Learning rate: the transitions start near zero and need to move much
// farther than the encoder's weights, at a learning rate tuned for the
// encoder. The SDK has no per-parameter learning rate, so the layer stores
// raw = real / multiplier and uses multiplier * raw: Adam's steps on raw are
// about lr, so the real scores move about multiplier * lr per step.
// real_weights() and load_real_weights() deal in the real scores, which are
// what checkpoints hold.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "crf_algorithms.hpp"
#include "tag_constraints.hpp"

namespace bertlab::heads {

class CrfImpl : public torch::nn::Module {
 public:
  // Forbidden transitions, when given, score kForbidden whatever was learnt.
  CrfImpl(std::int64_t num_tags, double learning_rate_multiplier, std::optional<AllowedTransitions> allowed);

  // Uniform(-0.1, 0.1) real scores from a generator seeded with `seed` (pytorch-crf's init).
  void init_weights(std::uint64_t seed);

  // The scores the algorithms use: multiplier * raw, constraints applied.
  CrfWeights weights() const;

  // Negative log-likelihood of each row's tags: [batch] (0 for empty rows).
  at::Tensor negative_log_likelihood(const at::Tensor& emissions, const at::Tensor& tags, const at::Tensor& mask) const;
  at::Tensor decode(const at::Tensor& emissions, const at::Tensor& mask) const;

  // "transitions", "start_transitions", "end_transitions" as real scores
  // (pytorch-crf's names), without the constraints.
  std::map<std::string, at::Tensor> real_weights() const;
  void load_real_weights(const std::map<std::string, at::Tensor>& weights);

  static constexpr double kForbidden = -10000.0;

 private:
  double multiplier_;
  at::Tensor transitions_raw_, start_raw_, end_raw_;
  at::Tensor allowed_transitions_, allowed_start_, allowed_end_;  // buffers; empty: no constraints
};
TORCH_MODULE(Crf);

}  // namespace bertlab::heads
