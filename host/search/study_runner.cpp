#include "search/study_runner.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "bertlab/pruner.hpp"
#include "bertlab/searcher.hpp"
#include "bertlab/tokenizer.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "data/dataset.hpp"
#include "data/featurize.hpp"
#include "experiment/saved_task.hpp"
#include "model/bert_model.hpp"
#include "plugin/plugin_host.hpp"
#include "store/store.hpp"
#include "train/precision.hpp"
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

std::vector<TrialView> trial_views(const std::vector<store::TrialRecord>& records, const std::string& metric) {
  std::vector<TrialView> views;
  for (const auto& r : records) {
    TrialView view;
    view.number = r.number;
    view.state = r.state;
    view.params = util::table_from_json(r.params);
    view.value = r.value;
    for (const auto& iv : r.intermediate_values)
      if (iv.name == "eval_" + metric) view.intermediate_values[iv.step] = iv.value;
    views.push_back(std::move(view));
  }
  return views;
}

}  // namespace

StudyOutcome run_study(const experiment::Experiment& e, const std::atomic<bool>& interrupted,
                       StudyObserver& observer) {
  plugin::PluginHost host;
  for (const auto& dir : e.plugin_paths) host.load_from(dir, /*required=*/true);
  host.load_defaults();
  for (const auto& problem : host.problems()) std::cerr << "bertlab: skipped " << problem.message() << '\n';

  Table tokenizer_options = checkpoint::tokenizer_options(e.model_dir);
  for (const auto& [key, value] : e.tokenizer.options) tokenizer_options.insert_or_assign(key, value);
  auto tokenizer = host.create<Tokenizer>(e.tokenizer.plugin, Options(tokenizer_options, "tokenizer.options"));
  auto searcher = host.create<Searcher>(e.search.searcher.plugin, Options(e.search.searcher.options, "search.searcher.options"));
  std::shared_ptr<Pruner> pruner;
  if (e.search.pruner) pruner = host.create<Pruner>(e.search.pruner->plugin, Options(e.search.pruner->options, "search.pruner.options"));
  auto featurizer = host.create<Head>(e.head.plugin, Options(e.head.options, "head.options"));

  // Data: read and tokenized once per study.
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
  data.train_examples = std::move(train_set.examples);
  data.eval_examples = std::move(eval_set.examples);
  data.pad_id = tokenizer->special_tokens().pad_id;
  const std::string metric = e.search.metric.empty() ? featurizer->default_metric() : e.search.metric;
  const std::string fingerprint = train_set.fingerprint.substr(0, 16) + "/" + eval_set.fingerprint.substr(0, 16);

  auto store = store::open_store(e.store.string());
  auto study = store->get_or_create_study(e.study_name, e.text, metric, e.search.direction);
  std::int64_t trials = e.search.trials;
  if (auto capacity = searcher->capacity(e.search.space)) trials = std::min(trials, *capacity);
  nlohmann::json plugins = {{"tokenizer/" + e.tokenizer.plugin, host.find("tokenizer", e.tokenizer.plugin)->version},
                            {"head/" + e.head.plugin, host.find("head", e.head.plugin)->version},
                            {"searcher/" + e.search.searcher.plugin, host.find("searcher", e.search.searcher.plugin)->version}};

  // What the searcher and the pruner see: the study as the store holds it now.
  auto study_view = [&](const std::vector<store::TrialRecord>& records) {
    StudyView view;
    view.name = study.name;
    view.metric = metric;
    view.direction = study.direction;
    view.seed = static_cast<std::uint64_t>(e.train.seed);
    view.space = &e.search.space;
    view.trials = trial_views(records, metric);
    return view;
  };

  StudyOutcome outcome;
  outcome.study = e.study_name;
  for (std::int64_t i = 0; i < trials && !interrupted.load(); ++i) {
    bool exhausted = false;
    store::TrialRecord trial;
    try {
      trial = store->create_trial(study.id, [&](const std::vector<store::TrialRecord>& existing) {
        store::TrialInit init;
        auto params = searcher->ask(study_view(existing), static_cast<std::int64_t>(existing.size()));
        if (!params) {
          exhausted = true;
          throw std::runtime_error("search space exhausted");
        }
        init.params = util::to_json(*params);
        init.seed = e.train.seed;
        init.plugins = plugins;
        init.data_fingerprint = fingerprint;
        return init;
      });
    } catch (const std::exception&) {
      if (exhausted) break;  // a grid with every point taken: the study is complete
      throw;
    }
    const auto model_dir = e.store.parent_path() / "models" / e.study_name / std::to_string(trial.number);
    observer.trial_started(trial, i, trials);
    try {
      auto trial_experiment = experiment::with_params(e, util::table_from_json(trial.params));
      // The trial's own head options: a search space may tune them (e.g. head.options.dropout).
      auto head = host.create<Head>(e.head.plugin, Options(trial_experiment.head.options, "head.options"));
      train::TrainHooks hooks;
      hooks.interrupted = &interrupted;
      hooks.on_step = [&](std::int64_t step, std::int64_t total, double loss, double tokens_per_second) {
        observer.step(step, total, loss, tokens_per_second);
      };
      hooks.on_evaluation = [&](const train::Evaluation& evaluation) {
        std::vector<std::pair<std::string, double>> values{{"train_loss", evaluation.train_loss},
                                                           {"epoch", evaluation.epoch},
                                                           {"elapsed_s", evaluation.elapsed_seconds}};
        for (const auto& [name, value] : evaluation.metrics) values.emplace_back("eval_" + name, value);
        store->report_intermediate(trial.id, evaluation.step, values);
        observer.evaluated(evaluation, metric);
        if (!pruner) return false;
        auto view = study_view(store->trials(study.id));
        auto self = std::find_if(view.trials.begin(), view.trials.end(),
                                 [&](const TrialView& t) { return t.number == trial.number; });
        return pruner->should_prune(view, *self, evaluation.step);
      };
      auto result = train::train_trial(trial_experiment, metric, study.direction, *head, data, model_dir, hooks);
      store->set_attribute(trial.id, "tokens_per_second", result.tokens_per_second);
      store->set_attribute(trial.id, "steps", result.steps);
      store->set_attribute(trial.id, "best_step", result.best_step);
      store->set_attribute(trial.id, "precision", train::use_bf16(trial_experiment.train.precision) ? "bf16" : "fp32");
      if (result.best_value) {
        experiment::write_saved_task(model_dir, experiment::saved_task_of(trial_experiment, data.labels));
        store->add_artifact(trial.id, "model", fs::absolute(model_dir).string());
      }
      if (result.pruned) {
        store->finish_trial(trial.id, TrialState::pruned, result.best_value, "pruned");
      } else if (!result.best_value) {
        store->finish_trial(trial.id, TrialState::failed, std::nullopt, "no evaluation ran");
      } else {
        store->finish_trial(trial.id, TrialState::complete, result.best_value, "");
      }
    } catch (const train::InterruptedError&) {
      store->finish_trial(trial.id, TrialState::failed, std::nullopt, "interrupted");
      outcome.interrupted = true;
    } catch (const std::exception& error) {
      store->finish_trial(trial.id, TrialState::failed, std::nullopt, error.what());
    }
    if (auto memory = util::resident_memory()) {
      store->set_attribute(trial.id, "rss_mib", memory->current_mib);
      store->set_attribute(trial.id, "peak_rss_mib", memory->peak_mib);
    }
    observer.trial_finished(store->trial(study.id, trial.number).value_or(trial));
    outcome.numbers.push_back(trial.number);
  }

  for (const auto& record : store->trials(study.id)) {
    if (record.state != TrialState::complete || !record.value) continue;
    if (!outcome.best_value || (study.direction == Direction::maximize ? *record.value > *outcome.best_value
                                                                       : *record.value < *outcome.best_value)) {
      outcome.best_value = record.value;
      outcome.best_number = record.number;
      outcome.best_params = record.params;
      outcome.best_model = record.artifacts.empty() ? "" : record.artifacts.front().path;
    }
  }
  return outcome;
}

}  // namespace bertlab::search
