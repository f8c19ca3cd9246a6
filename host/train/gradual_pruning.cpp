#include "train/gradual_pruning.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include <ATen/ATen.h>

#include "compress/magnitude_pruning.hpp"

namespace bertlab::train {

namespace {

// The ramp's first and last optimizer steps: at least one step long, and
// ending by the last step however few steps there are.
std::pair<std::int64_t, std::int64_t> ramp(const experiment::TrainSection& train, std::int64_t total) {
  const auto at = [&](double fraction) { return static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(total))); };
  const auto end = std::clamp(std::max(at(train.sparsity_begin) + 1, at(train.sparsity_end)), std::int64_t{1}, total);
  return {std::min(at(train.sparsity_begin), end - 1), end};
}

}  // namespace

double scheduled_sparsity(const experiment::TrainSection& train, std::int64_t step, std::int64_t total_steps) {
  const auto [begin, end] = ramp(train, total_steps);
  const double progress = std::clamp(static_cast<double>(step - begin) / static_cast<double>(end - begin), 0.0, 1.0);
  return train.sparsity * (1 - std::pow(1 - progress, 3));
}

GradualPruning::GradualPruning(model::BertModel& bert, const experiment::TrainSection& train, std::int64_t total_steps)
    : bert_(bert),
      train_(train),
      total_(total_steps) {
  std::tie(begin_, end_) = ramp(train, total_steps);
  for (auto& [name, weight] : compress::linear_weights(bert_)) weights_.push_back(weight);
}

void GradualPruning::after_step(std::int64_t step) {
  torch::NoGradGuard no_grad;
  const bool due = step >= begin_ && step <= end_ && ((step - begin_) % train_.sparsity_every == 0 || step == end_);
  if (due) {
    const double target = scheduled_sparsity(train_, step, total_);
    // Already-pruned weights are 0, the smallest there are: masks only grow.
    if (target > 0) compress::prune_magnitude(bert_, target, train_.sparsity_scope);
    masks_.clear();
    for (const auto& weight : weights_) masks_.push_back(weight.ne(0));
    at_target_ = step == end_;
  }
  for (std::size_t i = 0; i < masks_.size(); ++i) weights_[i].mul_(masks_[i]);
}

double GradualPruning::sparsity() const {
  std::int64_t zeros = 0, total = 0;
  for (const auto& weight : weights_) {
    zeros += weight.eq(0).sum().item<std::int64_t>();
    total += weight.numel();
  }
  return total ? static_cast<double>(zeros) / static_cast<double>(total) : 0.0;
}

}  // namespace bertlab::train
