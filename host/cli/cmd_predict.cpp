// `bertlab predict`: applies a trial's saved model to new rows (the
// experiment's columns; labels optional) and writes one JSON object per row,
// in order. Everything the model needs besides its weights comes from the
// bertlab.json saved beside it, not from the experiment file.
#include <algorithm>
#include <fstream>
#include <iostream>

#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/trial_output.hpp"
#include "data/conll.hpp"
#include "data/conll_writer.hpp"
#include "data/dataset.hpp"
#include "data/featurize.hpp"
#include "store/trial_model.hpp"
#include "train/inference.hpp"
#include "train/saved_model.hpp"
#include "util/json_value.hpp"

namespace bertlab::cli {

namespace fs = std::filesystem;

namespace {

struct PredictArgs {
  std::string store_path;
  std::string trial;
  std::string model_dir;
  std::string input;
  std::string output;
  std::int64_t batch_size = 0;
  int threads = 0;
};

// The model directory a trial saved (its "model" artifact).
fs::path trial_model_dir(const PredictArgs& args) {
  auto store = store::open_store(args.store_path, /*read_only=*/true);
  auto [study, number] = parse_trial_ref(args.trial);
  return store::trial_model_dir(*store, study, number);
}

void predict(const PredictArgs& args) {
  if (args.threads > 0) at::set_num_threads(args.threads);
  const fs::path model_dir = args.model_dir.empty() ? trial_model_dir(args) : fs::path(args.model_dir);
  auto saved = train::open_saved_model(model_dir);
  const auto& task = saved.task;
  auto& head = *saved.head;

  // Labels are optional here; where every row has one, the metrics are printed too.
  const auto columns = saved.columns();
  const auto dataset = data::read_dataset(args.input, columns, 0, /*require_labels=*/false);
  EncodeOptions encode;
  encode.max_length = task.max_length;
  const auto features = data::featurize(head, dataset, *saved.tokenizer, encode);
  const auto predictions =
      train::predict(saved.bert(), head, dataset.examples, features,
                     args.batch_size > 0 ? args.batch_size : task.batch_size,
                     saved.tokenizer->special_tokens().pad_id, train::on_cpu(saved.bf16()));

  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output);
    if (!file) throw ExitError(kExitError, fmt::format("{}: cannot write", args.output));
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  if (task.data.format == "squad") {
    // SQuAD-style input: one object {question id: answer text} for the whole
    // file, the format the official evaluation scripts read.
    nlohmann::json answers = nlohmann::json::object();
    for (std::size_t i = 0; i < predictions.size(); ++i)
      answers[dataset.examples[i].id] = predictions[i].at("text").as_string();
    out << answers.dump() << '\n';
  } else if (data::is_tagged_format(columns.format)) {
    // The input's lines with the predicted tag appended (conlleval's layout).
    data::write_tagged_predictions(args.input, columns, predictions, out);
  } else {
    for (const auto& prediction : predictions) out << util::to_json(prediction).dump() << '\n';
  }
  out.flush();
  if (!out) throw ExitError(kExitError, fmt::format("{}: write failed", args.output.empty() ? "stdout" : args.output));

  const bool all_labelled = !dataset.examples.empty() &&
                            std::all_of(dataset.examples.begin(), dataset.examples.end(),
                                        [](const Example& e) { return !e.label.is_null(); });
  if (all_labelled) {
    std::string line = fmt::format("bertlab: {} rows:", predictions.size());
    for (const auto& [name, value] : head.evaluate(dataset.examples, predictions))
      line += fmt::format(" {} {}", name, format_number(value));
    std::cerr << line << '\n';
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* command = app.add_subcommand(
      "predict", "Apply a trial's saved model to new rows (JSON Lines out; conll/chars: tagged lines)");
  add_store_option(*command, args->store_path);
  auto* trial = command->add_option("--trial", args->trial, "The trial whose model to use, as STUDY/NUMBER");
  command->add_option("--model", args->model_dir, "A model directory a trial saved, instead of --trial")
      ->excludes(trial);
  command
      ->add_option("--input", args->input,
                   "Rows to predict (the experiment's format and columns); conll/chars files come back as their "
                   "lines with the predicted tag appended")
      ->required();
  command->add_option("--output", args->output, "Write the JSON Lines here instead of stdout");
  command->add_option("--batch-size", args->batch_size, "Rows per forward pass (default: the trial's)")
      ->check(CLI::PositiveNumber);
  command->add_option("--threads", args->threads, "Intra-op threads (default: LibTorch's)")->check(CLI::PositiveNumber);
  command->callback([args] {
    if (args->trial.empty() && args->model_dir.empty()) throw ExitError(kExitUsage, "predict needs --trial STUDY/NUMBER or --model DIR");
    predict(*args);
  });
}

}  // namespace bertlab::cli
