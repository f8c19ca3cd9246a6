// The tokenizer settings of a Hugging Face model directory: vocab.txt and
// the switches of tokenizer_config.json, as options for the `wordpiece`
// tokenizer plugin.
#pragma once

#include <filesystem>

#include "bertlab/value.hpp"

namespace bertlab::checkpoint {

// {"vocab": DIR/vocab.txt, "lowercase": do_lower_case (default true), and
// "strip_accents" / "tokenize_chinese_chars" where the config sets them}.
// Throws std::runtime_error naming the file when vocab.txt is missing or
// tokenizer_config.json is not valid JSON.
Table tokenizer_options(const std::filesystem::path& model_dir);

}  // namespace bertlab::checkpoint
