// Pretraining one trial: BERT + BertPreTrainingHeads trained on masked
// language modelling (+ next sentence prediction) with the fine-tuning
// trainer's optimizer settings — AdamW without decay on biases and LayerNorm,
// linear warm-up then decay, clipping, accumulation, bf16 autocast — masks
// drawn anew each epoch, evaluated on fixed masks of held-out instances.
//
// The trial's value is its best evaluation of the study metric (mlm_loss by
// default), and the checkpoint saved, in BertForPreTraining's layout, is the
// one that scored it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "experiment/experiment.hpp"
#include "model/bert_model.hpp"
#include "pretrain/instances.hpp"
#include "pretrain/masking.hpp"
#include "pretrain/pretraining_heads.hpp"
#include "train/trainer.hpp"

namespace bertlab::pretrain {

struct PretrainData {
  std::vector<Instance> train;
  std::vector<Instance> eval;
  MaskingOptions masking;  // vocab_size and mask_id filled in
  std::int64_t pad_id = 0;
  bool next_sentence = true;  // NSP labels and loss
};

// The model a trial starts from: a loaded checkpoint (continued pretraining)
// or a fresh one (from scratch), with the heads loaded or initialized.
struct PretrainModel {
  model::BertModel bert{nullptr};
  BertPreTrainingHeads heads{nullptr};
  std::filesystem::path tokenizer_dir;  // vocab.txt and tokenizer_config.json to save beside the weights
};

// Metrics of one evaluation: mlm_loss, mlm_accuracy, perplexity, and with
// NSP nsp_loss and nsp_accuracy.
Metrics evaluate_pretraining(PretrainModel& model, const PretrainData& data, std::int64_t batch_size, bool bf16,
                             std::uint64_t seed);

train::TrainResult pretrain_trial(const experiment::Experiment& experiment, const std::string& metric,
                                  Direction direction, PretrainModel& model, const PretrainData& data,
                                  const std::filesystem::path& output_dir, const train::TrainHooks& hooks);

}  // namespace bertlab::pretrain
