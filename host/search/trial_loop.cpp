#include "search/trial_loop.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "util/json_value.hpp"

namespace bertlab::search {

namespace {

// Which process ran a trial, for the dashboard's timeline of workers: the
// host and process id, unique among workers sharing a store at one time.
std::string worker_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}", host[0] ? host : "localhost", ::getpid());
}

// Thrown from inside create_trial's transaction: the study has its trials
// (or the searcher has no more points), so nothing is inserted.
struct StudyDone {};

// Beats for one trial on a connection of its own: the loop's connection
// belongs to the thread running the trial, which may be busy for minutes.
class Heartbeat {
 public:
  Heartbeat(std::string location, std::int64_t trial_id, std::chrono::milliseconds interval)
      : thread_([this, location = std::move(location), trial_id, interval] { beat(location, trial_id, interval); }) {}
  ~Heartbeat() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

 private:
  void beat(const std::string& location, std::int64_t trial_id, std::chrono::milliseconds interval) {
    std::unique_ptr<store::Store> store;
    bool warned = false;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [&] { return stopping_; })) {
      try {
        if (!store) store = store::open_store(location);
        store->heartbeat(trial_id);
      } catch (const std::exception& error) {
        // A missed beat is not fatal by itself; the timeout is several intervals long.
        if (!warned) std::cerr << "bertlab: warning: heartbeat failed: " << error.what() << '\n';
        warned = true;
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

class StoreReporter final : public TrialReporter {
 public:
  StoreReporter(store::Store& store, const store::StudyRecord& study, const LoopSettings& settings, Pruner* pruner,
                const store::TrialRecord& trial)
      : store_(store), study_(study), settings_(settings), pruner_(pruner), trial_(trial) {}

  bool report(std::int64_t step, const std::vector<std::pair<std::string, double>>& values) override {
    store_.report_intermediate(trial_.id, step, values);
    if (!pruner_) return false;
    const auto view = study_view(study_, settings_, store_.trials(study_.id));
    auto self = std::find_if(view.trials.begin(), view.trials.end(),
                             [&](const TrialView& t) { return t.number == trial_.number; });
    return self != view.trials.end() && pruner_->should_prune(view, *self, step);
  }

 private:
  store::Store& store_;
  const store::StudyRecord& study_;
  const LoopSettings& settings_;
  Pruner* pruner_;
  const store::TrialRecord& trial_;
};

// What the store accepts as the end of a trial.
TrialResult checked(TrialResult result) {
  if (result.state == TrialState::complete && !(result.value && std::isfinite(*result.value)))
    return {TrialState::failed, std::nullopt, "the objective returned no finite value"};
  if (result.state == TrialState::running) return {TrialState::failed, std::nullopt, "the objective did not finish"};
  return result;
}

}  // namespace

std::int64_t trials_counted(const std::vector<store::TrialRecord>& trials) {
  return std::count_if(trials.begin(), trials.end(), [](const store::TrialRecord& t) {
    return !(t.state == TrialState::failed && t.attributes.value("requeued", false));
  });
}

StudyView study_view(const store::StudyRecord& study, const LoopSettings& settings,
                     const std::vector<store::TrialRecord>& trials) {
  StudyView view;
  view.name = study.name;
  view.metric = study.metric;
  view.direction = study.direction;
  view.seed = settings.seed;
  view.space = settings.space;
  view.history = settings.history;
  const std::string reported = "eval_" + settings.metric;
  for (const auto& record : trials) {
    TrialView& trial = view.trials.emplace_back();
    trial.number = record.number;
    trial.state = record.state;
    trial.params = util::table_from_json(record.params);
    trial.value = record.value;
    for (const auto& value : record.intermediate_values)
      if (value.name == reported) trial.intermediate_values[value.step] = value.value;
  }
  return view;
}

LoopOutcome run_trials(store::Store& store, const store::StudyRecord& study, Searcher& searcher, Pruner* pruner,
                       const LoopSettings& settings, const Objective& objective,
                       const std::atomic<bool>& interrupted, LoopObserver& observer) {
  LoopOutcome outcome;
  for (std::int64_t index = 0; !interrupted.load(); ++index) {
    if (auto lost = store.fail_stale_trials(study.id, settings.heartbeat_timeout, settings.retry_failed); !lost.empty())
      observer.lost_trials(lost);

    std::optional<store::TrialRecord> trial;
    std::string queued_origin;
    try {
      trial = store.create_trial(study.id, [&](const std::vector<store::TrialRecord>& existing,
                                               const std::optional<store::QueuedTrial>& queued) {
        if (trials_counted(existing) >= settings.n_trials) throw StudyDone{};
        store::TrialInit init = settings.trial_init();
        if (queued) {
          init.params = queued->params;
          queued_origin = queued->origin;
          return init;
        }
        auto params = searcher.ask(study_view(study, settings, existing), static_cast<std::int64_t>(existing.size()));
        if (!params) throw StudyDone{};  // a grid with every point taken
        init.params = util::to_json(*params);
        return init;
      });
    } catch (const StudyDone&) {
      break;
    }
    if (!queued_origin.empty()) store.set_attribute(trial->id, "queued", queued_origin);
    store.set_attribute(trial->id, "worker", worker_name());
    observer.trial_started(*trial, index, settings.n_trials);

    TrialResult result;
    {
      Heartbeat heartbeat(store.location(), trial->id, settings.heartbeat_interval);
      StoreReporter reporter(store, study, settings, pruner, *trial);
      try {
        result = checked(objective(*trial, reporter));
      } catch (const std::exception& error) {
        outcome.interrupted = interrupted.load();
        result = {TrialState::failed, std::nullopt, outcome.interrupted ? "interrupted" : error.what()};
      }
    }
    try {
      store.finish_trial(trial->id, result.state, result.value, result.error);
    } catch (const store::StoreError& error) {
      // Another process took this trial for lost (it beat too late) and may
      // have queued it again: its result stays unrecorded rather than doubled.
      std::cerr << fmt::format("bertlab: trial {}: result not recorded: {}\n", trial->number, error.what());
    }
    observer.trial_finished(store.trial(study.id, trial->number).value_or(*trial));
    outcome.numbers.push_back(trial->number);
    if (outcome.interrupted) break;
  }
  return outcome;
}

}  // namespace bertlab::search
