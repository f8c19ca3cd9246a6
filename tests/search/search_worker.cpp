// A study process with a cheap objective, for the parallel-worker tests:
// the same trial loop as `bertlab run` and `bertlab worker` (run_trials),
// with Branin in place of fine-tuning.
//
//   search_worker STORE STUDY N_TRIALS SLEEP_MS TIMEOUT_MS [retry]
//
// Prints "trial N" when a trial starts (after its row exists) and "done K"
// with the count of trials it ran at the end.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "plugin/plugin_host.hpp"
#include "search/trial_loop.hpp"
#include "search_objectives.hpp"
#include "util/json_value.hpp"

using namespace bertlab;

namespace {

class PrintingObserver final : public search::LoopObserver {
 public:
  void trial_started(const store::TrialRecord& trial, std::int64_t, std::int64_t) override {
    std::cout << "trial " << trial.number << std::endl;
  }
  void trial_finished(const store::TrialRecord&) override {}
  void lost_trials(const std::vector<std::int64_t>& numbers) override {
    for (auto n : numbers) std::cout << "lost " << n << std::endl;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: search_worker STORE STUDY N_TRIALS SLEEP_MS TIMEOUT_MS [retry]\n";
    return 2;
  }
  const std::string location = argv[1], study_name = argv[2];
  const auto sleep = std::chrono::milliseconds(std::atoll(argv[4]));
  const auto objective_def = bench::branin_objective();

  plugin::PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR, true);
  auto searcher = host.create<Searcher>("random", Options(Table{}));
  auto store = store::open_store(location);
  const auto study = store->get_or_create_study(study_name, "synthetic", "value", Direction::minimize);

  search::LoopSettings settings;
  settings.n_trials = std::atoll(argv[3]);
  settings.metric = "value";
  settings.seed = 1;
  settings.space = &objective_def.space;
  settings.heartbeat_timeout = std::chrono::milliseconds(std::atoll(argv[5]));
  settings.heartbeat_interval = settings.heartbeat_timeout / 4;
  settings.retry_failed = argc > 6 && std::string(argv[6]) == "retry";

  const auto objective = [&](const store::TrialRecord& trial, search::TrialReporter& reporter) {
    const auto params = util::table_from_json(trial.params);
    const double value = objective_def.evaluate(params, 0);
    std::this_thread::sleep_for(sleep / 2);
    reporter.report(1, {{"eval_value", value}});
    std::this_thread::sleep_for(sleep / 2);
    return search::TrialResult{TrialState::complete, value, ""};
  };
  std::atomic<bool> interrupted{false};
  PrintingObserver observer;
  const auto outcome = search::run_trials(*store, study, *searcher, nullptr, settings, objective, interrupted, observer);
  std::cout << "done " << outcome.numbers.size() << std::endl;
  return 0;
}
