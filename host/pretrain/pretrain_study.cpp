#include "pretrain/pretrain_study.hpp"

#include <chrono>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "bertlab/tokenizer.hpp"
#include "checkpoint/hf_model.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "data/data_signature.hpp"
#include "plugin/plugin_host.hpp"
#include "pretrain/corpus.hpp"
#include "pretrain/pretrainer.hpp"
#include "store/location.hpp"
#include "store/store.hpp"
#include "util/json_value.hpp"
#include "util/splitmix.hpp"

namespace bertlab::pretrain {

namespace fs = std::filesystem;

namespace {

// Seed streams of the data preparation (the trial's own streams are in pretrainer.cpp).
constexpr std::uint64_t kSplitStream = 11, kTrainInstanceStream = 12, kEvalInstanceStream = 13;

CorpusSource corpus_source(const experiment::Experiment& e, const fs::path& file, std::int64_t limit) {
  return {.file = file, .format = e.data.format, .text_column = e.data.text_column, .limit = limit};
}

// The tokenizer's options: the checkpoint's files, or for a model from
// scratch the [model] vocab, with [tokenizer] options on top.
Table tokenizer_options(const experiment::Experiment& e) {
  Table options = e.model_dir.empty() ? Table{{"vocab", e.model_vocab.string()}, {"lowercase", true}}
                                      : checkpoint::tokenizer_options(e.model_dir);
  for (const auto& [key, value] : e.tokenizer.options) options.insert_or_assign(key, value);
  return options;
}

struct PreparedCorpus {
  PretrainData data;
  std::string fingerprint;
  std::vector<std::uint64_t> signature;
};

PreparedCorpus prepare_corpus(const experiment::Experiment& e, const Tokenizer& tokenizer) {
  const auto& p = *e.pretrain;
  const auto started = std::chrono::steady_clock::now();
  const auto seed = static_cast<std::uint64_t>(e.train.seed);
  std::unordered_set<std::string> word_list;
  if (!p.word_list.empty()) word_list = read_word_list(p.word_list);

  auto train_text = read_documents(corpus_source(e, e.data.train, e.data.train_limit));
  std::vector<std::vector<std::string>> eval_text;
  if (!e.data.eval.empty()) {
    eval_text = read_documents(corpus_source(e, e.data.eval, e.data.eval_limit));
  } else {
    // Held-out documents: a seeded choice, the same for every trial.
    std::mt19937_64 rng(util::derive_seed(seed, kSplitStream, 0));
    std::shuffle(train_text.begin(), train_text.end(), rng);
    auto held_out = static_cast<std::size_t>(std::ceil(p.eval_fraction * static_cast<double>(train_text.size())));
    held_out = std::min(held_out, train_text.size() - 1);
    if (held_out == 0)
      throw experiment::ExperimentError(fmt::format(
          "{}: key 'pretrain.eval_fraction': holds out no document of {} ({} documents); give data.eval or more text",
          e.file.string(), e.data.train.string(), train_text.size()));
    eval_text.assign(std::make_move_iterator(train_text.end() - static_cast<std::ptrdiff_t>(held_out)),
                     std::make_move_iterator(train_text.end()));
    train_text.resize(train_text.size() - held_out);
  }

  PreparedCorpus out;
  out.signature = [&] {
    std::vector<Example> sample;
    for (std::size_t d = 0; d < std::min<std::size_t>(train_text.size(), 2000); ++d) {
      Example example;
      for (const auto& sentence : train_text[d]) example.text += sentence + " ";
      sample.push_back(std::move(example));
    }
    return data::data_signature(sample);
  }();
  const auto train_documents = tokenize_documents(train_text, tokenizer, word_list);
  const auto eval_documents = tokenize_documents(eval_text, tokenizer, word_list);
  const auto special = tokenizer.special_tokens();
  InstanceOptions options{.max_length = e.max_length, .short_seq_probability = p.short_seq_probability,
                          .next_sentence = p.next_sentence};
  std::mt19937_64 train_rng(util::derive_seed(seed, kTrainInstanceStream, 0));
  std::mt19937_64 eval_rng(util::derive_seed(seed, kEvalInstanceStream, 0));
  auto& data = out.data;
  data.train = create_instances(train_documents, special, options, train_rng);
  data.eval = create_instances(eval_documents, special, options, eval_rng);
  data.next_sentence = p.next_sentence;
  data.pad_id = special.pad_id;
  data.masking = MaskingOptions{.probability = p.mask_probability,
                                .mask_ratio = p.mask_token_ratio,
                                .random_ratio = p.random_token_ratio,
                                .max_predictions = p.max_predictions,
                                .whole_word = p.whole_word_masking,
                                .vocab_size = tokenizer.vocab_size(),
                                .mask_id = special.mask_id};

  std::int64_t tokens = 0;
  for (const auto& instance : data.train) tokens += static_cast<std::int64_t>(instance.ids.size());
  std::cerr << fmt::format(
      "bertlab: corpus {}: {} train / {} eval documents -> {} train / {} eval instances ({} tokens, {:.1f} per "
      "instance), prepared in {:.1f} s\n",
      e.data.train.filename().string(), train_documents.size(), eval_documents.size(), data.train.size(),
      data.eval.size(), tokens, static_cast<double>(tokens) / static_cast<double>(std::max<std::size_t>(1, data.train.size())),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  out.fingerprint = fmt::format("corpus:{}:{}", train_documents.size(), tokens);
  return out;
}

// The config of a model from scratch: [model.config] with the vocabulary's size.
model::BertConfig scratch_config(const experiment::Experiment& e, std::int64_t vocab_size) {
  auto json = util::to_json(e.model_config);
  json["model_type"] = "bert";
  if (!json.contains("vocab_size")) json["vocab_size"] = vocab_size;
  auto config = model::BertConfig::from_json(json, e.file.string() + ": [model.config]");
  if (config.vocab_size != vocab_size)
    throw experiment::ExperimentError(fmt::format("{}: key 'model.config.vocab_size': {} differs from the {} tokens of {}",
                                                  e.file.string(), config.vocab_size, vocab_size, e.model_vocab.string()));
  return config;
}

// The model a trial starts from, with a line saying where each part came from.
PretrainModel starting_model(const experiment::Experiment& e, const Tokenizer& tokenizer, const fs::path& output_dir) {
  const auto seed = static_cast<std::uint64_t>(e.train.seed);
  PretrainModel model;
  if (!e.model_dir.empty()) {
    auto loaded = checkpoint::load_model(e.model_dir);
    model.bert = loaded.model;
    model.heads = BertPreTrainingHeads(model.bert->config(), model.bert->embeddings->word_embeddings->weight);
    if (model.heads->load_checkpoint_tensors(loaded.other_tensors) > 0) {
      std::cerr << fmt::format("bertlab: continuing pretraining of {} with its MLM/NSP heads\n", e.model_dir.string());
    } else {
      model.heads->init_weights(model.bert->config().initializer_range, seed);
      std::cerr << fmt::format("bertlab: continuing pretraining of {}; it has no cls.* tensors, the MLM/NSP heads "
                               "start as Hugging Face initializes them\n", e.model_dir.string());
    }
    model.tokenizer_dir = e.model_dir;
  } else {
    const auto config = scratch_config(e, tokenizer.vocab_size());
    model.bert = model::BertModel(config);
    model.bert->init_weights(seed);
    model.heads = BertPreTrainingHeads(config, model.bert->embeddings->word_embeddings->weight);
    model.heads->init_weights(config.initializer_range, util::splitmix64(seed));
    // The tokenizer files of a model from scratch go beside its weights.
    fs::create_directories(output_dir);
    fs::copy_file(e.model_vocab, output_dir / "vocab.txt", fs::copy_options::overwrite_existing);
    const auto options = tokenizer_options(e);
    const auto lowercase = options.count("lowercase") ? options.at("lowercase").as_bool() : true;
    std::ofstream(output_dir / "tokenizer_config.json")
        << nlohmann::json{{"do_lower_case", lowercase}, {"tokenizer_class", "BertTokenizer"},
                          {"model_max_length", config.max_position_embeddings}}
               .dump(2)
        << '\n';
    std::cerr << fmt::format("bertlab: pretraining from scratch: {} layers, hidden {}, {} heads, vocabulary {}\n",
                             config.num_hidden_layers, config.hidden_size, config.num_attention_heads, config.vocab_size);
  }
  return model;
}

}  // namespace

search::StudyOutcome run_pretraining_study(const experiment::Experiment& e, search::StudyMode mode,
                                           const std::atomic<bool>& interrupted, search::StudyObserver& observer) {
  plugin::PluginHost host;
  search::load_plugins(host, e);
  auto tokenizer = host.create<Tokenizer>(e.tokenizer.plugin, Options(tokenizer_options(e), "tokenizer.options"));
  auto searcher = host.create<Searcher>(e.search.searcher.plugin, Options(e.search.searcher.options, "search.searcher.options"));
  std::shared_ptr<Pruner> pruner;
  if (e.search.pruner) pruner = host.create<Pruner>(e.search.pruner->plugin, Options(e.search.pruner->options, "search.pruner.options"));
  if (mode == search::StudyMode::create && store::store_exists(e.store.string())) search::refuse_existing_study(*store::open_store(e.store.string()), e);

  const auto corpus = prepare_corpus(e, *tokenizer);
  const std::string& metric = e.search.metric;
  auto store = store::open_store(e.store.string());
  const auto study = search::open_study(*store, e, metric, mode);
  const nlohmann::json plugins = {
      {"tokenizer/" + e.tokenizer.plugin, host.find("tokenizer", e.tokenizer.plugin)->version},
      {"searcher/" + e.search.searcher.plugin, host.find("searcher", e.search.searcher.plugin)->version}};
  std::int64_t trials = e.search.trials;
  if (auto capacity = searcher->capacity(e.search.space)) trials = std::min(trials, *capacity);
  auto settings = search::loop_settings(e, *store, study, metric, corpus.signature, trials);
  settings.trial_init = [&] {
    store::TrialInit init;
    init.seed = e.train.seed;
    init.plugins = plugins;
    init.data_fingerprint = corpus.fingerprint;
    return init;
  };

  const auto objective = [&](const store::TrialRecord& trial, search::TrialReporter& reporter) -> search::TrialResult {
    const auto model_dir = search::trial_model_dir(e, trial.number);
    store->set_attribute(trial.id, "data_signature", corpus.signature);
    auto trial_experiment = experiment::with_params(e, util::table_from_json(trial.params));
    auto model = starting_model(trial_experiment, *tokenizer, model_dir);
    auto hooks = search::trial_hooks(interrupted, observer, reporter, metric);
    auto result = pretrain_trial(trial_experiment, metric, study.direction, model, corpus.data, model_dir, hooks);
    return search::finish_objective(*store, trial, trial_experiment, result, model_dir);
  };

  const auto loop = search::run_trials(*store, study, *searcher, pruner.get(), settings, objective, interrupted, observer);
  search::StudyOutcome outcome;
  outcome.study = e.study_name;
  outcome.numbers = loop.numbers;
  outcome.interrupted = loop.interrupted;
  search::find_best(*store, study, outcome);
  return outcome;
}

}  // namespace bertlab::pretrain
