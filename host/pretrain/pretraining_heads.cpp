#include "pretrain/pretraining_heads.hpp"

#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "model/fused_linear.hpp"
#include "model/hf_init.hpp"

namespace bertlab::pretrain {

BertPredictionHeadTransformImpl::BertPredictionHeadTransformImpl(const model::BertConfig& config)
    : dense(register_module("dense", torch::nn::Linear(config.hidden_size, config.hidden_size))),
      LayerNorm(register_module(
          "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)))),
      activation_(model::parse_activation(config.hidden_act, "config.json hidden_act")) {}

torch::Tensor BertPredictionHeadTransformImpl::forward(const torch::Tensor& hidden_states) {
  return LayerNorm(model::linear_activation(hidden_states, dense->weight, dense->bias, activation_));
}

BertLMPredictionHeadImpl::BertLMPredictionHeadImpl(const model::BertConfig& config, torch::Tensor word_embeddings)
    : transform(register_module("transform", BertPredictionHeadTransform(config))),
      bias(register_parameter("bias", torch::zeros({config.vocab_size}))),
      decoder_weight_(std::move(word_embeddings)) {
  if (decoder_weight_.dim() != 2 || decoder_weight_.size(0) != config.vocab_size ||
      decoder_weight_.size(1) != config.hidden_size)
    throw std::invalid_argument("the MLM decoder needs the [vocab_size, hidden_size] word embeddings to tie to");
}

torch::Tensor BertLMPredictionHeadImpl::forward(const torch::Tensor& hidden_states) {
  return model::linear(transform(hidden_states), decoder_weight_, bias);
}

BertPreTrainingHeadsImpl::BertPreTrainingHeadsImpl(const model::BertConfig& config, torch::Tensor word_embeddings)
    : predictions(register_module("predictions", BertLMPredictionHead(config, std::move(word_embeddings)))),
      seq_relationship(register_module("seq_relationship", torch::nn::Linear(config.hidden_size, 2))) {}

PretrainingLoss BertPreTrainingHeadsImpl::loss(const torch::Tensor& last_hidden_state,
                                               const torch::Tensor& pooled_output, const torch::Tensor& mlm_labels,
                                               const torch::Tensor& nsp_labels) {
  PretrainingLoss out;
  auto flat_labels = mlm_labels.reshape({-1});
  auto positions = flat_labels.ne(-100).nonzero().squeeze(1);
  auto targets = flat_labels.index_select(0, positions);
  auto hidden = last_hidden_state.reshape({-1, last_hidden_state.size(-1)}).index_select(0, positions);
  // Cross-entropy in fp32 even under bf16 autocast: a vocabulary-wide
  // log-softmax in bf16 loses the small probabilities the loss is about.
  auto logits = predictions(hidden).to(at::kFloat);
  out.mlm_predictions = targets.size(0);
  if (out.mlm_predictions > 0) {
    out.mlm_loss = at::cross_entropy_loss(logits, targets);
    out.mlm_correct = logits.detach().argmax(-1).eq(targets).sum().item<std::int64_t>();
  } else {
    // A batch without masked tokens (only possible for tiny inputs): zero
    // loss that still touches the graph, so backward() works.
    out.mlm_loss = logits.sum() * 0.0;
  }
  out.loss = out.mlm_loss;
  if (nsp_labels.defined()) {
    auto nsp_logits = seq_relationship(pooled_output).to(at::kFloat);
    out.nsp_loss = at::cross_entropy_loss(nsp_logits, nsp_labels);
    out.nsp_predictions = nsp_labels.size(0);
    out.nsp_correct = nsp_logits.detach().argmax(-1).eq(nsp_labels).sum().item<std::int64_t>();
    out.loss = out.loss + out.nsp_loss;
  }
  return out;
}

void BertPreTrainingHeadsImpl::init_weights(double initializer_range, std::uint64_t seed) {
  model::init_weights_like_hf(*this, initializer_range, seed);
}

std::map<std::string, torch::Tensor> BertPreTrainingHeadsImpl::checkpoint_tensors() {
  std::map<std::string, torch::Tensor> out;
  for (auto& item : named_parameters()) out.emplace("cls." + item.key(), item.value());
  return out;
}

std::size_t BertPreTrainingHeadsImpl::load_checkpoint_tensors(const std::map<std::string, torch::Tensor>& tensors) {
  auto targets = checkpoint_tensors();
  std::size_t found = 0;
  for (const auto& [name, target] : targets) found += tensors.count(name);
  if (found == 0) return 0;
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : targets) {
    auto it = tensors.find(name);
    if (it == tensors.end())
      throw std::runtime_error(fmt::format("the checkpoint has pretraining heads but lacks '{}'", name));
    if (it->second.sizes() != target.sizes())
      throw std::runtime_error(fmt::format("checkpoint tensor '{}' has shape {}, expected {}", name,
                                           c10::str(it->second.sizes()), c10::str(target.sizes())));
    target.copy_(it->second);
  }
  return found;
}

}  // namespace bertlab::pretrain
