#include "vocab/extended_model.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/nn/module.h>

#include "checkpoint/hf_model.hpp"
#include "vocab/embedding_init.hpp"

namespace bertlab::vocab {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWordEmbeddings = "embeddings.word_embeddings.weight";

void write_vocab_file(const fs::path& file, const std::vector<std::string>& old_tokens,
                      const std::vector<std::string>& new_tokens) {
  const auto temporary = fs::path(file.string() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary);
    for (const auto& token : old_tokens) out << token << '\n';
    for (const auto& token : new_tokens) out << token << '\n';
    if (!out) throw std::runtime_error(fmt::format("{}: cannot write", temporary.string()));
  }
  fs::rename(temporary, file);
}

// A tensor of an MLM head whose first dimension is the vocabulary
// (cls.predictions.decoder.weight, .bias, decoder.bias): it grows with the
// embeddings, the decoder weight being tied to them in BERT.
bool is_vocabulary_sized(const std::string& name, const at::Tensor& tensor, std::int64_t old_size) {
  return tensor.dim() >= 1 && tensor.size(0) == old_size && name.find("predictions") != std::string::npos;
}

}  // namespace

ExtendedModel write_extended_model(const fs::path& model_dir, const fs::path& out_dir,
                                   const std::vector<std::string>& old_tokens,
                                   const std::vector<std::string>& new_tokens,
                                   const std::vector<std::vector<std::int64_t>>& sources) {
  auto loaded = checkpoint::load_model(model_dir);
  auto config = loaded.model->config();
  ExtendedModel result;
  result.old_size = config.vocab_size;
  if (result.old_size != static_cast<std::int64_t>(old_tokens.size()))
    throw std::runtime_error(fmt::format(
        "{}: vocab.txt has {} tokens but the word embeddings have {} rows; new tokens could not be appended after "
        "the last old id",
        (model_dir / "vocab.txt").string(), old_tokens.size(), result.old_size));
  result.new_size = result.old_size + static_cast<std::int64_t>(new_tokens.size());

  config.vocab_size = result.new_size;
  model::BertModel extended(config);
  {
    torch::NoGradGuard no_grad;
    auto old_parameters = loaded.model->named_parameters();
    for (auto& item : extended->named_parameters()) {
      const auto& old = old_parameters[item.key()];
      item.value().copy_(item.key() == kWordEmbeddings ? append_rows(old, sources) : old);
    }
  }
  result.resized_tensors.push_back(kWordEmbeddings);

  checkpoint::SaveOptions options;
  for (auto& [name, tensor] : loaded.other_tensors) {
    if (is_vocabulary_sized(name, tensor, result.old_size)) {
      options.head_tensors.emplace(name, append_rows(tensor, sources));
      result.resized_tensors.push_back(name);
    } else {
      options.head_tensors.emplace(name, tensor);
    }
  }
  // The original config.json's fields (architectures, model_type, ...) stay.
  options.extra_config = loaded.config_json;
  options.extra_config.erase("torch_dtype");
  options.extra_config["vocab_size"] = result.new_size;

  fs::create_directories(out_dir);
  checkpoint::save_model(out_dir, extended, options);
  write_vocab_file(out_dir / "vocab.txt", old_tokens, new_tokens);
  for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
    if (fs::exists(model_dir / name)) fs::copy_file(model_dir / name, out_dir / name, fs::copy_options::overwrite_existing);
  }
  // transformers prefers tokenizer.json to vocab.txt; one left from an earlier
  // run would hold the old vocabulary.
  fs::remove(out_dir / "tokenizer.json");
  return result;
}

}  // namespace bertlab::vocab
