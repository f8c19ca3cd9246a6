#include "model/bert_model.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
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

namespace {

std::string layer_name(std::size_t layer, const char* rest) { return fmt::format("encoder.layer.{}.{}", layer, rest); }

QuantizedLinear int8_layer(const std::map<std::string, Int8Weight>& stored, const std::string& name,
                           torch::nn::Linear& linear) {
  auto it = stored.find(name);
  auto layer = it == stored.end() ? QuantizedLinear::quantize(linear->weight, linear->bias)
                                  : QuantizedLinear::from_int8(it->second.weight, it->second.scale, linear->bias);
  torch::NoGradGuard no_grad;
  linear->weight.copy_(layer.dequantized_weight());
  return layer;
}

}  // namespace

void BertModelImpl::quantize_int8(const std::map<std::string, Int8Weight>& stored) {
  for (std::size_t l = 0; l < encoder->size(); ++l) {
    auto& layer = (*encoder)[l];
    auto& self = layer->attention->self;
    // Q, K and V are quantized per output channel each, then packed as one
    // GEMM: the same int8 rows and scales, one kernel call.
    std::vector<at::Tensor> rows, scales, biases;
    for (auto [name, linear] : {std::pair{"attention.self.query", &self->query},
                                std::pair{"attention.self.key", &self->key},
                                std::pair{"attention.self.value", &self->value}}) {
      auto part = int8_layer(stored, layer_name(l, name), *linear);
      rows.push_back(part.weight_int8());
      scales.push_back(part.scales());
      biases.push_back((*linear)->bias.detach());
    }
    self->qkv_int8 = QuantizedLinear::from_int8(at::cat(rows), at::cat(scales), at::cat(biases));
    auto& attention_output = layer->attention->output;
    attention_output->dense_int8 = int8_layer(stored, layer_name(l, "attention.output.dense"), attention_output->dense);
    layer->intermediate->dense_int8 =
        int8_layer(stored, layer_name(l, "intermediate.dense"), layer->intermediate->dense);
    layer->output->dense_int8 = int8_layer(stored, layer_name(l, "output.dense"), layer->output->dense);
  }
}

std::map<std::string, Int8Weight> BertModelImpl::int8_weights() const {
  std::map<std::string, Int8Weight> weights;
  for (std::size_t l = 0; l < encoder->size(); ++l) {
    const auto& layer = (*encoder)[l];
    const auto& qkv = layer->attention->self->qkv_int8;
    if (!qkv) continue;
    const auto rows = qkv->weight_int8().size(0) / 3;
    const char* names[] = {"attention.self.query", "attention.self.key", "attention.self.value"};
    for (std::int64_t part = 0; part < 3; ++part)
      weights[layer_name(l, names[part])] = {qkv->weight_int8().narrow(0, part * rows, rows),
                                             qkv->scales().narrow(0, part * rows, rows)};
    const auto add = [&](const char* name, const std::optional<QuantizedLinear>& linear) {
      if (linear) weights[layer_name(l, name)] = {linear->weight_int8(), linear->scales()};
    };
    add("attention.output.dense", layer->attention->output->dense_int8);
    add("intermediate.dense", layer->intermediate->dense_int8);
    add("output.dense", layer->output->dense_int8);
  }
  return weights;
}

bool BertModelImpl::quantized() const {
  return encoder->size() > 0 && (*encoder)[0]->attention->self->qkv_int8.has_value();
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
