// Writing the extended model directory: the checkpoint with every
// vocabulary-sized tensor grown by the new rows, config.json with the new
// vocab_size, vocab.txt with the new tokens after the old ones, and the
// tokenizer files that stay true.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bertlab::vocab {

struct ExtendedModel {
  std::int64_t old_size = 0;
  std::int64_t new_size = 0;
  std::vector<std::string> resized_tensors;
};

// `old_tokens` are the model's vocab.txt tokens (their count must equal the
// word embeddings' rows); `sources[i]` the old ids new token i starts from
// (empty: all rows), see embedding_init.hpp.
ExtendedModel write_extended_model(const std::filesystem::path& model_dir, const std::filesystem::path& out_dir,
                                   const std::vector<std::string>& old_tokens,
                                   const std::vector<std::string>& new_tokens,
                                   const std::vector<std::vector<std::int64_t>>& sources);

}  // namespace bertlab::vocab
