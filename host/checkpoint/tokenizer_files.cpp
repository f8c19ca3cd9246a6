#include "checkpoint/tokenizer_files.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bertlab::checkpoint {

Table tokenizer_options(const std::filesystem::path& model_dir) {
  const auto vocab = model_dir / "vocab.txt";
  if (!std::filesystem::is_regular_file(vocab))
    throw std::runtime_error(fmt::format("{}: no vocab.txt in the model directory", vocab.string()));
  Table options{{"vocab", vocab.string()}, {"lowercase", true}};

  const auto config_file = model_dir / "tokenizer_config.json";
  std::ifstream in(config_file);
  if (!in) return options;  // absent: BERT's uncased defaults
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", config_file.string(), e.what()));
  }
  auto copy_bool = [&](const char* key, const char* option) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) return;
    if (!it->is_boolean())
      throw std::runtime_error(fmt::format("{}: key '{}' must be true or false", config_file.string(), key));
    options.insert_or_assign(option, it->get<bool>());
  };
  copy_bool("do_lower_case", "lowercase");
  copy_bool("strip_accents", "strip_accents");
  copy_bool("tokenize_chinese_chars", "tokenize_chinese_chars");
  return options;
}

}  // namespace bertlab::checkpoint
