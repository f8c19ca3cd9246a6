// Hugging Face model directories: config.json, vocab.txt,
// tokenizer_config.json and the weights (model.safetensors, or the legacy
// pytorch_model.bin), read into a BertModel and written back in the same
// layout so that `transformers` loads what bertlab trains.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "model/bert_model.hpp"

namespace bertlab::checkpoint {

struct LoadedModel {
  model::BertModel model{nullptr};
  std::filesystem::path weights_file;
  // Tensors of the checkpoint that are not the encoder's, by their name with
  // any base-model prefix removed ("classifier.weight", "cls.predictions.bias"):
  // a task head picks its own from here.
  std::map<std::string, torch::Tensor> other_tensors;
  std::vector<std::string> missing;  // encoder tensors the file lacks (left at their initial values)
  nlohmann::json config_json;        // config.json as read, for the head's fields (id2label, ...)
  // The dtype the encoder's float weights were stored in (bf16 for a model
  // `bertlab compress --method bf16` wrote); the model itself is loaded in fp32.
  torch::ScalarType stored_dtype = torch::kFloat32;
};

// Loads `dir`. An int8-quantized model (`bertlab compress --method int8`)
// stores each quantized linear layer as "<layer>.weight" (int8, [out, in])
// and "<layer>.weight_scale" (float32, [out]); it loads quantized
// (BertModel::quantize_int8). Parameter names may carry a "bert." (BertFor* models) or
// sentence-transformers prefix, and old TensorFlow-converted names
// (LayerNorm.gamma/beta) are accepted. A tensor of the wrong shape, a
// missing encoder tensor (unless `allow_missing`), an unreadable or corrupt
// file: std::runtime_error naming the file and the tensor.
LoadedModel load_model(const std::filesystem::path& dir, bool allow_missing = false);

struct SaveOptions {
  // Extra tensors saved beside the encoder's (a task head's, with its HF
  // names, e.g. "classifier.weight"). With any present, encoder tensors get
  // the "bert." prefix, as BertFor* classes expect.
  std::map<std::string, torch::Tensor> head_tensors;
  // Fields merged into config.json (architectures, id2label, ...).
  nlohmann::json extra_config = nlohmann::json::object();
  // Where vocab.txt and tokenizer_config.json come from (usually the
  // directory the model was loaded from); skipped when empty.
  std::filesystem::path tokenizer_dir;
  // The float tensors' dtype. A quantized model's int8 layers are saved as
  // int8 + scales whatever this says.
  torch::ScalarType dtype = torch::kFloat32;
};

// One line naming the checkpoint tensors the encoder did not use (a task
// head's, an MLM head's), or empty when there are none; commands print it so
// that a user sees what a plain encoder leaves out.
std::string describe_unused(const LoadedModel& loaded);

// Writes `model` to `dir` as model.safetensors + config.json (+ tokenizer
// files), creating `dir`. Each file is written to a temporary name and
// renamed, so an interrupted save never leaves a half-written model.
void save_model(const std::filesystem::path& dir, model::BertModel& model, const SaveOptions& options = {});

}  // namespace bertlab::checkpoint
