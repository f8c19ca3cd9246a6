// Runs a study in this process: prepares the data once (read, checked,
// tokenized), then runs trials through run_trials() (trial_loop.hpp) with
// fine-tuning as the objective, until the study holds `search.trials` trials
// across every process sharing the store. A failing trial (bad parameters, a
// NaN loss, a plugin error) is recorded FAILED with its reason and the study
// goes on; an interrupt fails the running trial ("interrupted") and stops.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/experiment.hpp"
#include "search/trial_loop.hpp"
#include "store/store.hpp"
#include "train/trainer.hpp"

namespace bertlab::plugin {
class PluginHost;
}

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

// Pieces that every kind of study (fine-tuning, pretraining) runs the same way.
// Loads the experiment's plugin_paths and the default plugin folders.
void load_plugins(plugin::PluginHost& host, const experiment::Experiment& experiment);
// `bertlab run` starts a study; continuing one is asked for by --resume.
void refuse_existing_study(store::Store& store, const experiment::Experiment& experiment);
store::StudyRecord open_study(store::Store& store, const experiment::Experiment& experiment, const std::string& metric,
                              StudyMode mode);
// The trial loop's settings for a study of `n_trials` trials.
LoopSettings loop_settings(const experiment::Experiment& experiment, store::Store& store,
                           const store::StudyRecord& study, const std::string& metric,
                           const std::vector<std::uint64_t>& data_signature, std::int64_t n_trials);
// Where trial `number` keeps its checkpoint: beside the store.
std::filesystem::path trial_model_dir(const experiment::Experiment& experiment, std::int64_t number);
// Training hooks that report each evaluation (as eval_<name>) to the store
// and the pruner, progress to the observer, and watch for an interrupt.
train::TrainHooks trial_hooks(const std::atomic<bool>& interrupted, StudyObserver& observer, TrialReporter& reporter,
                              const std::string& metric);
// Records a trained trial's attributes and artifact and says how it ended;
// `before_artifact` writes what else a complete trial's model folder needs.
TrialResult finish_objective(store::Store& store, const store::TrialRecord& trial,
                             const experiment::Experiment& trial_experiment, const train::TrainResult& result,
                             const std::filesystem::path& model_dir, const std::function<void()>& before_artifact = {});

// The study's best COMPLETE trial (every process's), into `outcome`.
void find_best(store::Store& store, const store::StudyRecord& study, StudyOutcome& outcome);

}  // namespace bertlab::search
