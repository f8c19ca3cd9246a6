#include "checkpoint/hf_model.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

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
  for (auto& item : loaded.model->named_parameters()) {
    const std::string& name = item.key();
    auto it = encoder_tensors.find(name);
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
    target.copy_(it->second.to(target.scalar_type()));
    used.insert(name);
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
  for (const auto& item : model->named_parameters())
    tensors.emplace(prefix + item.key(), item.value().detach().to(at::kCPU, options.dtype).contiguous());
  for (const auto& [name, tensor] : options.head_tensors)
    tensors.emplace(name, tensor.detach().to(at::kCPU, options.dtype).contiguous());
  write_safetensors(dir / "model.safetensors", tensors, {{"format", "pt"}});

  auto config = model->config().to_json();
  config["torch_dtype"] = options.dtype == torch::kBFloat16 ? "bfloat16"
                          : options.dtype == torch::kHalf   ? "float16"
                                                            : "float32";
  config.merge_patch(options.extra_config);
  write_json(dir / "config.json", config);

  if (!options.tokenizer_dir.empty()) {
    copy_if_present(options.tokenizer_dir, dir, "vocab.txt");
    copy_if_present(options.tokenizer_dir, dir, "tokenizer_config.json");
    copy_if_present(options.tokenizer_dir, dir, "special_tokens_map.json");
  }
}

}  // namespace bertlab::checkpoint
