#include "pretrain/pretrainer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include "checkpoint/hf_model.hpp"
#include "train/inference.hpp"
#include "train/param_groups.hpp"
#include "train/precision.hpp"
#include "util/splitmix.hpp"

namespace bertlab::pretrain {

namespace {

// Seed streams: each epoch's masks, and the fixed evaluation masks.
constexpr std::uint64_t kEvalStream = ~0ull;

struct PretrainBatch {
  torch::Tensor input_ids, token_type_ids, attention_mask, mlm_labels, nsp_labels;
  std::int64_t tokens = 0;
};

// Masks `indices` of `instances` for `stream` and pads them to the longest.
PretrainBatch make_batch(const std::vector<Instance>& instances, std::span<const std::size_t> indices,
                         const PretrainData& data, bool next_sentence, std::uint64_t seed, std::uint64_t stream) {
  std::size_t length = 0;
  for (auto i : indices) length = std::max(length, instances[i].ids.size());
  const auto rows = static_cast<std::int64_t>(indices.size());
  const auto columns = static_cast<std::int64_t>(length);
  PretrainBatch batch;
  batch.input_ids = torch::full({rows, columns}, data.pad_id, torch::kLong);
  batch.token_type_ids = torch::zeros({rows, columns}, torch::kLong);
  batch.attention_mask = torch::zeros({rows, columns}, torch::kLong);
  batch.mlm_labels = torch::full({rows, columns}, -100, torch::kLong);
  if (next_sentence) batch.nsp_labels = torch::empty({rows}, torch::kLong);
  auto ids = batch.input_ids.accessor<std::int64_t, 2>();
  auto types = batch.token_type_ids.accessor<std::int64_t, 2>();
  auto mask = batch.attention_mask.accessor<std::int64_t, 2>();
  auto labels = batch.mlm_labels.accessor<std::int64_t, 2>();
  std::int64_t* nsp = next_sentence ? batch.nsp_labels.data_ptr<std::int64_t>() : nullptr;
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto index = indices[static_cast<std::size_t>(r)];
    const auto& instance = instances[index];
    std::mt19937_64 rng(util::derive_seed(seed, stream, index));
    auto masked = mask_instance(instance, data.masking, rng);
    for (std::size_t c = 0; c < instance.ids.size(); ++c) {
      const auto column = static_cast<std::int64_t>(c);
      ids[r][column] = masked.input_ids[c];
      types[r][column] = instance.type_ids[c];
      mask[r][column] = 1;
      labels[r][column] = masked.labels[c];
    }
    if (nsp) nsp[r] = instance.random_next ? 1 : 0;
    batch.tokens += static_cast<std::int64_t>(instance.ids.size());
  }
  return batch;
}

PretrainBatch to_device(PretrainBatch batch, c10::Device device) {
  if (device.is_cpu()) return batch;
  for (auto* tensor : {&batch.input_ids, &batch.token_type_ids, &batch.attention_mask, &batch.mlm_labels, &batch.nsp_labels})
    if (tensor->defined()) *tensor = tensor->to(device, /*non_blocking=*/true);
  return batch;
}

PretrainingLoss forward(PretrainModel& model, const PretrainBatch& batch) {
  auto outputs = model.bert->forward(batch.input_ids, batch.token_type_ids, batch.attention_mask);
  return model.heads->loss(outputs.last_hidden_state, outputs.pooler_output, batch.mlm_labels, batch.nsp_labels);
}

void save(PretrainModel& model, const std::filesystem::path& output_dir) {
  checkpoint::SaveOptions save;
  save.head_tensors = model.heads->checkpoint_tensors();
  save.extra_config = {{"architectures", {"BertForPreTraining"}}};
  save.tokenizer_dir = model.tokenizer_dir;
  checkpoint::save_model(output_dir, model.bert, save);
}

}  // namespace

Metrics evaluate_pretraining(PretrainModel& model, const PretrainData& data, std::int64_t batch_size,
                             const train::Compute& compute, std::uint64_t seed) {
  torch::InferenceMode inference;
  model.bert->eval();
  model.heads->eval();
  const bool next_sentence = data.next_sentence;
  double mlm_loss_sum = 0, nsp_loss_sum = 0;
  std::int64_t mlm_count = 0, mlm_correct = 0, nsp_count = 0, nsp_correct = 0;
  std::vector<std::size_t> order(data.eval.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batch_size)) {
    std::span<const std::size_t> indices(order.data() + start, std::min(order.size() - start, static_cast<std::size_t>(batch_size)));
    auto batch = to_device(make_batch(data.eval, indices, data, next_sentence, seed, kEvalStream), compute.device);
    train::AutocastScope autocast(compute);
    auto loss = forward(model, batch);
    mlm_loss_sum += loss.mlm_loss.item<double>() * static_cast<double>(loss.mlm_predictions);
    mlm_count += loss.mlm_predictions;
    mlm_correct += loss.mlm_correct;
    if (loss.nsp_loss.defined()) {
      nsp_loss_sum += loss.nsp_loss.item<double>() * static_cast<double>(loss.nsp_predictions);
      nsp_count += loss.nsp_predictions;
      nsp_correct += loss.nsp_correct;
    }
  }
  model.bert->train();
  model.heads->train();
  Metrics metrics;
  const double mlm_loss = mlm_loss_sum / static_cast<double>(std::max<std::int64_t>(1, mlm_count));
  metrics["mlm_loss"] = mlm_loss;
  metrics["mlm_accuracy"] = static_cast<double>(mlm_correct) / static_cast<double>(std::max<std::int64_t>(1, mlm_count));
  metrics["perplexity"] = std::exp(mlm_loss);
  if (nsp_count > 0) {
    metrics["nsp_loss"] = nsp_loss_sum / static_cast<double>(nsp_count);
    metrics["nsp_accuracy"] = static_cast<double>(nsp_correct) / static_cast<double>(nsp_count);
  }
  return metrics;
}

train::TrainResult pretrain_trial(const experiment::Experiment& experiment, const std::string& metric,
                                  Direction direction, PretrainModel& model, const PretrainData& data,
                                  const std::filesystem::path& output_dir, const train::TrainHooks& hooks) {
  const auto& t = experiment.train;
  const bool next_sentence = data.next_sentence;
  if (t.threads > 0) at::set_num_threads(static_cast<int>(t.threads));
  at::manual_seed(static_cast<std::uint64_t>(t.seed));
  std::mt19937_64 rng(util::derive_seed(static_cast<std::uint64_t>(t.seed), 1, 0));
  const auto seed = static_cast<std::uint64_t>(t.seed);
  if (data.train.empty()) throw std::runtime_error("the corpus made no training instances");
  if (data.eval.empty()) throw std::runtime_error("the corpus made no evaluation instances");

  const train::Compute compute = train::resolve_compute(t);
  model.bert->to(compute.device);
  model.heads->to(compute.device);
  model.bert->train();
  model.heads->train();
  // Without NSP its classifier gets no gradient: left out, as frozen.
  if (!next_sentence)
    for (auto& p : model.heads->seq_relationship->parameters()) p.set_requires_grad(false);
  train::freeze(model.bert, t);
  train::Optimization optimization(train::param_groups(model.bert, *model.heads, t), t, data.train.size(), compute);
  const auto& schedule = optimization.schedule();
  const auto batch_size = static_cast<std::size_t>(t.batch_size);

  train::TrainResult result;
  train::TrainingMeter meter;
  bool done = false;
  std::vector<std::size_t> order(data.train.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::uint64_t epoch = 0; !done; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t begin = 0; begin < order.size() && !done; begin += batch_size) {
      if (hooks.interrupted && hooks.interrupted->load()) throw train::InterruptedError("interrupted");
      std::span<const std::size_t> indices(order.data() + begin, std::min(batch_size, order.size() - begin));
      auto batch = to_device(make_batch(data.train, indices, data, next_sentence, seed, epoch), compute.device);
      torch::Tensor loss;
      {
        train::AutocastScope autocast(compute);
        loss = forward(model, batch).loss;
      }
      double loss_value = 0;
      const bool stepped = optimization.backward(loss, loss_value);
      meter.add(loss_value, batch.tokens);
      if (!stepped) continue;
      const auto step = optimization.step();
      result.tokens_per_second = meter.tokens_per_second();
      if (hooks.on_step) hooks.on_step(step, schedule.total_steps, loss_value, result.tokens_per_second);

      if (optimization.evaluation_due()) {
        auto evaluation = meter.begin_evaluation(step, schedule.steps_per_epoch);
        evaluation.metrics = evaluate_pretraining(model, data, t.batch_size, compute, seed);
        if (train::record_evaluation(result, evaluation, metric, direction)) save(model, output_dir);
        meter.finish_evaluation(evaluation);
        if (hooks.on_evaluation && hooks.on_evaluation(evaluation) && !optimization.finished()) {
          result.pruned = true;
          done = true;
        }
      }
      if (optimization.finished()) done = true;
    }
  }
  result.steps = optimization.step();
  optimization.record_compute(result);
  return result;
}

}  // namespace bertlab::pretrain
