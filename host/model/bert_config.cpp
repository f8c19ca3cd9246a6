#include "model/bert_config.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "model/activation.hpp"
#include "util/parse_index.hpp"

namespace bertlab::model {

namespace {

template <class T>
void read(const nlohmann::json& json, const std::string& source, const char* key, T& target) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return;  // HF's default applies
  try {
    target = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(fmt::format("{}: key '{}' has the wrong type ({})", source, key, it->type_name()));
  }
}

void require_positive(const std::string& source, const char* key, std::int64_t value) {
  if (value <= 0) throw std::runtime_error(fmt::format("{}: key '{}' must be positive, got {}", source, key, value));
}

void require_probability(const std::string& source, const char* key, double value) {
  if (!(value >= 0.0 && value < 1.0))
    throw std::runtime_error(fmt::format("{}: key '{}' must be in [0, 1), got {}", source, key, value));
}

// "pruned_heads": {"3": [0, 5]} (JSON object keys are strings).
void read_pruned_heads(const nlohmann::json& json, const std::string& source, BertConfig& c) {
  auto it = json.find("pruned_heads");
  if (it == json.end() || it->is_null()) return;
  const auto fail = [&](const std::string& what) {
    throw std::runtime_error(fmt::format("{}: key 'pruned_heads' {}", source, what));
  };
  if (!it->is_object()) fail("must be an object {\"layer\": [head, ...]}");
  for (const auto& [key, heads] : it->items()) {
    const std::int64_t layer = util::parse_index(key).value_or(-1);
    if (layer < 0 || layer >= c.num_hidden_layers)
      fail(fmt::format("names layer '{}', expected 0 to {}", key, c.num_hidden_layers - 1));
    if (!heads.is_array()) fail(fmt::format("[\"{}\"] must be a list of head indices", key));
    std::vector<std::int64_t> list;
    for (const auto& head : heads) {
      if (!head.is_number_integer() || head.get<std::int64_t>() < 0 ||
          head.get<std::int64_t>() >= c.num_attention_heads)
        fail(fmt::format("[\"{}\"] holds {}, expected head indices 0 to {}", key, head.dump(),
                         c.num_attention_heads - 1));
      if (std::find(list.begin(), list.end(), head.get<std::int64_t>()) == list.end())
        list.push_back(head.get<std::int64_t>());
    }
    std::sort(list.begin(), list.end());
    if (static_cast<std::int64_t>(list.size()) >= c.num_attention_heads)
      fail(fmt::format("[\"{}\"] prunes every head of the layer; bertlab keeps at least one", key));
    if (!list.empty()) c.pruned_heads[layer] = std::move(list);
  }
}

}  // namespace

BertConfig BertConfig::from_json(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw std::runtime_error(source + ": expected a JSON object");
  std::string model_type;
  read(json, source, "model_type", model_type);
  if (model_type != "bert") {
    throw std::runtime_error(fmt::format("{}: model_type is '{}', bertlab loads BERT models (model_type 'bert')",
                                         source, model_type.empty() ? "(missing)" : model_type));
  }
  BertConfig c;
  read(json, source, "vocab_size", c.vocab_size);
  read(json, source, "hidden_size", c.hidden_size);
  read(json, source, "num_hidden_layers", c.num_hidden_layers);
  read(json, source, "num_attention_heads", c.num_attention_heads);
  read(json, source, "intermediate_size", c.intermediate_size);
  read(json, source, "hidden_act", c.hidden_act);
  read(json, source, "hidden_dropout_prob", c.hidden_dropout_prob);
  read(json, source, "attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  read(json, source, "max_position_embeddings", c.max_position_embeddings);
  read(json, source, "type_vocab_size", c.type_vocab_size);
  read(json, source, "initializer_range", c.initializer_range);
  read(json, source, "layer_norm_eps", c.layer_norm_eps);
  read(json, source, "pad_token_id", c.pad_token_id);
  read(json, source, "position_embedding_type", c.position_embedding_type);

  require_positive(source, "vocab_size", c.vocab_size);
  require_positive(source, "hidden_size", c.hidden_size);
  require_positive(source, "num_hidden_layers", c.num_hidden_layers);
  require_positive(source, "num_attention_heads", c.num_attention_heads);
  require_positive(source, "intermediate_size", c.intermediate_size);
  require_positive(source, "max_position_embeddings", c.max_position_embeddings);
  require_positive(source, "type_vocab_size", c.type_vocab_size);
  require_probability(source, "hidden_dropout_prob", c.hidden_dropout_prob);
  require_probability(source, "attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  if (c.hidden_size % c.num_attention_heads != 0) {
    throw std::runtime_error(fmt::format("{}: hidden_size {} is not a multiple of num_attention_heads {}", source,
                                         c.hidden_size, c.num_attention_heads));
  }
  if (!(c.layer_norm_eps > 0)) throw std::runtime_error(source + ": key 'layer_norm_eps' must be positive");
  if (c.position_embedding_type != "absolute") {
    throw std::runtime_error(fmt::format("{}: position_embedding_type '{}' is not supported (only 'absolute')",
                                         source, c.position_embedding_type));
  }
  parse_activation(c.hidden_act, source);  // refuses what we cannot compute
  read_pruned_heads(json, source, c);
  return c;
}

std::vector<std::int64_t> BertConfig::heads_of_layer(std::int64_t layer) const {
  std::vector<std::int64_t> heads;
  auto pruned = pruned_heads.find(layer);
  for (std::int64_t h = 0; h < num_attention_heads; ++h) {
    if (pruned == pruned_heads.end() ||
        std::find(pruned->second.begin(), pruned->second.end(), h) == pruned->second.end())
      heads.push_back(h);
  }
  return heads;
}

BertConfig BertConfig::load(const std::filesystem::path& config_file) {
  std::ifstream in(config_file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open the model config", config_file.string()));
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", config_file.string(), e.what()));
  }
  return from_json(json, config_file.string());
}

nlohmann::json BertConfig::to_json() const {
  nlohmann::json json = {{"model_type", "bert"},
          {"architectures", {"BertModel"}},
          {"vocab_size", vocab_size},
          {"hidden_size", hidden_size},
          {"num_hidden_layers", num_hidden_layers},
          {"num_attention_heads", num_attention_heads},
          {"intermediate_size", intermediate_size},
          {"hidden_act", hidden_act},
          {"hidden_dropout_prob", hidden_dropout_prob},
          {"attention_probs_dropout_prob", attention_probs_dropout_prob},
          {"max_position_embeddings", max_position_embeddings},
          {"type_vocab_size", type_vocab_size},
          {"initializer_range", initializer_range},
          {"layer_norm_eps", layer_norm_eps},
          {"pad_token_id", pad_token_id},
          {"position_embedding_type", position_embedding_type}};
  if (!pruned_heads.empty()) {
    auto& pruned = json["pruned_heads"] = nlohmann::json::object();
    for (const auto& [layer, heads] : pruned_heads) pruned[std::to_string(layer)] = heads;
  }
  return json;
}

}  // namespace bertlab::model
