#include "checkpoint/hf_model.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string_view>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/nn/module.h>

#include "checkpoint/pytorch_bin.hpp"
#include "checkpoint/safetensors.hpp"

namespace bertlab::checkpoint {

namespace fs = std::filesystem;

namespace {

// Prefixes under which checkpoints store the encoder: BertFor* models
// ("bert."), and sentence-transformers' module layout.
constexpr const char* kEncoderPrefixes[] = {"bert.", "0.auto_model.", "auto_model.", "model."};

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

std::string replace_suffix(const std::string& name, std::string_view from, std::string_view to) {
  if (name.size() < from.size() || name.compare(name.size() - from.size(), from.size(), from) != 0) return name;
  return name.substr(0, name.size() - from.size()) + std::string(to);
}

// Old TensorFlow-converted checkpoints call LayerNorm's parameters gamma and beta.
std::string modern_name(const std::string& name) {
  if (name.find("LayerNorm.") == std::string::npos) return name;
  return replace_suffix(replace_suffix(name, "LayerNorm.gamma", "LayerNorm.weight"), "LayerNorm.beta",
                        "LayerNorm.bias");
}

std::map<std::string, torch::Tensor> read_weights(const fs::path& dir, fs::path& weights_file) {
  if (fs::exists(dir / "model.safetensors")) {
    weights_file = dir / "model.safetensors";
    SafetensorsReader reader(weights_file);
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& name : reader.names()) tensors.emplace(name, reader.tensor(name));
    return tensors;
  }
  if (fs::exists(dir / "pytorch_model.bin")) {
    weights_file = dir / "pytorch_model.bin";
    return load_pytorch_bin(weights_file);
  }
  throw std::runtime_error(fmt::format("{}: no model.safetensors or pytorch_model.bin in the model directory",
                                       dir.string()));
}

void write_json(const fs::path& file, const nlohmann::json& json) {
  const auto temporary = fs::path(file.string() + ".tmp");
  {
    std::ofstream out(temporary);
    out << json.dump(2) << '\n';
    if (!out) throw std::runtime_error(fmt::format("{}: cannot write", temporary.string()));
  }
  fs::rename(temporary, file);
}

void copy_if_present(const fs::path& from_dir, const fs::path& to_dir, const char* name) {
  const auto from = from_dir / name;
  if (!fs::exists(from)) return;
  if (fs::exists(to_dir / name) && fs::equivalent(from, to_dir / name)) return;
  fs::copy_file(from, to_dir / name, fs::copy_options::overwrite_existing);
}

// Whether parameter `name` is the weight of one of the `int8` layers: those
// are stored as int8 plus a scale, not as the float parameter.
bool is_int8_weight(const std::string& name, const std::map<std::string, model::Int8Weight>& int8) {
  constexpr std::string_view kSuffix = ".weight";
  return name.ends_with(kSuffix) && int8.count(name.substr(0, name.size() - kSuffix.size())) > 0;
}

// The int8 layers of a quantized checkpoint, by layer name, removed from
// `tensors`: every int8 "<layer>.weight" needs its "<layer>.weight_scale".
std::map<std::string, model::Int8Weight> take_int8_weights(std::map<std::string, torch::Tensor>& tensors,
                                                          const std::string& source) {
  std::map<std::string, model::Int8Weight> int8;
  for (auto it = tensors.begin(); it != tensors.end();) {
    const auto& [name, tensor] = *it;
    if (tensor.scalar_type() != at::kChar) {
      ++it;
      continue;
    }
    if (!name.ends_with(".weight"))
      throw std::runtime_error(fmt::format("{}: tensor '{}' is int8; only linear weights are stored as int8", source, name));
    const auto layer = name.substr(0, name.size() - 7);
    auto scale = tensors.find(layer + ".weight_scale");
    if (scale == tensors.end())
      throw std::runtime_error(fmt::format("{}: tensor '{}' is int8 but '{}.weight_scale' is missing", source, name, layer));
    if (scale->second.dim() != 1 || scale->second.size(0) != tensor.size(0))
      throw std::runtime_error(fmt::format("{}: tensor '{}.weight_scale' has shape {}, expected [{}] (one scale per row of '{}')",
                                           source, layer, c10::str(scale->second.sizes()), tensor.size(0), name));
    int8[layer] = {tensor, scale->second.to(at::kFloat)};
    tensors.erase(scale);
    it = tensors.erase(it);
  }
  for (const auto& [name, tensor] : tensors) {
    if (name.ends_with(".weight_scale"))
      throw std::runtime_error(fmt::format("{}: tensor '{}' has no int8 weight beside it", source, name));
  }
  return int8;
}

}  // namespace

LoadedModel load_model(const fs::path& dir, bool allow_missing) {
  LoadedModel loaded;
  const auto config = model::BertConfig::load(dir / "config.json");
  {
    std::ifstream in(dir / "config.json");
    loaded.config_json = nlohmann::json::parse(in);
  }
  loaded.model = model::BertModel(config);
  auto tensors = read_weights(dir, loaded.weights_file);
  const std::string source = loaded.weights_file.string();

  // Encoder tensors by their BertModel name; everything else is the head's.
  std::map<std::string, torch::Tensor> encoder_tensors;
  for (auto& [stored_name, tensor] : tensors) {
    std::string name = modern_name(stored_name);
    for (const char* prefix : kEncoderPrefixes) {
      if (starts_with(name, prefix)) {
        name = name.substr(std::string_view(prefix).size());
        break;
      }
    }
    if (starts_with(name, "embeddings.") || starts_with(name, "encoder.") || starts_with(name, "pooler.")) {
      encoder_tensors.insert_or_assign(name, tensor);
    } else {
      loaded.other_tensors.insert_or_assign(name, tensor);
    }
  }

  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  const auto int8 = take_int8_weights(encoder_tensors, source);
  for (auto& item : loaded.model->named_parameters()) {
    const std::string& name = item.key();
    auto it = encoder_tensors.find(name);
    if (is_int8_weight(name, int8)) {
      // Checked and loaded by quantize_int8 below.
      used.insert(name);
      continue;
    }
    if (it == encoder_tensors.end()) {
      loaded.missing.push_back(name);
      continue;
    }
    auto& target = item.value();
    if (it->second.sizes() != target.sizes()) {
      throw std::runtime_error(fmt::format("{}: tensor '{}' has shape {}, the config ({}) needs {}", source, name,
                                           c10::str(it->second.sizes()), (dir / "config.json").string(),
                                           c10::str(target.sizes())));
    }
    if (it->second.scalar_type() == at::kBFloat16) loaded.stored_dtype = at::kBFloat16;
    target.copy_(it->second.to(target.scalar_type()));
    used.insert(name);
  }
  if (!int8.empty()) {
    auto params = loaded.model->named_parameters();
    for (const auto& [layer, weight] : int8) {
      const auto* target = params.find(layer + ".weight");
      if (!target || target->dim() != 2 || !layer.starts_with("encoder.layer."))
        throw std::runtime_error(fmt::format("{}: '{}.weight' is int8, but only the encoder layers' linear weights "
                                             "are stored quantized", source, layer));
      if (weight.weight.sizes() != target->sizes())
        throw std::runtime_error(fmt::format("{}: tensor '{}.weight' has shape {}, the config ({}) needs {}", source,
                                             layer, c10::str(weight.weight.sizes()), (dir / "config.json").string(),
                                             c10::str(target->sizes())));
    }
    try {
      loaded.model->quantize_int8(int8);
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(fmt::format("{}: {}", source, error.what()));
    }
  }
  // Position ids are a derived buffer some checkpoints carry; nothing to load.
  for (auto& [name, tensor] : encoder_tensors) {
    if (!used.count(name) && name != "embeddings.position_ids") loaded.other_tensors.emplace(name, tensor);
  }
  // A checkpoint without the pooler (MLM-only exports) still serves token-level heads.
  bool only_pooler_missing = std::all_of(loaded.missing.begin(), loaded.missing.end(),
                                         [](const std::string& n) { return starts_with(n, "pooler."); });
  if (!loaded.missing.empty() && !allow_missing && !only_pooler_missing) {
    std::string list;
    for (std::size_t i = 0; i < loaded.missing.size() && i < 5; ++i) list += (i ? ", " : "") + loaded.missing[i];
    if (loaded.missing.size() > 5) list += fmt::format(", ... ({} in all)", loaded.missing.size());
    throw std::runtime_error(fmt::format("{}: missing encoder tensors: {}", source, list));
  }
  return loaded;
}

std::string describe_unused(const LoadedModel& loaded) {
  if (loaded.other_tensors.empty()) return {};
  std::string names;
  std::size_t shown = 0;
  for (const auto& [name, tensor] : loaded.other_tensors) {
    if (shown++ == 5) {
      names += fmt::format(", ... ({} in all)", loaded.other_tensors.size());
      break;
    }
    names += (names.empty() ? "" : ", ") + name;
  }
  return fmt::format("{}: tensors not used by the encoder: {}", loaded.weights_file.string(), names);
}

void save_model(const fs::path& dir, model::BertModel& model, const SaveOptions& options) {
  fs::create_directories(dir);
  const std::string prefix = options.head_tensors.empty() ? "" : "bert.";
  std::map<std::string, torch::Tensor> tensors;
  const auto int8 = model->int8_weights();
  for (const auto& [layer, weight] : int8) {
    tensors.emplace(prefix + layer + ".weight", weight.weight.contiguous());
    tensors.emplace(prefix + layer + ".weight_scale", weight.scale.contiguous());
  }
  for (const auto& item : model->named_parameters()) {
    const auto& name = item.key();
    if (is_int8_weight(name, int8)) continue;
    tensors.emplace(prefix + name, item.value().detach().to(at::kCPU, options.dtype).contiguous());
  }
  for (const auto& [name, tensor] : options.head_tensors)
    tensors.emplace(name, tensor.detach().to(at::kCPU, options.dtype).contiguous());
  write_safetensors(dir / "model.safetensors", tensors, {{"format", "pt"}});

  auto config = model->config().to_json();
  config["torch_dtype"] = options.dtype == torch::kBFloat16 ? "bfloat16"
                          : options.dtype == torch::kHalf   ? "float16"
                                                            : "float32";
  if (!int8.empty()) {
    config["bertlab_quantization"] = {
        {"method", "dynamic-int8"},
        {"weights", "int8, symmetric per output channel: weight[o][i] = int8[o][i] * weight_scale[o]"},
        {"activations", "quantized per batch at run time"},
        {"layers", "encoder.layer.*: attention.self.{query,key,value}, attention.output.dense, intermediate.dense, "
                   "output.dense"}};
  }
  config.merge_patch(options.extra_config);
  write_json(dir / "config.json", config);

  if (!options.tokenizer_dir.empty()) {
    copy_if_present(options.tokenizer_dir, dir, "vocab.txt");
    copy_if_present(options.tokenizer_dir, dir, "tokenizer_config.json");
    copy_if_present(options.tokenizer_dir, dir, "special_tokens_map.json");
  }
}

}  // namespace bertlab::checkpoint
