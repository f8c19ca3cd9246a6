#include "compress/compress.hpp"

#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "checkpoint/hf_model.hpp"
#include "compress/ffn_pruning.hpp"
#include "compress/head_pruning.hpp"
#include "compress/magnitude_pruning.hpp"
#include "compress/structured_pruning.hpp"
#include "train/inference.hpp"
#include "util/json_value.hpp"

namespace bertlab::compress {

namespace fs = std::filesystem;

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names{"heads", "ffn", "magnitude", "int8", "bf16"};
  return names;
}

namespace {

Metrics evaluate(train::SavedModel& model, const CompressInputs& inputs, std::int64_t batch_size) {
  auto predictions = train::predict(model.bert(), *model.head, inputs.eval_examples, inputs.eval_features, batch_size,
                                    model.tokenizer->special_tokens().pad_id, train::on_cpu(model.bf16()));
  return model.head->evaluate(inputs.eval_examples, predictions);
}

double metric_of(const Metrics& metrics, const std::string& metric) {
  auto it = metrics.find(metric);
  if (it == metrics.end()) throw std::runtime_error(fmt::format("the head reports no metric '{}'", metric));
  return it->second;
}

std::int64_t count_parameters(train::SavedModel& model, bool nonzero_only) {
  std::int64_t count = 0;
  for (const auto& p : model.bert()->parameters()) count += nonzero_only ? p.ne(0).sum().item<std::int64_t>() : p.numel();
  for (const auto& p : model.head->module().parameters())
    count += nonzero_only ? p.ne(0).sum().item<std::int64_t>() : p.numel();
  return count;
}

ModelFigures figures(train::SavedModel& model, const CompressInputs& inputs, const CompressOptions& options) {
  ModelFigures figures;
  figures.metrics = evaluate(model, inputs, options.batch_size);
  figures.metric = metric_of(figures.metrics, inputs.metric);
  figures.parameters = count_parameters(model, false);
  figures.nonzero_parameters = count_parameters(model, true);
  figures.file_bytes = fs::file_size(model.loaded.weights_file);
  figures.speed = measure_speed(model.bert(), *model.head, inputs.eval_features,
                                model.tokenizer->special_tokens().pad_id, model.bf16(), options.repeats);
  return figures;
}

nlohmann::json figures_json(const ModelFigures& f) {
  return {{"metrics", f.metrics},
          {"metric", f.metric},
          {"parameters", f.parameters},
          {"nonzero_parameters", f.nonzero_parameters},
          {"file_bytes", f.file_bytes},
          {"sparse_bytes", f.sparse_bytes ? nlohmann::json(*f.sparse_bytes) : nlohmann::json()},
          {"latency_ms_batch1", f.speed.latency_ms},
          {"examples_per_second_batch32", f.speed.examples_per_second}};
}

// How much worse (positive) `metric` is than `baseline` in the study's direction.
double loss_against(double baseline, double metric, Direction direction) {
  return direction == Direction::maximize ? baseline - metric : metric - baseline;
}

}  // namespace

nlohmann::json CompressionReport::to_json() const {
  return {{"method", method},
          {"options", options},
          {"metric", metric},
          {"source", figures_json(source)},
          {"compressed", figures_json(compressed)},
          {"metric_change", metric_change()},
          {"speedup_batch1", source.speed.latency_ms / compressed.speed.latency_ms},
          {"speedup_batch32", compressed.speed.examples_per_second / source.speed.examples_per_second},
          {"size_ratio", static_cast<double>(compressed.file_bytes) / static_cast<double>(source.file_bytes)},
          {"threads", compressed.speed.threads},
          {"repeats", compressed.speed.repeats},
          {"details", details}};
}

CompressionReport compress_model(train::SavedModel& source, const CompressInputs& inputs,
                                 const CompressOptions& options, const fs::path& out_dir,
                                 const std::function<void(const std::string&)>& log) {
  const auto& method = options.method;
  if (std::find(method_names().begin(), method_names().end(), method) == method_names().end())
    throw std::invalid_argument(fmt::format("unknown method '{}'", method));
  if (source.bert()->quantized() && method != "int8")
    throw std::invalid_argument("the source model is int8-quantized; prune the float model, then quantize");

  CompressionReport report;
  report.method = method;
  report.metric = inputs.metric;
  report.direction = inputs.direction;
  log("measuring the source model");
  report.source = figures(source, inputs, options);
  log(fmt::format("source: {} {:.4f}, {:.1f} ms at batch 1, {:.1f} examples/s at batch 32", inputs.metric,
                  report.source.metric, report.source.speed.latency_ms, report.source.speed.examples_per_second));

  const auto pad_id = source.tokenizer->special_tokens().pad_id;
  auto model = source.bert();
  auto task = source.task;
  checkpoint::SaveOptions save;
  if (method == "heads" || method == "ffn") {
    if (inputs.importance_features.empty()) throw std::runtime_error("no labelled training rows to score importance on");
    report.options = {{"amount", options.amount}};
    if (method == "heads") {
      HeadPruningOptions head_options{.amount = options.amount, .tolerance = options.tolerance, .heads_per_step = 0};
      if (options.tolerance) report.options["tolerance"] = *options.tolerance;
      auto metric_loss = [&] {
        return loss_against(report.source.metric, metric_of(evaluate(source, inputs, options.batch_size), inputs.metric),
                            inputs.direction);
      };
      auto pruned = prune_heads(model, *source.head, inputs.importance_features, options.batch_size, pad_id,
                                head_options, metric_loss);
      model = pruned.model;
      nlohmann::json steps = nlohmann::json::array();
      for (const auto& step : pruned.steps)
        steps.push_back({{"heads_left", step.heads_left},
                         {"metric_loss", step.metric_loss ? nlohmann::json(*step.metric_loss) : nlohmann::json()}});
      report.details = {{"heads_before", pruned.heads_before}, {"heads_after", pruned.heads_after}, {"steps", steps},
                        {"pruned_heads", model->config().to_json().value("pruned_heads", nlohmann::json::object())}};
      log(fmt::format("heads: {} -> {}", pruned.heads_before, pruned.heads_after));
    } else {
      const auto before = model->config().intermediate_size;
      model = prune_ffn(model, *source.head, inputs.importance_features, options.batch_size, pad_id, options.amount);
      report.details = {{"intermediate_size_before", before},
                        {"intermediate_size_after", model->config().intermediate_size}};
      log(fmt::format("FFN neurons per layer: {} -> {}", before, model->config().intermediate_size));
    }
  } else if (method == "magnitude") {
    report.options = {{"amount", options.amount}, {"scope", options.scope}};
    report.source.sparse_bytes = sparse_size(model);
    const auto sparsity = prune_magnitude(model, options.amount, options.scope);
    report.details = {{"sparsity", sparsity.sparsity}, {"pruned_weights", sparsity.pruned_weights},
                      {"zeros", sparsity.zeros}};
    log(fmt::format("sparsity {:.4f} over {} linear weights", sparsity.sparsity, sparsity.pruned_weights));
  } else if (method == "int8") {
    model->quantize_int8();
    report.details = {{"kernels", "quantized::linear_prepack + quantized::linear_dynamic"},
                      {"engine", c10::toString(at::globalContext().qEngine())}};
  } else if (method == "bf16") {
    save.dtype = at::kBFloat16;
    task.precision = "bf16";
  }

  save.head_tensors = source.head->state_dict();
  save.extra_config = source.loaded.config_json;
  for (const char* key : {"model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                          "intermediate_size", "pruned_heads", "torch_dtype", "dtype", "bertlab_quantization"})
    save.extra_config.erase(key);
  save.tokenizer_dir = source.dir;
  checkpoint::save_model(out_dir, model, save);
  experiment::write_saved_task(out_dir, task);

  log(fmt::format("measuring the compressed model (loaded from {})", out_dir.string()));
  auto compressed = train::open_saved_model(out_dir);
  report.compressed = figures(compressed, inputs, options);
  if (method == "magnitude") report.compressed.sparse_bytes = sparse_size(compressed.bert());
  return report;
}

}  // namespace bertlab::compress
