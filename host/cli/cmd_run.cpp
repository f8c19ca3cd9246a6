// `bertlab run`: runs the study an experiment file describes and records
// every trial in the store; `bertlab worker` joins a study from another
// shell (or is started by `run --workers N`).
#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/study_progress.hpp"
#include "cli/trial_output.hpp"
#include "cli/worker_processes.hpp"
#include "experiment/experiment.hpp"
#include "search/study_runner.hpp"
#include "store/location.hpp"
#include "store/store.hpp"

namespace bertlab::cli {

namespace {

std::atomic<bool> g_interrupted{false};

// The running trial notices at its next batch, is marked FAILED
// ("interrupted") and the store stays consistent.
void on_signal(int) { g_interrupted.store(true); }

// Ctrl-C or kill: the running trial notices at its next batch.
struct SignalScope {
  SignalScope() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
  }
  ~SignalScope() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
};

void print_summary(std::ostream& out, const std::string& store_path, const search::StudyOutcome& outcome) {
  auto store = store::open_store(store_path, /*read_only=*/true);
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

void print_outcome(bool json, const std::string& store_path, const search::StudyOutcome& outcome) {
  // The summary: this run's trials, best first (stdout unless stdout carries the JSON).
  print_summary(json ? std::cerr : std::cout, store_path, outcome);
  if (json) {
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
}

// `--workers N`: the study is created here, the trials run in N worker processes.
search::StudyOutcome run_with_workers(const experiment::Experiment& experiment, search::StudyMode mode, int workers) {
  const auto study = search::open_study(experiment, mode);
  const std::string store_path = store::absolute_location(experiment.store.string());
  std::int64_t before = 0;
  {
    auto store = store::open_store(store_path);
    before = static_cast<std::int64_t>(store->trials(study.id).size());
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::max(1, static_cast<int>(experiment.train.threads > 0 ? experiment.train.threads : cores) / workers);
  std::cerr << fmt::format("bertlab: study {}: {} workers, {} thread(s) each\n", study.name, workers, threads);
  const auto exits = run_workers(workers, store_path, study.name, threads);

  search::StudyOutcome outcome;
  outcome.study = study.name;
  auto store = store::open_store(store_path);
  for (const auto& trial : store->trials(study.id))
    if (trial.number >= before) outcome.numbers.push_back(trial.number);
  search::find_best(*store, study, outcome);
  for (const auto& exit : exits) {
    if (exit.exit_code == 130) outcome.interrupted = true;
    else if (exit.exit_code != 0)
      std::cerr << fmt::format("bertlab: worker w{} exited with status {}\n", exit.index, exit.exit_code);
  }
  return outcome;
}

}  // namespace

namespace {

struct RunArgs {
  std::string experiment;
  std::vector<std::string> overrides;
  std::string store_path;
  bool json = false;
  bool resume = false;
  int workers = 1;
};

CLI::App* add_study_command(CLI::App& app, const std::string& name, const std::string& description, bool pretraining) {
  auto args = std::make_shared<RunArgs>();
  auto* command = app.add_subcommand(name, description);
  command->add_option("experiment", args->experiment, "Experiment TOML file")->required();
  command->add_option("--set", args->overrides, "Override a key: --set train.learning_rate=3e-5");
  auto* store = command->add_option("--store", args->store_path, "Trial store (default: the experiment's [store] path)");
  command->add_flag("--json", args->json, "Print a JSON summary as the last line");
  command->add_flag("--resume", args->resume, "Continue an existing study of that name to search.trials");
  command->add_option("--workers", args->workers, "Worker processes sharing the study (threads split among them)")
      ->check(CLI::Range(1, 256));
  command->callback([args, store, pretraining] {
    auto overrides = args->overrides;
    // Absolute, so that [model] from_trial is looked up in this store while
    // the experiment is read (a relative path there is the file's folder's).
    if (store->count() > 0)
      overrides.push_back("store.path=" + nlohmann::json(store::absolute_location(args->store_path)).dump());
    auto experiment = experiment::load(args->experiment, overrides);
    if (store->count() > 0) experiment.store = args->store_path;  // relative to the working directory, as typed
    if (pretraining && !experiment.pretrain)
      throw ExitError(kExitUsage, fmt::format("{}: no [pretrain] section: `bertlab pretrain` runs pretraining "
                                              "experiments (`bertlab run` fine-tunes)", args->experiment));
    const auto mode = args->resume ? search::StudyMode::resume : search::StudyMode::create;

    SignalScope signals;
    search::StudyOutcome outcome;
    if (args->workers > 1) {
      outcome = run_with_workers(experiment, mode, args->workers);
    } else {
      StudyProgress progress;
      outcome = search::run_study(experiment, mode, g_interrupted, progress);
    }
    print_outcome(args->json, experiment.store.string(), outcome);
  });
  return command;
}

}  // namespace

void add_run_command(CLI::App& app) {
  add_study_command(app, "run", "Run the study an experiment file describes", false);
}

// Pretraining is a study like any other (its experiment has a [pretrain]
// section, which `run` also accepts); this name says what the file is for.
void add_pretrain_command(CLI::App& app) {
  add_study_command(app, "pretrain", "Pretrain (MLM + NSP) as an experiment file with a [pretrain] section describes",
                    true);
}

void add_worker_command(CLI::App& app) {
  struct Args {
    std::string store_path;
    std::string study;
    int threads = 0;
    std::string label;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("worker", "Join a running study: run its trials until it has search.trials of them");
  add_store_option(*command, args->store_path);
  command->add_option("--study", args->study, "The study to join")->required();
  command->add_option("--threads", args->threads, "Intra-op threads (default: the experiment's train.threads)")
      ->check(CLI::PositiveNumber);
  command->add_option("--label", args->label, "A name for this worker in log lines");
  command->add_flag("--json", args->json, "Print a JSON summary as the last line");
  command->callback([args] {
    auto store = store::open_store(args->store_path, /*read_only=*/true);
    const auto study = require_study(*store, args->study);
    store.reset();
    const std::string store_path = store::absolute_location(args->store_path);
    std::vector<std::string> overrides{"store.path=" + nlohmann::json(store_path).dump()};
    if (args->threads > 0) overrides.push_back(fmt::format("train.threads={}", args->threads));
    auto experiment = experiment::load_recorded(study.experiment, study.experiment_file, overrides);

    SignalScope signals;
    StudyProgress progress(args->label.empty() ? "worker" : args->label);
    auto outcome = search::run_study(experiment, search::StudyMode::join, g_interrupted, progress);
    print_outcome(args->json, store_path, outcome);
  });
}

}  // namespace bertlab::cli
