// Gradual magnitude pruning during fine-tuning (Zhu & Gupta 2017, "To
// prune, or not to prune"): the sparsity of the encoder's linear weights
// rises from 0 to train.sparsity on a cubic schedule between
// train.sparsity_begin and train.sparsity_end (fractions of the optimizer
// steps). Every train.sparsity_every steps, and at the end of the ramp, the
// smallest weights are masked (compress/magnitude_pruning.hpp); after every
// optimizer step the masks are applied again, so that pruned weights stay 0
// while the rest keep training.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "experiment/experiment.hpp"
#include "model/bert_model.hpp"

namespace bertlab::train {

// s_t = s (1 - (1 - p)^3), p = (step - begin) / (end - begin) clamped to [0, 1].
double scheduled_sparsity(const experiment::TrainSection& train, std::int64_t step, std::int64_t total_steps);

class GradualPruning {
 public:
  GradualPruning(model::BertModel& bert, const experiment::TrainSection& train, std::int64_t total_steps);

  // After optimizer step `step` (1-based): new masks when one is due, then the masks applied.
  void after_step(std::int64_t step);
  // Whether the schedule has reached its final sparsity (from the last mask update on).
  bool at_target() const { return at_target_; }
  double sparsity() const;  // the zero share of the pruned weights now
  std::int64_t begin_step() const { return begin_; }
  std::int64_t end_step() const { return end_; }

 private:
  model::BertModel bert_;
  const experiment::TrainSection& train_;
  std::int64_t total_, begin_, end_;
  std::vector<at::Tensor> weights_, masks_;
  bool at_target_ = false;
};

}  // namespace bertlab::train
