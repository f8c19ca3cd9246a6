#include "train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include "checkpoint/hf_model.hpp"
#include "train/head_transfer.hpp"
#include "train/inference.hpp"
#include "train/param_groups.hpp"
#include "train/precision.hpp"
#include "util/json_value.hpp"

namespace bertlab::train {

namespace {

using Clock = std::chrono::steady_clock;

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

Metrics evaluate(model::BertModel& bert, Head& head, const PreparedData& data, std::int64_t batch_size, bool bf16) {
  auto predictions = predict(bert, head, data.eval_examples, data.eval_features, batch_size, data.pad_id, bf16);
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

  auto loaded = checkpoint::load_model(experiment.model_dir);
  auto& bert = loaded.model;
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
  bert->train();
  head.module().train();

  freeze(bert, t);
  const auto param_group_list = param_groups(bert, head.module(), t);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  std::vector<double> lr_scales;  // of each optimizer group, in order
  for (const auto& group : param_group_list) {
    groups.emplace_back(group.params, std::make_unique<torch::optim::AdamWOptions>(
                                          torch::optim::AdamWOptions(t.learning_rate * group.lr_scale)
                                              .weight_decay(group.weight_decay)
                                              .eps(1e-8)));
    lr_scales.push_back(group.lr_scale);
  }
  torch::optim::AdamW optimizer(std::move(groups));

  const auto batches_per_epoch =
      static_cast<std::int64_t>((data.train_features.size() + static_cast<std::size_t>(t.batch_size) - 1) /
                                static_cast<std::size_t>(t.batch_size));
  const auto steps_per_epoch = std::max<std::int64_t>(1, batches_per_epoch / t.gradient_accumulation);
  const std::int64_t total_steps =
      t.max_steps > 0 ? t.max_steps : std::max<std::int64_t>(1, std::llround(t.epochs * static_cast<double>(steps_per_epoch)));
  const auto warmup_steps = static_cast<std::int64_t>(std::ceil(t.warmup_ratio * static_cast<double>(total_steps)));
  const std::int64_t eval_every = t.eval_every > 0 ? t.eval_every : steps_per_epoch;
  auto learning_rate_at = [&](std::int64_t step) {  // step counts from 0
    if (step < warmup_steps) return t.learning_rate * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
    return t.learning_rate * std::max(0.0, static_cast<double>(total_steps - step) /
                                               static_cast<double>(std::max<std::int64_t>(1, total_steps - warmup_steps)));
  };

  TrainResult result;
  const bool bf16 = use_bf16(t.precision);
  std::int64_t step = 0, micro = 0, evaluations_without_gain = 0, tokens = 0;
  double loss_sum = 0;
  std::int64_t loss_count = 0;
  const auto start = Clock::now();
  // Tokens/s counts training only: evaluation and checkpoint saving are
  // timed apart and left out.
  Clock::duration evaluating{};
  bool done = false;
  for (std::int64_t epoch = 0; !done; ++epoch) {
    for (const auto& indices : epoch_batches(data.train_features, t.batch_size, t.group_by_length, rng)) {
      if (hooks.interrupted && hooks.interrupted->load()) throw InterruptedError("interrupted");
      auto batch = make_batch(data.train_features, indices, head, data.pad_id);
      tokens += batch.attention_mask.sum().item<std::int64_t>();
      torch::Tensor loss;
      {
        AutocastScope autocast(bf16);
        loss = training_loss(bert, head, batch, mixer, mixing_rng);
      }
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value))
        throw DivergedError(fmt::format("loss is {} at step {}", loss_value, step));
      (loss / static_cast<double>(t.gradient_accumulation)).backward();
      loss_sum += loss_value;
      ++loss_count;
      if (++micro % t.gradient_accumulation != 0) continue;

      // The schedule scales each group's own base rate (layer-wise decay).
      for (std::size_t g = 0; g < optimizer.param_groups().size(); ++g)
        optimizer.param_groups()[g].options().set_lr(learning_rate_at(step) * lr_scales[g]);
      if (t.max_grad_norm > 0) {
        std::vector<torch::Tensor> parameters;
        for (auto& group : optimizer.param_groups())
          for (auto& p : group.params()) parameters.push_back(p);
        torch::nn::utils::clip_grad_norm_(parameters, t.max_grad_norm);
      }
      optimizer.step();
      optimizer.zero_grad();
      ++step;
      const double seconds = std::chrono::duration<double>(Clock::now() - start - evaluating).count();
      result.tokens_per_second = seconds > 0 ? static_cast<double>(tokens) / seconds : 0;
      if (hooks.on_step) hooks.on_step(step, total_steps, loss_value, result.tokens_per_second);

      if (step % eval_every == 0 || step == total_steps) {
        const auto evaluation_start = Clock::now();
        Evaluation evaluation;
        evaluation.step = step;
        evaluation.epoch = static_cast<double>(step) / static_cast<double>(steps_per_epoch);
        evaluation.train_loss = loss_sum / static_cast<double>(std::max<std::int64_t>(1, loss_count));
        loss_sum = 0;
        loss_count = 0;
        evaluation.metrics = evaluate(bert, head, data, t.batch_size, bf16);
        auto it = evaluation.metrics.find(metric);
        if (it == evaluation.metrics.end())
          throw std::runtime_error(fmt::format("the head reports no metric '{}'", metric));
        result.last_value = it->second;
        const bool better = !result.best_value || (direction == Direction::maximize ? it->second > *result.best_value
                                                                                    : it->second < *result.best_value);
        if (better) {
          result.best_value = it->second;
          result.best_metrics = evaluation.metrics;
          result.best_step = step;
          evaluations_without_gain = 0;
          checkpoint::SaveOptions save;
          save.head_tensors = head.state_dict();
          save.extra_config = util::to_json(head.hf_config());
          save.tokenizer_dir = experiment.model_dir;
          checkpoint::save_model(output_dir, bert, save);
        } else {
          ++evaluations_without_gain;
        }
        evaluating += Clock::now() - evaluation_start;
        evaluation.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
        // The last evaluation is reported too, but a trial that has finished
        // training is complete: stopping it then would save nothing.
        if (hooks.on_evaluation && hooks.on_evaluation(evaluation) && step < total_steps) {
          result.pruned = true;
          done = true;
        } else if (t.early_stopping_patience > 0 && evaluations_without_gain >= t.early_stopping_patience) {
          result.stopped_early = true;
          done = true;
        }
      }
      if (step >= total_steps) done = true;
      if (done) break;
    }
  }
  result.steps = step;
  return result;
}

}  // namespace bertlab::train
