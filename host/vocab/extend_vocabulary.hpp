// `bertlab vocab extend`: a model directory whose vocabulary also holds the
// characters a corpus needs, with every old id kept and the word embeddings
// (and any MLM head) resized to match.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace bertlab::vocab {

enum class InitMode {
  mean_of_pieces,  // the mean of the rows of the old pieces that write the token
  mean,            // the mean of all old rows
};

struct ExtendOptions {
  std::filesystem::path model_dir;
  std::filesystem::path corpus;
  std::string column;  // for csv/tsv/jsonl corpora
  std::int64_t min_count = 2;
  std::int64_t max_new = 0;  // 0: no limit
  InitMode init = InitMode::mean_of_pieces;
  std::filesystem::path out_dir;
};

struct ExtendReport {
  std::int64_t texts = 0;
  std::int64_t old_size = 0;
  std::int64_t new_size = 0;
  std::int64_t candidates = 0;       // missing characters seen in [UNK] words
  std::int64_t below_min_count = 0;  // candidates left out by --min-count
  std::int64_t words_too_long = 0;   // [UNK] words no character can fix (too long)
  std::vector<std::pair<std::string, std::int64_t>> new_tokens;  // text, count; in id order
  std::vector<std::int64_t> rows_from_all;  // indices into new_tokens whose row is the mean of all rows
  std::int64_t tokens_before = 0, unknown_before = 0;
  std::int64_t tokens_after = 0, unknown_after = 0;
  std::vector<std::string> resized_tensors;  // checkpoint tensors that got new rows
};

// Reads the model and the corpus, writes the extended model to
// options.out_dir (which must not be the model directory). Throws
// data::DataError for a bad corpus, std::runtime_error for a bad model.
ExtendReport extend_vocabulary(const ExtendOptions& options);

}  // namespace bertlab::vocab
