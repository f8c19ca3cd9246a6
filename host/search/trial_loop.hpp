// The loop every study process runs — `bertlab run`, each of its --workers,
// and `bertlab worker` from another shell — in the manner of Optuna's
// study.optimize(): fail trials whose worker died, take the next trial
// (queued params first, else the searcher's ask, both inside the store's
// write transaction so that processes never collide), run the objective
// while a thread heart-beats the trial, record the outcome, and stop once
// the study holds `n_trials` trials across all processes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bertlab/pruner.hpp"
#include "bertlab/searcher.hpp"
#include "store/store.hpp"

namespace bertlab::search {

// How one trial ended, as the objective says.
struct TrialResult {
  TrialState state = TrialState::complete;
  std::optional<double> value;  // COMPLETE: the objective; PRUNED: the last intermediate value
  std::string error;            // FAILED / PRUNED: why
};

// What an objective uses while a trial runs.
class TrialReporter {
 public:
  virtual ~TrialReporter() = default;
  // Records values at `step` (the study's metric among them, as "eval_<metric>")
  // and asks the pruner: true means stop the trial now.
  virtual bool report(std::int64_t step, const std::vector<std::pair<std::string, double>>& values) = 0;
};

// Runs one trial with the params in `trial.params`. Exceptions fail the
// trial with their message (and stop the loop when `interrupted` is set).
using Objective = std::function<TrialResult(const store::TrialRecord& trial, TrialReporter& reporter)>;

struct LoopSettings {
  std::int64_t n_trials = 1;  // the study's budget, across every process
  std::string metric;         // the study metric the pruner judges ("accuracy")
  std::uint64_t seed = 0;     // StudyView::seed
  const SearchSpace* space = nullptr;
  std::vector<TrialView> history;  // warm start (StudyView::history)
  std::chrono::milliseconds heartbeat_interval{10'000};
  std::chrono::milliseconds heartbeat_timeout{120'000};
  bool retry_failed = false;
  // Seed, plugin versions and data fingerprint of each new trial.
  std::function<store::TrialInit()> trial_init = [] { return store::TrialInit{}; };
};

class LoopObserver {
 public:
  virtual ~LoopObserver() = default;
  // `index` counts this process's trials from 0; `planned` is the study's budget.
  virtual void trial_started(const store::TrialRecord& trial, std::int64_t index, std::int64_t planned) = 0;
  virtual void trial_finished(const store::TrialRecord& trial) = 0;
  virtual void lost_trials(const std::vector<std::int64_t>& numbers) = 0;
};

struct LoopOutcome {
  std::vector<std::int64_t> numbers;  // the trials this process ran, in order
  bool interrupted = false;
};

// Trials that count toward the budget: all but those failed as lost and queued again.
std::int64_t trials_counted(const std::vector<store::TrialRecord>& trials);

// The StudyView searchers and pruners see: the study as `trials` has it.
StudyView study_view(const store::StudyRecord& study, const LoopSettings& settings,
                     const std::vector<store::TrialRecord>& trials);

LoopOutcome run_trials(store::Store& store, const store::StudyRecord& study, Searcher& searcher, Pruner* pruner,
                       const LoopSettings& settings, const Objective& objective,
                       const std::atomic<bool>& interrupted, LoopObserver& observer);

}  // namespace bertlab::search
