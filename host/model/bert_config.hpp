// A BERT model's shape and hyperparameters, as Hugging Face's config.json
// gives them (BertConfig). Anything that is not a BERT is refused by name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bertlab::model {

struct BertConfig {
  std::int64_t vocab_size = 30522;
  std::int64_t hidden_size = 768;
  std::int64_t num_hidden_layers = 12;
  std::int64_t num_attention_heads = 12;
  std::int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  std::int64_t max_position_embeddings = 512;
  std::int64_t type_vocab_size = 2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  std::int64_t pad_token_id = 0;
  std::string position_embedding_type = "absolute";
  // Attention heads removed from a layer (layer -> original head indices), as
  // Hugging Face's config.json records head pruning; the rest keep their size.
  std::map<std::int64_t, std::vector<std::int64_t>> pruned_heads;

  std::int64_t head_size() const { return hidden_size / num_attention_heads; }
  // The heads layer `layer` still has, in their original order.
  std::vector<std::int64_t> heads_of_layer(std::int64_t layer) const;

  // Reads and validates config.json. Throws std::runtime_error naming the
  // file and the key: a model_type other than "bert", a missing or
  // non-positive size, hidden_size not divisible by the number of heads, an
  // activation or position embedding type bertlab does not implement.
  static BertConfig from_json(const nlohmann::json& json, const std::string& source);
  static BertConfig load(const std::filesystem::path& config_file);

  // The config.json of this model (model_type "bert"), for saving.
  nlohmann::json to_json() const;
};

}  // namespace bertlab::model
