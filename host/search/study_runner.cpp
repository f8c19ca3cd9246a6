#include "search/study_runner.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "augment/augmented_data.hpp"
#include "bertlab/tokenizer.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "data/data_signature.hpp"
#include "data/dataset.hpp"
#include "data/featurize.hpp"
#include "experiment/saved_task.hpp"
#include "model/bert_model.hpp"
#include "plugin/plugin_host.hpp"
#include "pretrain/pretrain_study.hpp"
#include "search/warm_start.hpp"
#include "store/location.hpp"
#include "store/store.hpp"
#include "train/hidden_mixing.hpp"
#include "train/trainer.hpp"
#include "util/json_value.hpp"
#include "util/process_memory.hpp"

namespace bertlab::search {

namespace fs = std::filesystem;

namespace {

data::Columns columns_of(const experiment::DataSection& data) {
  return {.format = data.format,
          .text = data.text_column,
          .text_pair = data.text_pair_column,
          .label = data.label_column,
          .tag_column = data.tag_column,
          .tag_scheme = data.tag_scheme};
}

}  // namespace

void load_plugins(plugin::PluginHost& host, const experiment::Experiment& e) {
  for (const auto& dir : e.plugin_paths) host.load_from(dir, /*required=*/true);
  host.load_defaults();
  for (const auto& problem : host.problems()) std::cerr << "bertlab: skipped " << problem.message() << '\n';
}

namespace {

std::string study_metric(const experiment::Experiment& e, Head& head) {
  return e.search.metric.empty() ? head.default_metric() : e.search.metric;
}

}  // namespace

void refuse_existing_study(store::Store& store, const experiment::Experiment& e) {
  if (store.find_study(e.study_name))
    throw experiment::ExperimentError(fmt::format(
        "{}: study '{}' already exists in {}; `bertlab run --resume` continues it to search.trials, or give "
        "[study] name (--set study.name=...) to start another",
        e.file.string(), e.study_name, store.location()));
}

store::StudyRecord open_study(store::Store& store, const experiment::Experiment& e, const std::string& metric,
                              StudyMode mode) {
  if (mode == StudyMode::create) refuse_existing_study(store, e);
  if (auto existing = store.find_study(e.study_name)) {
    if (mode == StudyMode::resume && existing->experiment != e.text)
      std::cerr << fmt::format("bertlab: warning: the experiment differs from the one study '{}' recorded; "
                               "this process runs the given one, workers started later run the recorded one\n",
                               e.study_name);
  }
  return store.get_or_create_study(e.study_name, e.text, metric, e.search.direction, fs::absolute(e.file).string());
}

store::StudyRecord open_study(const experiment::Experiment& e, StudyMode mode) {
  plugin::PluginHost host;
  load_plugins(host, e);
  std::string metric = e.search.metric;
  if (!e.pretrain) metric = study_metric(e, *host.create<Head>(e.head.plugin, Options(e.head.options, "head.options")));
  auto store = store::open_store(e.store.string());
  return open_study(*store, e, metric, mode);
}

LoopSettings loop_settings(const experiment::Experiment& e, store::Store& store, const store::StudyRecord& study,
                           const std::string& metric, const std::vector<std::uint64_t>& data_signature,
                           std::int64_t n_trials) {
  LoopSettings settings;
  settings.n_trials = n_trials;
  settings.metric = metric;
  settings.seed = static_cast<std::uint64_t>(e.train.seed);
  settings.space = &e.search.space;
  settings.history = warm_start_history(store, e, study, data_signature);
  settings.heartbeat_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(e.search.heartbeat_timeout * 1000));
  // Several beats per timeout, so that one late beat is not a lost worker.
  settings.heartbeat_interval = std::max(std::chrono::milliseconds(100), settings.heartbeat_timeout / 4);
  settings.retry_failed = e.search.retry_failed;
  return settings;
}

// Beside an SQLite store; with a server store, beside the experiment file on
// the machine that ran the trial (the artifact records that machine's path).
std::filesystem::path trial_model_dir(const experiment::Experiment& e, std::int64_t number) {
  const fs::path root = store::is_server_location(e.store.string()) ? e.file.parent_path() : e.store.parent_path();
  return root / "models" / e.study_name / std::to_string(number);
}

train::TrainHooks trial_hooks(const std::atomic<bool>& interrupted, StudyObserver& observer, TrialReporter& reporter,
                              const std::string& metric) {
  train::TrainHooks hooks;
  hooks.interrupted = &interrupted;
  hooks.on_step = [&observer](std::int64_t step, std::int64_t total, double loss, double tokens_per_second) {
    observer.step(step, total, loss, tokens_per_second);
  };
  hooks.on_evaluation = [&observer, &reporter, metric](const train::Evaluation& evaluation) {
    std::vector<std::pair<std::string, double>> values{{"train_loss", evaluation.train_loss},
                                                       {"epoch", evaluation.epoch},
                                                       {"elapsed_s", evaluation.elapsed_seconds}};
    for (const auto& [name, value] : evaluation.metrics) values.emplace_back("eval_" + name, value);
    observer.evaluated(evaluation, metric);
    return reporter.report(evaluation.step, values);
  };
  return hooks;
}

TrialResult finish_objective(store::Store& store, const store::TrialRecord& trial,
                             const experiment::Experiment& trial_experiment, const train::TrainResult& result,
                             const std::filesystem::path& model_dir, const std::function<void()>& before_artifact) {
  store.set_attribute(trial.id, "tokens_per_second", result.tokens_per_second);
  store.set_attribute(trial.id, "steps", result.steps);
  store.set_attribute(trial.id, "best_step", result.best_step);
  if (result.sparsity) store.set_attribute(trial.id, "sparsity", *result.sparsity);
  if (trial_experiment.distill)
    store.set_attribute(trial.id, "distilled_from",
                        trial_experiment.distill->teacher.empty() ? trial_experiment.distill->teacher_dir.string()
                                                                  : trial_experiment.distill->teacher);
  store.set_attribute(trial.id, "device", result.device);
  store.set_attribute(trial.id, "precision", result.precision);
  if (result.precision == "fp16") store.set_attribute(trial.id, "skipped_steps", result.skipped_steps);
  if (auto memory = util::resident_memory()) {
    store.set_attribute(trial.id, "rss_mib", memory->current_mib);
    store.set_attribute(trial.id, "peak_rss_mib", memory->peak_mib);
  }
  if (result.pruned) {
    // A pruned trial is not a candidate model: the checkpoint of its best evaluation goes.
    std::error_code ignored;
    fs::remove_all(model_dir, ignored);
    return {TrialState::pruned, result.last_value, fmt::format("pruned at step {}", result.steps)};
  }
  if (!result.best_value) return {TrialState::failed, std::nullopt, "no evaluation ran"};
  if (before_artifact) before_artifact();
  store.add_artifact(trial.id, "model", fs::absolute(model_dir).string());
  return {TrialState::complete, result.best_value, ""};
}

void find_best(store::Store& store, const store::StudyRecord& study, StudyOutcome& outcome) {
  for (const auto& record : store.trials(study.id)) {
    if (record.state != TrialState::complete || !record.value) continue;
    if (!outcome.best_value || (study.direction == Direction::maximize ? *record.value > *outcome.best_value
                                                                       : *record.value < *outcome.best_value)) {
      outcome.best_value = record.value;
      outcome.best_number = record.number;
      outcome.best_params = record.params;
      outcome.best_model = record.artifacts.empty() ? "" : record.artifacts.front().path;
    }
  }
}

StudyOutcome run_study(const experiment::Experiment& e, StudyMode mode, const std::atomic<bool>& interrupted,
                       StudyObserver& observer) {
  if (e.pretrain) return pretrain::run_pretraining_study(e, mode, interrupted, observer);
  if (e.model_dir.empty())
    throw experiment::ExperimentError(fmt::format(
        "{}: key 'model.path': required for fine-tuning ([model] config describes a model to pretrain from scratch, "
        "which needs a [pretrain] section)", e.file.string()));
  plugin::PluginHost host;
  load_plugins(host, e);

  Table tokenizer_options = checkpoint::tokenizer_options(e.model_dir);
  for (const auto& [key, value] : e.tokenizer.options) tokenizer_options.insert_or_assign(key, value);
  auto tokenizer = host.create<Tokenizer>(e.tokenizer.plugin, Options(tokenizer_options, "tokenizer.options"));
  auto searcher = host.create<Searcher>(e.search.searcher.plugin, Options(e.search.searcher.options, "search.searcher.options"));
  std::shared_ptr<Pruner> pruner;
  if (e.search.pruner) pruner = host.create<Pruner>(e.search.pruner->plugin, Options(e.search.pruner->options, "search.pruner.options"));
  auto featurizer = host.create<Head>(e.head.plugin, Options(e.head.options, "head.options"));
  train::make_hidden_state_mixers(host, e);  // bad mixup options fail here, before the data is read

  // Refused before the data is read: a rerun by mistake should not cost minutes of tokenizing.
  if (mode == StudyMode::create && store::store_exists(e.store.string())) refuse_existing_study(*store::open_store(e.store.string()), e);

  // Data: read and tokenized once per process.
  if (e.data.eval.empty()) throw experiment::ExperimentError(fmt::format("{}: key 'data.eval': required for a study (trials are scored on it)", e.file.string()));
  auto train_columns = columns_of(e.data), eval_columns = columns_of(e.data);
  train_columns.articles = e.data.train_articles;
  eval_columns.articles = e.data.eval_articles;
  auto train_set = data::read_dataset(e.data.train, train_columns, e.data.train_limit, true);
  auto eval_set = data::read_dataset(e.data.eval, eval_columns, e.data.eval_limit, true);
  train::PreparedData data;
  data.labels = e.data.labels.empty() ? featurizer->collect_labels(train_set.examples) : e.data.labels;
  {
    // featurize needs the label ids; the encoder's shape makes the (unused) layers valid.
    HeadContext context;
    context.encoder = model::encoder_info(model::BertConfig::load(e.model_dir / "config.json"));
    context.labels = data.labels;
    featurizer->build(context);
  }
  EncodeOptions encode;
  encode.max_length = e.max_length;
  const auto tokenizing = std::chrono::steady_clock::now();
  data.train_features = data::featurize(*featurizer, train_set, *tokenizer, encode);
  data.eval_features = data::featurize(*featurizer, eval_set, *tokenizer, encode);
  std::cerr << fmt::format("bertlab: {} train / {} eval examples ({} / {} features) tokenized in {:.1f} s\n",
                           train_set.examples.size(), eval_set.examples.size(), data.train_features.size(),
                           data.eval_features.size(),
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - tokenizing).count());
  const auto signature = data::data_signature(train_set.examples);
  data.train_examples = std::move(train_set.examples);
  data.eval_examples = std::move(eval_set.examples);
  data.pad_id = tokenizer->special_tokens().pad_id;
  const std::string metric = study_metric(e, *featurizer);
  const std::string fingerprint = train_set.fingerprint.substr(0, 16) + "/" + eval_set.fingerprint.substr(0, 16);

  auto store = store::open_store(e.store.string());
  const auto study = open_study(*store, e, metric, mode);
  std::int64_t trials = e.search.trials;
  if (auto capacity = searcher->capacity(e.search.space)) trials = std::min(trials, *capacity);
  nlohmann::json plugins = {
      {"tokenizer/" + e.tokenizer.plugin, host.find("tokenizer", e.tokenizer.plugin)->version},
      {"head/" + e.head.plugin, host.find("head", e.head.plugin)->version},
      {"searcher/" + e.search.searcher.plugin, host.find("searcher", e.search.searcher.plugin)->version}};
  for (const auto& entry : e.augment)
    if (const auto* record = host.find("augmentation", entry.plugin)) plugins["augmentation/" + entry.plugin] = record->version;

  auto settings = loop_settings(e, *store, study, metric, signature, trials);
  settings.trial_init = [&] {
    store::TrialInit init;
    init.seed = e.train.seed;
    init.plugins = plugins;
    init.data_fingerprint = fingerprint;
    return init;
  };

  const auto objective = [&](const store::TrialRecord& trial, TrialReporter& reporter) -> TrialResult {
    const auto model_dir = trial_model_dir(e, trial.number);
    store->set_attribute(trial.id, "data_signature", signature);
    auto trial_experiment = experiment::with_params(e, util::table_from_json(trial.params));
    // The trial's own head options: a search space may tune them (e.g. head.options.dropout).
    auto head = host.create<Head>(e.head.plugin, Options(trial_experiment.head.options, "head.options"));
    // Example-level augmentation: new training examples from the trial's seed and its
    // augment.<plugin>.<option> parameters, featurized here; eval data stays as it is.
    const train::PreparedData* trial_data = &data;
    augment::AugmentedData augmented;
    auto augmentations = augment::create_augmentations(host, trial_experiment.augment);
    if (!augmentations.example.empty()) {
      augmented = augment::with_augmentations(data, augmentations.example,
                                              static_cast<std::uint64_t>(trial_experiment.train.seed),
                                              *featurizer, *tokenizer, encode);
      trial_data = &augmented.data;
      std::cerr << fmt::format("bertlab: trial {}: augmentation added {} training examples to {} ({})\n", trial.number,
                               augmented.added, data.train_examples.size(), augmented.summary);
      store->set_attribute(trial.id, "augmented_examples", static_cast<std::int64_t>(augmented.added));
    }
    auto hooks = trial_hooks(interrupted, observer, reporter, metric);
    // Hidden-state augmentation (mixup): the trial's own plugin options, which a search may tune.
    hooks.hidden_state_mixers = train::hidden_state_mixers(trial_experiment, std::move(augmentations.hidden_states));
    auto result = train::train_trial(trial_experiment, metric, study.direction, *head, *trial_data, model_dir, hooks);
    return finish_objective(*store, trial, trial_experiment, result, model_dir, [&] {
      experiment::write_saved_task(model_dir, experiment::saved_task_of(trial_experiment, data.labels));
    });
  };

  const auto loop = run_trials(*store, study, *searcher, pruner.get(), settings, objective, interrupted, observer);
  StudyOutcome outcome;
  outcome.study = e.study_name;
  outcome.numbers = loop.numbers;
  outcome.interrupted = loop.interrupted;
  find_best(*store, study, outcome);
  return outcome;
}

}  // namespace bertlab::search
