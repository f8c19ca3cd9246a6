#include "train/trainer.hpp"

#include <algorithm>
#include <iostream>
#include <numeric>
#include <optional>
#include <random>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include "checkpoint/hf_model.hpp"
#include "train/distillation.hpp"
#include "train/gradual_pruning.hpp"
#include "train/head_transfer.hpp"
#include "train/inference.hpp"
#include "train/param_groups.hpp"
#include "train/precision.hpp"
#include "util/json_value.hpp"

namespace bertlab::train {

namespace {

// Batches of feature indices for one epoch. Length grouping sorts windows
// of 50 batches by length, so batches pad little, then shuffles the batches
// so that the model does not see lengths in order.
std::vector<std::vector<std::size_t>> epoch_batches(const std::vector<Feature>& features, std::int64_t batch_size,
                                                    bool group_by_length, std::mt19937_64& rng) {
  std::vector<std::size_t> order(features.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  const auto size = static_cast<std::size_t>(batch_size);
  if (group_by_length) {
    const std::size_t window = size * 50;
    for (std::size_t start = 0; start < order.size(); start += window) {
      auto end = std::min(order.size(), start + window);
      std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(start), order.begin() + static_cast<std::ptrdiff_t>(end),
                       [&](auto a, auto b) { return features[a].encoding.size() > features[b].encoding.size(); });
    }
  }
  std::vector<std::vector<std::size_t>> batches;
  for (std::size_t start = 0; start < order.size(); start += size)
    batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start),
                         order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), start + size)));
  if (group_by_length) std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

Metrics evaluate(model::BertModel& bert, Head& head, const PreparedData& data, std::int64_t batch_size,
                 const Compute& compute) {
  auto predictions = predict(bert, head, data.eval_examples, data.eval_features, batch_size, data.pad_id, compute);
  bert->train();
  head.module().train();
  return head.evaluate(data.eval_examples, predictions);
}

}  // namespace

TrainResult train_trial(const experiment::Experiment& experiment, const std::string& metric, Direction direction,
                        Head& head, const PreparedData& data, const std::filesystem::path& output_dir,
                        const TrainHooks& hooks) {
  const auto& t = experiment.train;
  if (t.threads > 0) at::set_num_threads(static_cast<int>(t.threads));
  at::manual_seed(static_cast<std::uint64_t>(t.seed));
  std::mt19937_64 rng(static_cast<std::uint64_t>(t.seed));

  // The mixing draws have a generator of their own, so that turning mixup
  // on leaves the batch order of a seed as it was.
  std::seed_seq mixing_seed{static_cast<std::uint64_t>(t.seed), std::uint64_t{0x6d69787570}};
  std::mt19937_64 mixing_rng(mixing_seed);
  if (hooks.hidden_state_mixers.size() > 1)
    throw std::invalid_argument("at most one hidden-state augmentation per trial");
  auto mixers = hooks.hidden_state_mixers;  // copies share the plugin; mix() is not const
  HiddenStateMixer* mixer = mixers.empty() ? nullptr : &mixers.front();
  auto log = [&](const std::string& line) {
    if (hooks.log) hooks.log(line); else std::cerr << "bertlab: " << line << '\n';
  };

  const Compute compute = resolve_compute(t);
  auto loaded = checkpoint::load_model(experiment.model_dir);
  auto& bert = loaded.model;
  // Training updates the float weights; the int8 ones saved with the model would go stale.
  if (bert->quantized())
    throw std::runtime_error(fmt::format("{}: the model is int8-quantized (bertlab compress --method int8); fine-tune "
                                         "the float model it was made from", experiment.model_dir.string()));
  std::optional<Distiller> distiller;
  if (experiment.distill) {
    const auto& d = *experiment.distill;
    if (mixer) throw std::invalid_argument("[distill] and a hidden-state augmentation (mixup) cannot be combined");
    if (d.student_layers > 0 && d.student_layers != bert->config().num_hidden_layers) {
      log(fmt::format("student: layers {} of {}'s {}", d.student_layers, experiment.model_dir.string(),
                      bert->config().num_hidden_layers));
      loaded.model = select_layers(loaded.model, d.student_layers);
    }
    // Building the teacher must not move the global generator: with alpha =
    // 0 the trial is then plain fine-tuning, dropout masks included.
    auto generator = at::detail::getDefaultCPUGenerator();
    const auto generator_state = generator.get_state();
    distiller.emplace(d, experiment.head.plugin, data.labels, bert->config());
    generator.set_state(generator_state);
    log(fmt::format("distilling from {} (alpha {}, temperature {}{})",
                    d.teacher.empty() ? distiller->teacher_dir().string() : d.teacher, d.alpha, d.temperature,
                    d.hidden_weight > 0 ? fmt::format(", hidden states weight {}", d.hidden_weight) : ""));
  }
  HeadContext context;
  context.encoder = model::encoder_info(bert->config());
  context.encoder.word_embeddings = bert->embeddings->word_embeddings->weight;
  context.labels = data.labels;
  context.seed = static_cast<std::uint64_t>(t.seed);
  head.build(context);
  const auto transfer = transfer_head(head, experiment.head.plugin, data.labels, loaded, experiment.model_dir);
  if (!experiment.model_from_trial.empty() || transfer.had_task_head) {
    if (!experiment.model_from_trial.empty())
      log(fmt::format("model.from_trial {}: {}", experiment.model_from_trial, experiment.model_dir.string()));
    log(describe_transfer(transfer, experiment.model_dir));
  }
  if (!compute.device.is_cpu()) {
    log(fmt::format("training on {} in {}", compute.device.str(), to_string(compute.precision)));
    bert->to(compute.device);
    head.module().to(compute.device);
    if (distiller) distiller->to(compute.device);
  }
  bert->train();
  head.module().train();

  freeze(bert, t);
  Optimization optimization(param_groups(bert, head.module(), t), t, data.train_features.size(), compute);
  const auto& schedule = optimization.schedule();
  std::optional<GradualPruning> gradual;
  if (t.sparsity > 0) gradual.emplace(bert, t, schedule.total_steps);

  TrainResult result;
  TrainingMeter meter;
  std::int64_t evaluations_without_gain = 0;
  bool done = false;
  while (!done) {
    for (const auto& indices : epoch_batches(data.train_features, t.batch_size, t.group_by_length, rng)) {
      if (hooks.interrupted && hooks.interrupted->load()) throw InterruptedError("interrupted");
      const auto cpu_batch = make_batch(data.train_features, indices, head, data.pad_id);
      const auto tokens = cpu_batch.attention_mask.sum().item<std::int64_t>();
      const auto batch = to_device(cpu_batch, compute.device);
      torch::Tensor loss;
      {
        AutocastScope autocast(compute);
        if (distiller) {
          auto encoded = run_encoder(bert, batch, head.needs_all_hidden_states() || distiller->needs_hidden_states());
          auto outputs = head.forward(encoded, batch);
          loss = distiller->loss(encoded, outputs, head.loss(outputs, batch), batch);
        } else {
          loss = training_loss(bert, head, batch, mixer, mixing_rng);
        }
      }
      double loss_value = 0;
      const bool stepped = optimization.backward(loss, loss_value);
      meter.add(loss_value, tokens);
      if (!stepped) continue;
      const auto step = optimization.step();
      if (gradual) gradual->after_step(step);
      result.tokens_per_second = meter.tokens_per_second();
      if (hooks.on_step) hooks.on_step(step, schedule.total_steps, loss_value, result.tokens_per_second);

      if (optimization.evaluation_due()) {
        auto evaluation = meter.begin_evaluation(step, schedule.steps_per_epoch);
        evaluation.metrics = evaluate(bert, head, data, t.batch_size, compute);
        // While the sparsity ramps up, evaluations are reported but none can
        // be the trial's best: the saved model is a fully pruned one.
        const bool eligible = !gradual || gradual->at_target();
        if (!eligible) {
          result.last_value = evaluation.metrics.count(metric) ? std::optional(evaluation.metrics.at(metric)) : std::nullopt;
        } else if (record_evaluation(result, evaluation, metric, direction)) {
          evaluations_without_gain = 0;
          checkpoint::SaveOptions save;
          save.head_tensors = head.state_dict();
          save.extra_config = util::to_json(head.hf_config());
          save.tokenizer_dir = experiment.model_dir;
          checkpoint::save_model(output_dir, bert, save);
        } else {
          ++evaluations_without_gain;
        }
        if (gradual) evaluation.metrics["sparsity"] = gradual->sparsity();
        meter.finish_evaluation(evaluation);
        // The last evaluation is reported too, but a trial that has finished
        // training is complete: stopping it then would save nothing.
        if (hooks.on_evaluation && hooks.on_evaluation(evaluation) && !optimization.finished()) {
          result.pruned = true;
          done = true;
        } else if (t.early_stopping_patience > 0 && evaluations_without_gain >= t.early_stopping_patience) {
          result.stopped_early = true;
          done = true;
        }
      }
      if (optimization.finished()) done = true;
      if (done) break;
    }
  }
  result.steps = optimization.step();
  optimization.record_compute(result);
  if (gradual) result.sparsity = gradual->sparsity();
  return result;
}

}  // namespace bertlab::train
