// `bertlab compress`: a smaller or faster model out of a trial's saved model
// (host/compress/), recorded in the store as a trial of the study
// "<STUDY>/compress" whose params name the method and the source trial, with
// the compressed model as its "model" artifact, so that `bertlab predict
// --trial STUDY/compress/N` uses it and `bertlab trials STUDY/compress` lists
// every compression of the study with its metric.
#include <filesystem>
#include <iostream>

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/trial_output.hpp"
#include "compress/compress.hpp"
#include "data/dataset.hpp"
#include "data/featurize.hpp"
#include "experiment/experiment.hpp"
#include "store/store.hpp"
#include "store/trial_model.hpp"
#include "util/json_value.hpp"

namespace bertlab::cli {

namespace fs = std::filesystem;

namespace {

struct CompressArgs {
  std::string store_path;
  std::string trial;
  compress::CompressOptions options;
  double tolerance = 0;
  std::string out;
  std::int64_t importance_rows = 2000;
  int threads = 0;
  bool report = false;
  bool json = false;
};

std::string megabytes(double bytes) { return fmt::format("{:.2f}", bytes / 1e6); }

void print_report(std::ostream& out, const compress::CompressionReport& r) {
  const auto ratio = [](double a, double b) { return fmt::format("{:.2f}x", a / b); };
  std::vector<Row> rows{
      {r.metric, format_number(r.source.metric), format_number(r.compressed.metric),
       fmt::format("{:+.4f}", r.metric_change())},
      {"parameters", std::to_string(r.source.parameters), std::to_string(r.compressed.parameters),
       ratio(static_cast<double>(r.compressed.parameters), static_cast<double>(r.source.parameters))},
      {"nonzero parameters", std::to_string(r.source.nonzero_parameters),
       std::to_string(r.compressed.nonzero_parameters),
       ratio(static_cast<double>(r.compressed.nonzero_parameters), static_cast<double>(r.source.nonzero_parameters))},
      {"file size (MB)", megabytes(static_cast<double>(r.source.file_bytes)),
       megabytes(static_cast<double>(r.compressed.file_bytes)),
       ratio(static_cast<double>(r.compressed.file_bytes), static_cast<double>(r.source.file_bytes))}};
  if (r.compressed.sparse_bytes && r.source.sparse_bytes)
    rows.push_back({"CSR size (MB)", megabytes(static_cast<double>(*r.source.sparse_bytes)),
                    megabytes(static_cast<double>(*r.compressed.sparse_bytes)),
                    ratio(static_cast<double>(*r.compressed.sparse_bytes), static_cast<double>(*r.source.sparse_bytes))});
  rows.push_back({"latency batch 1 (ms)", fmt::format("{:.2f}", r.source.speed.latency_ms),
                  fmt::format("{:.2f}", r.compressed.speed.latency_ms),
                  fmt::format("{} faster", ratio(r.source.speed.latency_ms, r.compressed.speed.latency_ms))});
  rows.push_back({"throughput batch 32 (examples/s)", fmt::format("{:.1f}", r.source.speed.examples_per_second),
                  fmt::format("{:.1f}", r.compressed.speed.examples_per_second),
                  fmt::format("{} faster", ratio(r.compressed.speed.examples_per_second,
                                                 r.source.speed.examples_per_second))});
  print_table(out, {"", "source", r.method, "change"}, rows);
  out << fmt::format("({} threads, median of {} runs each)\n", r.compressed.speed.threads, r.compressed.speed.repeats);
}

void compress_trial(CompressArgs& args) {
  if (args.threads > 0) at::set_num_threads(args.threads);
  auto store = store::open_store(args.store_path);
  const auto [study, trial] = require_trial(*store, args.trial);
  // A trial without a saved model is an error with exit code 1, as any other (app.cpp).
  const fs::path model_dir = store::trial_model_dir(*store, study.name, trial.number);
  const fs::path out_dir = fs::absolute(args.out);
  if (fs::exists(out_dir) && !fs::is_empty(out_dir))
    throw ExitError(kExitError, fmt::format("{}: exists and is not empty; compress writes a new model directory", out_dir.string()));

  auto& options = args.options;
  nlohmann::json params = {{"method", options.method}, {"source", args.trial}};
  if (options.method == "heads" || options.method == "ffn" || options.method == "magnitude") params["amount"] = options.amount;
  if (options.method == "magnitude") params["scope"] = options.scope;
  if (options.tolerance) params["tolerance"] = *options.tolerance;

  const auto compress_study = store->get_or_create_study(study.name + "/compress", study.experiment, study.metric,
                                                         study.direction, study.experiment_file);
  const auto record = store->create_trial(compress_study.id, [&](const auto&, const auto&) {
    store::TrialInit init;
    init.params = params;
    return init;
  });
  const auto log = [](const std::string& line) { std::cerr << "bertlab: " << line << '\n'; };
  try {
    // The trial's own experiment says where its data is.
    auto experiment = experiment::with_params(experiment::load_recorded(study.experiment, study.experiment_file),
                                              util::table_from_json(trial.params));
    auto source = train::open_saved_model(model_dir);
    compress::CompressInputs inputs;
    inputs.metric = study.metric;
    inputs.direction = study.direction;
    const auto columns = source.columns();
    auto eval_columns = columns, train_columns = columns;
    eval_columns.articles = experiment.data.eval_articles;
    train_columns.articles = experiment.data.train_articles;
    auto eval_set = data::read_dataset(experiment.data.eval, eval_columns, experiment.data.eval_limit, true);
    EncodeOptions encode;
    encode.max_length = source.task.max_length;
    inputs.eval_features = data::featurize(*source.head, eval_set, *source.tokenizer, encode);
    inputs.eval_examples = std::move(eval_set.examples);
    if (options.method == "heads" || options.method == "ffn") {
      const auto limit = experiment.data.train_limit > 0 ? std::min(experiment.data.train_limit, args.importance_rows)
                                                         : args.importance_rows;
      auto train_set = data::read_dataset(experiment.data.train, train_columns, limit, true);
      inputs.importance_features = data::featurize(*source.head, train_set, *source.tokenizer, encode);
    }
    options.batch_size = source.task.batch_size;
    const auto report = compress::compress_model(source, inputs, options, out_dir, log);

    auto report_json = report.to_json();
    report_json["trial"] = fmt::format("{}/{}", compress_study.name, record.number);
    report_json["source_trial"] = args.trial;
    report_json["model"] = out_dir.string();
    for (const auto& [key, value] : report_json.items())
      if (key != "metric" && key != "method" && key != "options") store->set_attribute(record.id, key, value);
    store->add_artifact(record.id, "model", out_dir.string());
    store->finish_trial(record.id, TrialState::complete, report.compressed.metric, "");

    if (args.json) {
      std::cout << report_json.dump() << '\n';
    } else {
      std::cout << fmt::format("{} -> {}/{}: {} {} ({:+.4f}), {:.2f}x the file size, {:.2f}x the throughput at batch 32\n",
                               args.trial, compress_study.name, record.number, report.metric,
                               format_number(report.compressed.metric), report.metric_change(),
                               report_json["size_ratio"].get<double>(), report_json["speedup_batch32"].get<double>());
      if (args.report) print_report(std::cout, report);
    }
  } catch (const std::exception& error) {
    store->finish_trial(record.id, TrialState::failed, std::nullopt, error.what());
    throw ExitError(kExitError, fmt::format("compress {}: {} (recorded as {}/{}, FAILED)", args.trial, error.what(),
                                            compress_study.name, record.number));
  }
}

}  // namespace

void add_compress_command(CLI::App& app) {
  auto args = std::make_shared<CompressArgs>();
  auto* command = app.add_subcommand(
      "compress", "Prune, quantize or cast a trial's model; evaluate and time it beside the source, record it");
  add_store_option(*command, args->store_path);
  command->add_option("--trial", args->trial, "The trial whose model to compress, as STUDY/NUMBER")->required();
  command
      ->add_option("--method", args->options.method,
                   "heads (attention-head pruning), ffn (FFN neuron pruning), magnitude (unstructured), int8 "
                   "(dynamic quantization), bf16 (bf16 weights)")
      ->required()
      ->check(CLI::IsMember(compress::method_names()));
  command->add_option("--amount", args->options.amount,
                      "heads, ffn: share of heads / neurons removed; magnitude: sparsity")
      ->default_val(0.5)
      ->check(CLI::Range(0.0, 1.0));
  auto* tolerance = command->add_option("--tolerance", args->tolerance,
                                        "heads: stop pruning before the metric drops by more than this");
  command->add_option("--scope", args->options.scope, "magnitude: rank weights globally or per matrix")
      ->default_val("global")
      ->check(CLI::IsMember({"global", "layer"}));
  command->add_option("--importance-rows", args->importance_rows,
                      "heads, ffn: training rows the importance scores are computed on")
      ->default_val(2000)
      ->check(CLI::PositiveNumber);
  command->add_option("--repeats", args->options.repeats, "Timed runs per speed figure (the median is reported)")
      ->default_val(5)
      ->check(CLI::PositiveNumber);
  command->add_option("--threads", args->threads, "Intra-op threads (default: LibTorch's)")->check(CLI::PositiveNumber);
  command->add_option("--out", args->out, "New model directory to write")->required();
  command->add_flag("--report", args->report, "Print the comparison table");
  command->add_flag("--json", args->json, "Print the report as one JSON object");
  command->callback([args, tolerance] {
    if (tolerance->count() > 0) args->options.tolerance = args->tolerance;
    compress_trial(*args);
  });
}

}  // namespace bertlab::cli
