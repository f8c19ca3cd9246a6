#include "model/bert_model.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include "model/hf_init.hpp"

namespace bertlab::model {

BertModelImpl::BertModelImpl(const BertConfig& config)
    : embeddings(register_module("embeddings", BertEmbeddings(config))),
      encoder(register_module("encoder", BertEncoder(config))),
      pooler(register_module("pooler", BertPooler(config))),
      config_(config) {}

BertOutput BertModelImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids,
                                  const torch::Tensor& attention_mask, const BertForwardOptions& options) {
  auto type_ids = token_type_ids.defined() ? token_type_ids : at::zeros_like(input_ids);
  auto embedded = embeddings(input_ids, type_ids);
  auto mask = AttentionMask::from_padding(attention_mask, embedded.scalar_type());
  auto encoded = encoder(embedded, mask, options.output_hidden_states, options.output_attentions);
  BertOutput out;
  out.pooler_output = pooler(encoded.last_hidden_state);
  out.last_hidden_state = std::move(encoded.last_hidden_state);
  out.hidden_states = std::move(encoded.hidden_states);
  out.attentions = std::move(encoded.attentions);
  return out;
}

void BertModelImpl::init_weights(std::uint64_t seed) {
  init_weights_like_hf(*this, config_.initializer_range, seed);
  torch::NoGradGuard no_grad;
  if (config_.pad_token_id >= 0 && config_.pad_token_id < config_.vocab_size)
    embeddings->word_embeddings->weight[config_.pad_token_id].zero_();
}

EncoderInfo encoder_info(const BertConfig& config) {
  EncoderInfo info;
  info.hidden_size = config.hidden_size;
  info.num_layers = config.num_hidden_layers;
  info.num_attention_heads = config.num_attention_heads;
  info.vocab_size = config.vocab_size;
  info.hidden_dropout_prob = config.hidden_dropout_prob;
  info.initializer_range = config.initializer_range;
  info.layer_norm_eps = config.layer_norm_eps;
  info.hidden_act = config.hidden_act;
  return info;
}

}  // namespace bertlab::model
