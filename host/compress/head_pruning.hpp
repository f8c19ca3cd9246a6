// Attention-head pruning after Michel et al. 2019: heads ranked by their
// importance (importance.hpp), normalised per layer; the least important
// ones masked a few at a time, importance recomputed on the masked model
// after each step, until the target count is reached or, with a tolerance,
// until masking more would cost more than the tolerance on the eval metric.
// The masked heads are then removed for real (structured_pruning.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "bertlab/head.hpp"
#include "model/bert_model.hpp"

namespace bertlab::compress {

struct HeadPruningOptions {
  double amount = 0.5;              // fraction of all heads to remove
  std::optional<double> tolerance;  // largest metric loss allowed (metric units)
  std::int64_t heads_per_step = 0;  // 0: a tenth of all heads
};

struct HeadPruningStep {
  std::int64_t heads_left = 0;
  std::optional<double> metric_loss;  // with a tolerance: how much worse than unpruned
};

struct HeadPruningResult {
  model::BertModel model{nullptr};
  std::vector<HeadPruningStep> steps;
  std::int64_t heads_before = 0;
  std::int64_t heads_after = 0;
};

// `loss_of` scores importance (features with labels, usually training rows);
// `metric_loss` evaluates the masked model and returns how much worse than
// the unpruned model it is (positive = worse), needed with a tolerance.
HeadPruningResult prune_heads(model::BertModel& bert, Head& head, const std::vector<Feature>& importance_features,
                              std::int64_t batch_size, std::int64_t pad_id, const HeadPruningOptions& options,
                              const std::function<double()>& metric_loss);

}  // namespace bertlab::compress
