#include "train/training_loop.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <torch/nn/utils/clip_grad.h>

#include "train/device.hpp"

namespace bertlab::train {

Schedule::Schedule(const experiment::TrainSection& t, std::size_t training_examples)
    : learning_rate(t.learning_rate) {
  const auto batch_size = static_cast<std::size_t>(t.batch_size);
  const auto batches_per_epoch = static_cast<std::int64_t>((training_examples + batch_size - 1) / batch_size);
  steps_per_epoch = std::max<std::int64_t>(1, batches_per_epoch / t.gradient_accumulation);
  total_steps = t.max_steps > 0 ? t.max_steps
                                : std::max<std::int64_t>(1, std::llround(t.epochs * static_cast<double>(steps_per_epoch)));
  warmup_steps = static_cast<std::int64_t>(std::ceil(t.warmup_ratio * static_cast<double>(total_steps)));
  eval_every = t.eval_every > 0 ? t.eval_every : steps_per_epoch;
}

double Schedule::learning_rate_at(std::int64_t step) const {
  if (step < warmup_steps) return learning_rate * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  return learning_rate * std::max(0.0, static_cast<double>(total_steps - step) /
                                           static_cast<double>(std::max<std::int64_t>(1, total_steps - warmup_steps)));
}

namespace {

std::vector<FusedAdamW::Group> optimizer_groups(const std::vector<ParamGroup>& groups, double learning_rate) {
  std::vector<FusedAdamW::Group> out;
  for (const auto& group : groups) out.push_back({group.params, learning_rate * group.lr_scale, group.weight_decay});
  return out;
}

}  // namespace

Compute resolve_compute(const experiment::TrainSection& train) {
  Compute compute;
  compute.device = resolve_device(train.device);
  compute.precision = resolve_precision(train.precision, compute.device.type());
  return compute;
}

Optimization::Optimization(const std::vector<ParamGroup>& groups, const experiment::TrainSection& train,
                           std::size_t training_examples, const Compute& compute)
    : schedule_(train, training_examples),
      optimizer_(optimizer_groups(groups, train.learning_rate)),
      accumulation_(train.gradient_accumulation),
      max_grad_norm_(train.max_grad_norm),
      compute_(compute) {
  if (compute.precision == Precision::fp16) loss_scaler_.emplace(compute.device);
  for (const auto& group : groups) {
    lr_scales_.push_back(group.lr_scale);
    parameters_.insert(parameters_.end(), group.params.begin(), group.params.end());
  }
}

void Optimization::record_compute(TrainResult& result) const {
  result.device = compute_.device.str();
  result.precision = to_string(compute_.precision);
  if (loss_scaler_) result.skipped_steps = loss_scaler_->skipped_steps();
}

bool Optimization::backward(const torch::Tensor& loss, double& loss_value) {
  loss_value = loss.item<double>();
  if (!std::isfinite(loss_value)) throw DivergedError(fmt::format("loss is {} at step {}", loss_value, step_));
  const auto micro_loss = loss / static_cast<double>(accumulation_);
  (loss_scaler_ ? loss_scaler_->scale(micro_loss) : micro_loss).backward();
  if (++micro_steps_ % accumulation_ != 0) return false;

  const double rate = schedule_.learning_rate_at(step_);
  for (std::size_t g = 0; g < optimizer_.group_count(); ++g) optimizer_.set_learning_rate(g, rate * lr_scales_[g]);
  if (!loss_scaler_ || loss_scaler_->unscale_and_update(parameters_)) {
    if (max_grad_norm_ > 0) torch::nn::utils::clip_grad_norm_(parameters_, max_grad_norm_);
    optimizer_.step();
  }
  optimizer_.zero_grad();
  ++step_;
  return true;
}

TrainingMeter::TrainingMeter() : start_(Clock::now()) {}

void TrainingMeter::add(double loss, std::int64_t tokens) {
  loss_sum_ += loss;
  ++loss_count_;
  tokens_ += tokens;
}

double TrainingMeter::tokens_per_second() const {
  const double seconds = std::chrono::duration<double>(Clock::now() - start_ - evaluating_).count();
  return seconds > 0 ? static_cast<double>(tokens_) / seconds : 0;
}

Evaluation TrainingMeter::begin_evaluation(std::int64_t step, std::int64_t steps_per_epoch) {
  evaluation_start_ = Clock::now();
  Evaluation evaluation;
  evaluation.step = step;
  evaluation.epoch = static_cast<double>(step) / static_cast<double>(steps_per_epoch);
  evaluation.train_loss = loss_sum_ / static_cast<double>(std::max<std::int64_t>(1, loss_count_));
  loss_sum_ = 0;
  loss_count_ = 0;
  return evaluation;
}

void TrainingMeter::finish_evaluation(Evaluation& evaluation) {
  const auto now = Clock::now();
  evaluating_ += now - evaluation_start_;
  evaluation.elapsed_seconds = std::chrono::duration<double>(now - start_).count();
}

bool record_evaluation(TrainResult& result, const Evaluation& evaluation, const std::string& metric,
                       Direction direction) {
  const auto it = evaluation.metrics.find(metric);
  if (it == evaluation.metrics.end()) {
    std::string names;
    for (const auto& [name, value] : evaluation.metrics) names += (names.empty() ? "" : ", ") + name;
    throw std::runtime_error(fmt::format("the evaluation reports no metric '{}' (it has: {})", metric, names));
  }
  result.last_value = it->second;
  const bool better = !result.best_value || (direction == Direction::maximize ? it->second > *result.best_value
                                                                              : it->second < *result.best_value);
  if (better) {
    result.best_value = it->second;
    result.best_metrics = evaluation.metrics;
    result.best_step = evaluation.step;
  }
  return better;
}

}  // namespace bertlab::train
