// Runs a study in this process: prepares the data once (read, checked,
// tokenized), then runs trials through run_trials() (trial_loop.hpp) with
// fine-tuning as the objective, until the study holds `search.trials` trials
// across every process sharing the store. A failing trial (bad parameters, a
// NaN loss, a plugin error) is recorded FAILED with its reason and the study
// goes on; an interrupt fails the running trial ("interrupted") and stops.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/experiment.hpp"
#include "search/trial_loop.hpp"
#include "store/store.hpp"
#include "train/trainer.hpp"

namespace bertlab::search {

// What a study reports while it runs (the CLI draws progress from it). Every
// call comes from the thread that runs the study.
class StudyObserver : public LoopObserver {
 public:
  virtual void step(std::int64_t step, std::int64_t total_steps, double loss, double tokens_per_second) = 0;
  virtual void evaluated(const train::Evaluation& evaluation, const std::string& metric) = 0;
};

// How this process joins the study.
enum class StudyMode {
  create,  // `bertlab run`: a new study; an existing one of the same name is an error
  resume,  // `bertlab run --resume`: continue the study (created if absent), warning if the experiment changed
  join,    // a worker: run the study's recorded experiment
};

struct StudyOutcome {
  std::string study;
  std::vector<std::int64_t> numbers;  // the trials this process ran, in order
  std::optional<std::int64_t> best_number;
  std::optional<double> best_value;
  nlohmann::json best_params = nlohmann::json::object();
  std::string best_model;
  bool interrupted = false;
};

// Creates (or, with StudyMode::resume, finds) the study record, checking
// that the experiment matches it; what workers are started against.
store::StudyRecord open_study(const experiment::Experiment& experiment, StudyMode mode);

StudyOutcome run_study(const experiment::Experiment& experiment, StudyMode mode, const std::atomic<bool>& interrupted,
                       StudyObserver& observer);

// The study's best COMPLETE trial (every process's), into `outcome`.
void find_best(store::Store& store, const store::StudyRecord& study, StudyOutcome& outcome);

}  // namespace bertlab::search
