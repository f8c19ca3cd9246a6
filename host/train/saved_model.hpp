// A model directory a trial saved (weights + bertlab.json), opened for use:
// its plugins loaded, its tokenizer and head created, the head built for the
// encoder and given its trained weights. `bertlab predict` and `bertlab
// compress` both start here, so that a compressed model loads like any other.
#pragma once

#include <filesystem>
#include <memory>

#include "bertlab/head.hpp"
#include "bertlab/tokenizer.hpp"
#include "checkpoint/hf_model.hpp"
#include "data/dataset.hpp"
#include "experiment/saved_task.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::train {

struct SavedModel {
  std::filesystem::path dir;
  experiment::SavedTask task;
  std::shared_ptr<plugin::PluginHost> host;  // keeps the plugins' libraries loaded
  std::shared_ptr<Tokenizer> tokenizer;  // null when opened without one
  std::shared_ptr<Head> head;
  checkpoint::LoadedModel loaded;

  model::BertModel& bert() { return loaded.model; }
  // How the task's data files are read (format and columns).
  data::Columns columns() const;
  // The precision predictions run in: bf16 when the task was scored in bf16.
  bool bf16() const;
};

// Throws std::runtime_error (or ExperimentError for bertlab.json) naming the
// file that is missing or malformed. A caller that feeds the model
// features tokenized elsewhere (a distillation teacher) passes
// `with_tokenizer` false.
SavedModel open_saved_model(const std::filesystem::path& dir, bool with_tokenizer = true);

// Gives `head` (built for `bert`'s shape and `labels`) the weights among
// `tensors` that are its own.
void attach_head(Head& head, model::BertModel& bert, const std::vector<std::string>& labels,
                 const std::map<std::string, torch::Tensor>& tensors);

}  // namespace bertlab::train
