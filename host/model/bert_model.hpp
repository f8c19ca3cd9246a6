// BERT, top to bottom: embeddings -> encoder stack -> pooler. Parameter names
// are Hugging Face BertModel's ("embeddings.word_embeddings.weight",
// "encoder.layer.3.attention.self.query.weight", "pooler.dense.bias"), so
// checkpoints load and save without a name map.
#pragma once

#include <map>
#include <string>
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

  // Dynamic int8 quantization of the encoder's linear layers (Q/K/V,
  // attention output, intermediate, output; the embeddings and the pooler stay
  // float). `stored` gives int8 weights by layer name
  // ("encoder.layer.0.attention.self.query"), as a checkpoint holds them;
  // layers not in it are quantized from their float weights. The float
  // parameters then hold the dequantized weights, so that whatever reads them
  // sees what the int8 layers compute with. Inference (eval mode) runs the
  // int8 kernels; training runs the float weights.
  void quantize_int8(const std::map<std::string, Int8Weight>& stored = {});
  // The int8 weights by layer name; empty unless quantized.
  std::map<std::string, Int8Weight> int8_weights() const;
  bool quantized() const;

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
