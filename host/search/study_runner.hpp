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
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/experiment.hpp"
#include "store/store.hpp"
#include "train/trainer.hpp"

namespace bertlab::search {

// What a study reports while it runs (the CLI draws progress from it). Every
// call comes from the thread that runs the study.
class StudyObserver {
 public:
  virtual ~StudyObserver() = default;
  // `index` counts the trials of this run from 0; `planned` is how many it will run at most.
  virtual void trial_started(const store::TrialRecord& trial, std::int64_t index, std::int64_t planned) = 0;
  virtual void step(std::int64_t step, std::int64_t total_steps, double loss, double tokens_per_second) = 0;
  virtual void evaluated(const train::Evaluation& evaluation, const std::string& metric) = 0;
  virtual void trial_finished(const store::TrialRecord& trial) = 0;
};

struct StudyOutcome {
  std::string study;
  std::vector<std::int64_t> numbers;  // the trials this run ran, in order
  std::optional<std::int64_t> best_number;
  std::optional<double> best_value;
  nlohmann::json best_params = nlohmann::json::object();
  std::string best_model;
  bool interrupted = false;
};

StudyOutcome run_study(const experiment::Experiment& experiment, const std::atomic<bool>& interrupted,
                       StudyObserver& observer);

}  // namespace bertlab::search
