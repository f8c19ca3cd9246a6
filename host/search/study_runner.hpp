// Runs a study: prepares the data once (read, checked, tokenized), then for
// each trial asks the searcher for parameters inside the store's trial-creating
// transaction, trains, and records the outcome. A failing trial (bad
// parameters, a NaN loss, a plugin error) is recorded FAILED with its reason
// and the study goes on; an interrupt fails the running trial ("interrupted")
// and stops.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "experiment/experiment.hpp"

namespace bertlab::search {

struct StudyOutcome {
  std::string study;
  std::int64_t trials_run = 0;
  std::optional<std::int64_t> best_number;
  std::optional<double> best_value;
  nlohmann::json best_params = nlohmann::json::object();
  std::string best_model;
  bool interrupted = false;
};

StudyOutcome run_study(const experiment::Experiment& experiment, const std::atomic<bool>& interrupted);

}  // namespace bertlab::search
