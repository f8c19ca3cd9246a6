// A small random BERT and hand-made data for tests of training mechanics
// (mixup, freezing, learning rates, transfer): fast on two cores, no
// checkpoint or tokenizer needed. Dropout is off so that two forwards of
// the same batch agree exactly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "bertlab/head.hpp"
#include "checkpoint/hf_model.hpp"
#include "model/bert_model.hpp"
#include "train/trainer.hpp"

namespace bertlab::test {

inline model::BertConfig tiny_config(std::int64_t layers = 3) {
  model::BertConfig config;
  config.vocab_size = 100;
  config.hidden_size = 32;
  config.num_hidden_layers = layers;
  config.num_attention_heads = 4;
  config.intermediate_size = 64;
  config.max_position_embeddings = 40;
  config.hidden_dropout_prob = 0.0;
  config.attention_probs_dropout_prob = 0.0;
  return config;
}

inline model::BertModel tiny_bert(std::uint64_t seed = 1234, std::int64_t layers = 3) {
  model::BertModel bert(tiny_config(layers));
  bert->init_weights(seed);
  return bert;
}

// `rows` rows of `seq` random token ids; with `padded`, row i has
// seq - i % 3 real tokens. Labels: class i % classes.
inline Batch tiny_batch(std::int64_t rows, std::int64_t seq, bool padded, std::int64_t classes, std::uint64_t seed = 7) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  Batch batch;
  batch.input_ids = at::randint(1, 100, {rows, seq}, generator, at::kLong);
  batch.token_type_ids = at::zeros({rows, seq}, at::kLong);
  batch.attention_mask = at::ones({rows, seq}, at::kLong);
  if (padded)
    for (std::int64_t i = 0; i < rows; ++i) {
      const auto real = seq - i % 3;
      batch.attention_mask[i].slice(0, real).zero_();
      batch.input_ids[i].slice(0, real).zero_();
    }
  batch.labels["labels"] = at::arange(rows, at::kLong).remainder(classes);
  return batch;
}

// Examples and features of a toy task: the label is whether token 7
// appears. `count` rows of 6-10 tokens.
inline void toy_data(std::vector<Example>& examples, std::vector<Feature>& features, std::int64_t count,
                     const std::vector<std::string>& labels, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> token(8, 99), length(6, 10);
  for (std::int64_t i = 0; i < count; ++i) {
    Feature feature;
    const auto n = length(rng);
    const auto label = static_cast<std::size_t>(i) % labels.size();
    feature.encoding.ids.push_back(1);
    for (std::int64_t j = 0; j < n; ++j) feature.encoding.ids.push_back(j == 2 && label == 1 ? 7 : token(rng));
    feature.encoding.ids.push_back(2);
    feature.encoding.type_ids.assign(feature.encoding.ids.size(), 0);
    feature.encoding.attention_mask.assign(feature.encoding.ids.size(), 1);
    feature.example_index = static_cast<std::int64_t>(examples.size());
    feature.labels = {static_cast<std::int64_t>(label)};
    Example example;
    example.id = std::to_string(i);
    example.text = "row " + std::to_string(i);
    example.label = Value(labels[label]);
    examples.push_back(std::move(example));
    features.push_back(std::move(feature));
  }
}

inline train::PreparedData toy_prepared(const std::vector<std::string>& labels, std::int64_t train_rows = 32,
                                        std::int64_t eval_rows = 8) {
  train::PreparedData data;
  toy_data(data.train_examples, data.train_features, train_rows, labels, 1);
  toy_data(data.eval_examples, data.eval_features, eval_rows, labels, 2);
  data.labels = labels;
  return data;
}

// The encoder's last hidden states for `batch`, in eval mode without autograd.
inline at::Tensor last_hidden_state(model::BertModel& bert, const Batch& batch) {
  c10::InferenceMode inference;
  bert->eval();
  return bert(batch.input_ids, batch.token_type_ids, batch.attention_mask).last_hidden_state;
}

// A tiny BERT saved as a Hugging Face model directory.
inline void save_tiny_bert(const std::filesystem::path& dir, std::uint64_t seed = 1234, std::int64_t layers = 3,
                           const checkpoint::SaveOptions& options = {}) {
  auto bert = tiny_bert(seed, layers);
  checkpoint::save_model(dir, bert, options);
}

}  // namespace bertlab::test
