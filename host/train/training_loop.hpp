// What every training loop of bertlab shares, fine-tuning (trainer.hpp) and
// pretraining (pretrain/pretrainer.hpp): the optimizer and its schedule, and
// the bookkeeping a loop reports. Only the batches, the forward pass, the
// evaluation and what is saved differ between them.
//
// The optimizer is AdamW with decoupled weight decay over the param groups
// of param_groups.hpp (each with its own base rate: layer-wise decay), in
// ATen's fused kernel (fused_adamw.hpp), a linear warm-up then linear decay,
// gradient accumulation and clipping.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/types.h>

#include "bertlab/head.hpp"
#include "bertlab/study.hpp"
#include "experiment/experiment.hpp"
#include "train/fused_adamw.hpp"
#include "train/inference.hpp"
#include "train/loss_scaler.hpp"
#include "train/param_groups.hpp"

namespace bertlab::train {

// A loss that is NaN or infinite: the trial fails with this reason.
class DivergedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The user interrupted (SIGINT/SIGTERM).
class InterruptedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Evaluation {
  std::int64_t step = 0;
  double epoch = 0;
  double train_loss = 0;  // mean over the steps since the last evaluation
  double elapsed_seconds = 0;  // since the trial started, evaluations included
  Metrics metrics;
};

struct TrainResult {
  std::optional<double> best_value;
  std::optional<double> last_value;  // the metric at the last evaluation (a pruned trial's value)
  Metrics best_metrics;
  std::int64_t best_step = 0;
  std::int64_t steps = 0;
  double tokens_per_second = 0;
  bool pruned = false;
  bool stopped_early = false;
  std::optional<double> sparsity;  // train.sparsity: the pruned weights' zero share at the end
  std::string device = "cpu";      // where it trained ("cuda:0")
  std::string precision = "fp32";  // what it computed in (train.precision resolved there)
  std::int64_t skipped_steps = 0;  // fp16: steps skipped for inf/NaN gradients
};

// Steps of a trial: train.max_steps, or train.epochs over the batches of
// `training_examples`; warm-up and evaluation steps from train.*.
struct Schedule {
  std::int64_t steps_per_epoch = 1;
  std::int64_t total_steps = 1;
  std::int64_t warmup_steps = 0;
  std::int64_t eval_every = 1;
  double learning_rate = 0;  // the peak

  Schedule(const experiment::TrainSection& train, std::size_t training_examples);
  // At optimizer step `step` (from 0).
  double learning_rate_at(std::int64_t step) const;
};

// The device and precision train.device and train.precision name on this machine.
Compute resolve_compute(const experiment::TrainSection& train);

class Optimization {
 public:
  // In fp16 the loss is scaled before backward and the gradients unscaled
  // before clipping; a step with inf/NaN gradients is skipped (the schedule
  // still advances, as with torch.amp.GradScaler and the HF Trainer).
  Optimization(const std::vector<ParamGroup>& groups, const experiment::TrainSection& train,
               std::size_t training_examples, const Compute& compute);

  // Back-propagates one micro-batch's loss (scaled for accumulation) and,
  // once train.gradient_accumulation of them have added up, sets the
  // scheduled rates, clips and steps: true then. Returns the loss's value in
  // `loss_value`; a NaN or infinite loss throws DivergedError.
  bool backward(const torch::Tensor& loss, double& loss_value);
  // Where and in what precision the loop computed, and the steps fp16 skipped.
  void record_compute(TrainResult& result) const;

  const Schedule& schedule() const { return schedule_; }
  std::int64_t step() const { return step_; }  // optimizer steps taken
  bool finished() const { return step_ >= schedule_.total_steps; }
  bool evaluation_due() const { return step_ % schedule_.eval_every == 0 || finished(); }

 private:
  Schedule schedule_;
  FusedAdamW optimizer_;
  std::vector<double> lr_scales_;  // of each optimizer group, in order
  std::vector<torch::Tensor> parameters_;
  std::int64_t accumulation_;
  double max_grad_norm_;
  std::int64_t micro_steps_ = 0;
  std::int64_t step_ = 0;
  Compute compute_;
  std::optional<LossScaler> loss_scaler_;
};

// The numbers a loop reports between evaluations. Tokens/s counts training
// only: evaluation and checkpoint saving are timed apart and left out.
class TrainingMeter {
 public:
  TrainingMeter();
  void add(double loss, std::int64_t tokens);  // one micro-batch
  double tokens_per_second() const;
  // An evaluation at `step`: its epoch and the mean training loss since the
  // last one. Time until finish_evaluation() is not training time.
  Evaluation begin_evaluation(std::int64_t step, std::int64_t steps_per_epoch);
  void finish_evaluation(Evaluation& evaluation);

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  Clock::time_point evaluation_start_;
  Clock::duration evaluating_{};
  std::int64_t tokens_ = 0;
  double loss_sum_ = 0;
  std::int64_t loss_count_ = 0;
};

// Records an evaluation's `metric` in `result` (last value; best value,
// metrics and step when it improves on the best in `direction`) and returns
// whether it did. A metric the evaluation lacks is an error naming the ones
// it has.
bool record_evaluation(TrainResult& result, const Evaluation& evaluation, const std::string& metric,
                       Direction direction);

}  // namespace bertlab::train
