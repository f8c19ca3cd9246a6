// BERT, top to bottom: embeddings -> encoder stack -> pooler. Parameter names
// are Hugging Face BertModel's ("embeddings.word_embeddings.weight",
// "encoder.layer.3.attention.self.query.weight", "pooler.dense.bias"), so
// checkpoints load and save without a name map.
#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "bertlab/head.hpp"
#include "model/bert_config.hpp"
#include "model/embeddings.hpp"
#include "model/encoder.hpp"
#include "model/pooler.hpp"

namespace bertlab::model {

struct BertForwardOptions {
  bool output_hidden_states = false;  // embeddings output + every layer's
  bool output_attentions = false;     // every layer's probabilities (explicit attention path)
};

struct BertOutput {
  torch::Tensor last_hidden_state;           // [batch, seq, hidden]
  torch::Tensor pooler_output;               // [batch, hidden]
  std::vector<torch::Tensor> hidden_states;  // num_layers + 1 of [batch, seq, hidden], when asked
  std::vector<torch::Tensor> attentions;     // num_layers of [batch, heads, seq, seq], when asked
};

class BertModelImpl : public torch::nn::Module {
 public:
  explicit BertModelImpl(const BertConfig& config);

  // input_ids [batch, seq] int64; token_type_ids and attention_mask (1 real,
  // 0 padding) the same shape, or undefined for all-zero / all-one.
  BertOutput forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids = {},
                     const torch::Tensor& attention_mask = {}, const BertForwardOptions& options = {});

  // Hugging Face's initialization for training from scratch: normal(0,
  // initializer_range) weights, zero biases, LayerNorm at identity, the
  // padding embedding zero.
  void init_weights(std::uint64_t seed);

  const BertConfig& config() const { return config_; }

  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};

 private:
  BertConfig config_;
};
TORCH_MODULE(BertModel);

// What a task head is told about the encoder it sits on (the SDK's view of
// the config); word_embeddings is left for callers that hold the model.
EncoderInfo encoder_info(const BertConfig& config);

}  // namespace bertlab::model
