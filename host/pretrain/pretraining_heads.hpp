// The two pretraining objectives on top of BERT, laid out as Hugging Face's
// BertForPreTraining lays them out, so that checkpoints move both ways:
//
//   cls.predictions.transform.dense       hidden -> hidden, then hidden_act
//   cls.predictions.transform.LayerNorm
//   cls.predictions.decoder               hidden -> vocab, weight TIED to the
//   cls.predictions.bias                  word embeddings, with its own bias
//   cls.seq_relationship                  pooled output -> {is next, random}
//
// The decoder weight is not a parameter of this module: it is the encoder's
// word embedding matrix, passed in at construction, so gradients from the
// MLM loss reach the embeddings as in BERT.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "model/activation.hpp"
#include "model/bert_config.hpp"

namespace bertlab::pretrain {

class BertPredictionHeadTransformImpl : public torch::nn::Module {
 public:
  explicit BertPredictionHeadTransformImpl(const model::BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden_states);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};  // HF's name, kept for checkpoints

 private:
  model::Activation activation_;
};
TORCH_MODULE(BertPredictionHeadTransform);

class BertLMPredictionHeadImpl : public torch::nn::Module {
 public:
  BertLMPredictionHeadImpl(const model::BertConfig& config, torch::Tensor word_embeddings);
  // hidden_states [..., hidden] -> vocabulary logits [..., vocab]
  torch::Tensor forward(const torch::Tensor& hidden_states);

  BertPredictionHeadTransform transform{nullptr};
  torch::Tensor bias;  // [vocab]

 private:
  torch::Tensor decoder_weight_;  // the word embeddings (tied)
};
TORCH_MODULE(BertLMPredictionHead);

struct PretrainingLoss {
  torch::Tensor loss;      // mlm_loss + nsp_loss (scalar)
  torch::Tensor mlm_loss;  // mean cross-entropy over the masked positions
  torch::Tensor nsp_loss;  // undefined when NSP is off
  std::int64_t mlm_predictions = 0;
  std::int64_t mlm_correct = 0;
  std::int64_t nsp_predictions = 0;
  std::int64_t nsp_correct = 0;
};

// `cls` of BertForPreTraining. Without NSP (MLM only, as in continued
// pretraining) seq_relationship is still built, so that a checkpoint keeps
// the tensors BertForPreTraining expects, but it gets no gradient.
class BertPreTrainingHeadsImpl : public torch::nn::Module {
 public:
  BertPreTrainingHeadsImpl(const model::BertConfig& config, torch::Tensor word_embeddings);

  // last_hidden_state [batch, seq, hidden], pooled_output [batch, hidden];
  // mlm_labels [batch, seq] with the original token id at masked positions
  // and -100 elsewhere; nsp_labels [batch] (0: B follows A, 1: B is random)
  // or undefined for MLM only. Vocabulary logits are computed for the masked
  // positions alone — the same loss as scoring every position and ignoring
  // -100, at a fraction of the decoder's cost.
  PretrainingLoss loss(const torch::Tensor& last_hidden_state, const torch::Tensor& pooled_output,
                       const torch::Tensor& mlm_labels, const torch::Tensor& nsp_labels);

  // Hugging Face's initialization: normal(0, initializer_range) weights,
  // zero biases, LayerNorm at identity.
  void init_weights(double initializer_range, std::uint64_t seed);

  // Tensors by their checkpoint names ("cls.predictions.bias", ...); the
  // tied decoder weight is left out, as transformers leaves it out.
  std::map<std::string, torch::Tensor> checkpoint_tensors();
  // Loads every tensor of checkpoint_tensors() present in `tensors` (names
  // without a "bert." prefix). Returns how many were found: 0 means none
  // (initialize instead); a partial set or a wrong shape throws.
  std::size_t load_checkpoint_tensors(const std::map<std::string, torch::Tensor>& tensors);

  BertLMPredictionHead predictions{nullptr};
  torch::nn::Linear seq_relationship{nullptr};
};
TORCH_MODULE(BertPreTrainingHeads);

}  // namespace bertlab::pretrain
