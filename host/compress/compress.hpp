// `bertlab compress`, the library side: one method applied to a trial's
// saved model, the result saved as a model directory of its own (loadable by
// `bertlab predict` and `bertlab encode` like any other), then loaded back
// from there and measured beside the source in the same run: the study's
// metric on the trial's eval set, parameters, file size, latency at batch 1
// and throughput at batch 32.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bertlab/head.hpp"
#include "bertlab/study.hpp"
#include "compress/speed.hpp"
#include "train/saved_model.hpp"

namespace bertlab::compress {

struct CompressOptions {
  std::string method;                // heads | ffn | magnitude | int8 | bf16
  double amount = 0.5;               // heads / ffn: share removed; magnitude: sparsity
  std::optional<double> tolerance;   // heads: stop before the metric drops by more
  std::string scope = "global";      // magnitude: global | layer
  int repeats = 5;                   // timed runs per speed figure
  std::int64_t batch_size = 32;      // importance and evaluation batches
};

// The methods, for the command line's check and the documentation.
const std::vector<std::string>& method_names();

struct ModelFigures {
  Metrics metrics;
  double metric = 0;                     // the study's metric
  std::int64_t parameters = 0;           // encoder + head
  std::int64_t nonzero_parameters = 0;
  std::uintmax_t file_bytes = 0;         // model.safetensors
  std::optional<std::int64_t> sparse_bytes;  // magnitude: the encoder in CSR
  Speed speed;
};

struct CompressionReport {
  std::string method;
  nlohmann::json options = nlohmann::json::object();
  std::string metric;
  Direction direction = Direction::maximize;
  ModelFigures source, compressed;
  nlohmann::json details = nlohmann::json::object();  // per method: pruning steps, sparsity, ...

  double metric_change() const { return compressed.metric - source.metric; }
  nlohmann::json to_json() const;
};

struct CompressInputs {
  std::vector<Example> eval_examples;
  std::vector<Feature> eval_features;
  std::vector<Feature> importance_features;  // labelled training rows (pruning methods)
  std::string metric;
  Direction direction = Direction::maximize;
};

// `source` is changed (pruned, quantized in place); the compressed model is
// written to `out_dir` and read back from there for its figures.
CompressionReport compress_model(train::SavedModel& source, const CompressInputs& inputs,
                                 const CompressOptions& options, const std::filesystem::path& out_dir,
                                 const std::function<void(const std::string&)>& log);

}  // namespace bertlab::compress
