// Fine-tuning one trial: BERT + a task head trained with AdamW (decoupled
// weight decay, none on biases and LayerNorm), linear warm-up then linear
// decay, gradient accumulation and clipping, optional bf16 autocast with fp32
// master weights, evaluation every N steps or each epoch, early stopping, and
// the best checkpoint kept in Hugging Face format.
//
// The trial's value is its best evaluation of the study metric, and the saved
// model is the one that scored it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bertlab/head.hpp"
#include "experiment/experiment.hpp"
#include "train/hidden_mixing.hpp"
#include "train/training_loop.hpp"

namespace bertlab::train {

// Tokenized data, shared by every trial of a study.
struct PreparedData {
  std::vector<Example> train_examples;
  std::vector<Feature> train_features;
  std::vector<Example> eval_examples;
  std::vector<Feature> eval_features;
  std::vector<std::string> labels;
  std::int64_t pad_id = 0;
};

struct TrainHooks {
  // After each evaluation; return true to stop the trial (pruned), which the
  // last evaluation, after training has ended, does not.
  std::function<bool(const Evaluation&)> on_evaluation;
  // Progress: (optimizer step, total steps, current loss, tokens/s).
  std::function<void(std::int64_t, std::int64_t, double, double)> on_step;
  const std::atomic<bool>* interrupted = nullptr;
  // The trial's hidden-state augmentation (mixup), at most one; training
  // batches only. The trial's mixing generator is seeded from train.seed.
  std::vector<HiddenStateMixer> hidden_state_mixers;
  // Lines for the user (where the model came from, whether the head was
  // carried over); std::cerr with a "bertlab: " prefix when unset.
  std::function<void(const std::string&)> log;
};

// Trains a copy of the experiment's model with `head` (built here: fresh, or
// with the head weights of a bertlab model of the same head and labels, see
// head_transfer.hpp) on `data`, saving the best model under `output_dir`.
// train.freeze_* and train.layer_lr_decay shape the optimizer (param_groups.hpp).
TrainResult train_trial(const experiment::Experiment& experiment, const std::string& metric, Direction direction,
                        Head& head, const PreparedData& data, const std::filesystem::path& output_dir,
                        const TrainHooks& hooks);

}  // namespace bertlab::train
