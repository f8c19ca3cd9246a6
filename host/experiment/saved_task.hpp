// What applying a trained model to new text needs besides its weights: how
// rows were read and tokenized, which head with which options and labels,
// and the precision it was scored in. Written beside every saved model as
// bertlab.json, so that a model directory stands on its own: `bertlab
// predict` reads it, and the experiment file may have moved or changed since.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"

namespace bertlab::experiment {

inline constexpr const char* kSavedTaskFile = "bertlab.json";

struct SavedTask {
  PluginRef tokenizer;
  std::int64_t max_length = 128;
  PluginRef head;
  DataSection data;  // format and columns (the file paths are not kept)
  std::vector<std::string> labels;
  std::string precision = "fp32";
  std::int64_t batch_size = 32;
  std::vector<std::filesystem::path> plugin_paths;
};

SavedTask saved_task_of(const Experiment& experiment, const std::vector<std::string>& labels);
// Writes `model_dir`/bertlab.json (temporary file + rename).
void write_saved_task(const std::filesystem::path& model_dir, const SavedTask& task);
// Reads it back; a missing or malformed file is an ExperimentError naming it.
SavedTask read_saved_task(const std::filesystem::path& model_dir);

}  // namespace bertlab::experiment
