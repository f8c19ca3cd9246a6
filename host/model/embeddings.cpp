#include "model/embeddings.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

namespace bertlab::model {

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& config)
    : word_embeddings(register_module(
          "word_embeddings",
          torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.hidden_size)
                                   .padding_idx(config.pad_token_id < config.vocab_size ? config.pad_token_id : -1)))),
      position_embeddings(register_module(
          "position_embeddings", torch::nn::Embedding(config.max_position_embeddings, config.hidden_size))),
      token_type_embeddings(
          register_module("token_type_embeddings", torch::nn::Embedding(config.type_vocab_size, config.hidden_size))),
      LayerNorm(register_module(
          "LayerNorm",
          torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)))),
      dropout(register_module("dropout", torch::nn::Dropout(config.hidden_dropout_prob))) {}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids) {
  const auto seq_len = input_ids.size(1);
  if (seq_len > position_embeddings->weight.size(0)) {
    throw std::invalid_argument(fmt::format("sequence of {} tokens is longer than max_position_embeddings {}",
                                            seq_len, position_embeddings->weight.size(0)));
  }
  // Positions 0..seq-1 broadcast over the batch: a [seq, hidden] slice, no gather.
  auto positions = position_embeddings->weight.narrow(0, 0, seq_len);
  auto embeddings = word_embeddings(input_ids) + token_type_embeddings(token_type_ids) + positions;
  return dropout(LayerNorm(embeddings));
}

}  // namespace bertlab::model
