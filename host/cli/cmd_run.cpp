// `bertlab run`: runs the study an experiment file describes and records
// every trial in the store.
#include <atomic>
#include <csignal>
#include <iostream>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/study_progress.hpp"
#include "cli/trial_output.hpp"
#include "experiment/experiment.hpp"
#include "search/study_runner.hpp"

namespace bertlab::cli {

namespace {

std::atomic<bool> g_interrupted{false};

// The running trial notices at its next batch, is marked FAILED
// ("interrupted") and the store stays consistent.
void on_signal(int) { g_interrupted.store(true); }

void print_summary(std::ostream& out, const experiment::Experiment& experiment, const search::StudyOutcome& outcome) {
  auto store = store::open_store(experiment.store.string(), /*read_only=*/true);
  auto study = require_study(*store, outcome.study);
  std::vector<store::TrialRecord> ran;
  for (auto number : outcome.numbers)
    if (auto trial = store->trial(study.id, number)) ran.push_back(std::move(*trial));
  sort_by_value(ran, study.direction);
  out << fmt::format("\nstudy {}: {} trial(s) run\n", outcome.study, ran.size());
  auto table = trial_table(ran, study.metric);
  print_table(out, table.header, table.rows);
  if (outcome.best_value) {
    out << fmt::format("best trial of the study: {} with {} {}\n  params {}\n  model  {}\n", *outcome.best_number,
                       study.metric, format_number(outcome.best_value), outcome.best_params.dump(),
                       outcome.best_model);
  } else {
    out << "no trial of the study has completed\n";
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  struct Args {
    std::string experiment;
    std::vector<std::string> overrides;
    std::string store_path;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("run", "Run the study an experiment file describes");
  command->add_option("experiment", args->experiment, "Experiment TOML file")->required();
  command->add_option("--set", args->overrides, "Override a key: --set train.learning_rate=3e-5");
  auto* store = command->add_option("--store", args->store_path, "Trial store (default: the experiment's [store] path)");
  command->add_flag("--json", args->json, "Print a JSON summary as the last line");
  command->callback([args, store] {
    auto overrides = args->overrides;
    if (store->count() > 0) overrides.push_back("store.path=" + nlohmann::json(args->store_path).dump());
    auto experiment = experiment::load(args->experiment, overrides);
    if (store->count() > 0) experiment.store = args->store_path;  // relative to the working directory, as typed

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    StudyProgress progress;
    auto outcome = search::run_study(experiment, g_interrupted, progress);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    // The summary: this run's trials, best first (stdout unless stdout carries the JSON).
    print_summary(args->json ? std::cerr : std::cout, experiment, outcome);
    if (args->json) {
      nlohmann::json best = nullptr;
      if (outcome.best_value)
        best = {{"number", *outcome.best_number},
                {"value", *outcome.best_value},
                {"params", outcome.best_params},
                {"model", outcome.best_model}};
      std::cout << nlohmann::json{{"study", outcome.study}, {"trials", outcome.numbers.size()}, {"best", best}}.dump()
                << std::endl;
    }
    if (outcome.interrupted) throw ExitError(130, "interrupted; the running trial is recorded as FAILED");
  });
}

}  // namespace bertlab::cli
