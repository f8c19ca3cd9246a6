// The trainer on a small random BERT and a toy task, for tests of training
// mechanics (transfer, gradual pruning, distillation): an experiment file
// over a saved tiny model, a fine-tune that keeps its log lines, and a store
// that names a trained model as a trial.
#pragma once

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "builtin_plugins.hpp"
#include "experiment/experiment.hpp"
#include "experiment/saved_task.hpp"
#include "store/store.hpp"
#include "support.hpp"
#include "tiny_bert.hpp"
#include "train/trainer.hpp"

namespace bertlab::test {

namespace fs = std::filesystem;

inline const std::vector<std::string> kBinary{"neg", "pos"};

// An experiment over the tiny model: `model` is the [model] section's
// body; `overrides` as --set gives them ("train.freeze_layers=1").
inline experiment::Experiment tiny_experiment(const ScratchDir& dir, const std::string& model,
                                       const std::vector<std::string>& overrides = {}) {
  std::ofstream(dir / "e.toml") << "[model]\n" << model << "\n[data]\ntrain = \"t.tsv\"\neval = \"e.tsv\"\n"
                                << "[train]\nmax_steps = 3\nbatch_size = 8\nlearning_rate = 1e-3\nwarmup_ratio = 0\nseed = 1\n"
                                << "[store]\npath = \"h.db\"\n";
  return experiment::load(dir / "e.toml", overrides);
}

inline std::shared_ptr<Head> classifier() {
  return builtin_plugins().create<Head>("sequence-classification", Options(Table{{"dropout", 0.0}}, "head.options"));
}

struct Run {
  std::vector<std::string> log;
  std::shared_ptr<Head> head;
};

inline Run fine_tune(const experiment::Experiment& e, const std::vector<std::string>& labels, const fs::path& output) {
  Run run;
  run.head = classifier();
  train::TrainHooks hooks;
  hooks.log = [&](const std::string& line) { run.log.push_back(line); };
  train::train_trial(e, "accuracy", Direction::maximize, *run.head, toy_prepared(labels), output, hooks);
  return run;
}

inline bool logged(const Run& run, const std::string& text) {
  for (const auto& line : run.log)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

// Registers `model_dir` as the "model" artifact of trial 0 of a new study `name`.
inline void record_trial(const fs::path& db, const std::string& name, const fs::path& model_dir) {
  auto store = store::open_store(db.string());
  auto study = store->get_or_create_study(name, "", "accuracy", Direction::maximize);
  auto trial = store->create_trial(study.id, [](const auto&, const auto&) { return store::TrialInit{}; });
  store->add_artifact(trial.id, "model", fs::absolute(model_dir).string());
  store->finish_trial(trial.id, TrialState::complete, 0.5, "");
  // A second trial that failed and saved nothing.
  auto failed = store->create_trial(study.id, [](const auto&, const auto&) { return store::TrialInit{}; });
  store->finish_trial(failed.id, TrialState::failed, std::nullopt, "diverged");
}

// A fine-tuned source trial: the tiny BERT trained on the binary task, saved with its bertlab.json.
inline fs::path source_trial(const ScratchDir& dir) {
  save_tiny_bert(dir / "base");
  auto e = tiny_experiment(dir, "path = \"base\"", {"train.max_steps=4"});
  const auto out = dir / "source";
  fine_tune(e, kBinary, out);
  experiment::write_saved_task(out, experiment::saved_task_of(e, kBinary));
  record_trial(dir / "h.db", "src", out);
  return out;
}

}  // namespace bertlab::test
