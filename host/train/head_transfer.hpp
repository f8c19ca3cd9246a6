// Transfer learning: what a trial's head starts from when the model it
// fine-tunes was itself trained by bertlab (a trial's saved model, with its
// bertlab.json). The head's weights are carried over when the head plugin
// and the label set are the same and every weight fits; otherwise the head
// keeps its fresh initialization and the caller logs why. A directory
// without bertlab.json (a Hugging Face model, a pretraining checkpoint with
// its MLM/NSP heads) only gives the encoder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "bertlab/head.hpp"
#include "checkpoint/hf_model.hpp"

namespace bertlab::train {

struct HeadTransfer {
  bool carried_over = false;
  std::string reason;  // why not, when a bertlab head was there but not used; empty otherwise
  bool had_task_head = false;  // `model_dir` holds a bertlab.json
};

// Loads `loaded`'s head tensors into the built `head` when they belong to
// the same head plugin (`head_plugin`) and `labels` and fit its weights.
HeadTransfer transfer_head(Head& head, const std::string& head_plugin, const std::vector<std::string>& labels,
                           const checkpoint::LoadedModel& loaded, const std::filesystem::path& model_dir);

// The log line for a trial that starts from another model directory.
std::string describe_transfer(const HeadTransfer& transfer, const std::filesystem::path& model_dir);

}  // namespace bertlab::train
