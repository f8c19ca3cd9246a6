#include "train/inference.hpp"

#include <algorithm>
#include <numeric>

#include <ATen/autocast_mode.h>
#include <c10/core/InferenceMode.h>

#include "model/input_batch.hpp"

namespace bertlab::train {

AutocastScope::AutocastScope(const Compute& compute)
    : enabled_(compute.precision != Precision::fp32), device_type_(compute.device.type()) {
  if (!enabled_) return;
  at::autocast::set_autocast_dtype(device_type_, compute.precision == Precision::fp16 ? at::kHalf : at::kBFloat16);
  at::autocast::set_autocast_enabled(device_type_, true);
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  at::autocast::set_autocast_enabled(device_type_, false);
  at::autocast::clear_cache();
}

Batch make_batch(const std::vector<Feature>& features, const std::vector<std::size_t>& indices, const Head& head,
                 std::int64_t pad_id) {
  Batch batch;
  std::vector<const Encoding*> encodings;
  for (auto i : indices) {
    batch.features.push_back(&features[i]);
    encodings.push_back(&features[i].encoding);
  }
  auto inputs = model::make_input_batch(encodings, pad_id);
  batch.input_ids = inputs.input_ids;
  batch.token_type_ids = inputs.token_type_ids;
  batch.attention_mask = inputs.attention_mask;
  batch.labels = head.collate(batch.features, inputs.input_ids.size(1));
  return batch;
}

Batch to_device(const Batch& batch, c10::Device device) {
  if (device.is_cpu()) return batch;
  Batch out;
  out.features = batch.features;
  // The batch is in pageable memory, which CUDA copies out before the call
  // returns (the CPU tensors may go); non_blocking spares the stream
  // synchronisation after each of the small copies.
  auto move = [&](const torch::Tensor& tensor) {
    return tensor.defined() ? tensor.to(device, /*non_blocking=*/true) : tensor;
  };
  out.input_ids = move(batch.input_ids);
  out.token_type_ids = move(batch.token_type_ids);
  out.attention_mask = move(batch.attention_mask);
  for (const auto& [name, tensor] : batch.labels) out.labels.emplace(name, move(tensor));
  return out;
}

EncoderOutputs run_encoder(model::BertModel& bert, const Batch& batch, bool all_hidden_states) {
  model::BertForwardOptions options;
  options.output_hidden_states = all_hidden_states;
  auto out = bert->forward(batch.input_ids, batch.token_type_ids, batch.attention_mask, options);
  return EncoderOutputs{out.last_hidden_state, out.pooler_output, std::move(out.hidden_states)};
}

std::vector<Prediction> predict(model::BertModel& bert, Head& head, std::span<const Example> examples,
                                const std::vector<Feature>& features, std::int64_t batch_size, std::int64_t pad_id,
                                const Compute& compute) {
  bert->eval();
  head.module().eval();
  std::vector<Value> results(features.size());
  {
    c10::InferenceMode guard;
    AutocastScope autocast(compute);
    std::vector<std::size_t> order(features.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return features[a].encoding.size() < features[b].encoding.size(); });
    const auto size = static_cast<std::size_t>(batch_size);
    for (std::size_t start = 0; start < order.size(); start += size) {
      std::vector<std::size_t> indices(order.begin() + static_cast<std::ptrdiff_t>(start),
                                       order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), start + size)));
      auto batch = make_batch(features, indices, head, pad_id);
      auto on_device = to_device(batch, compute.device);
      auto outputs = head.forward(run_encoder(bert, on_device, head.needs_all_hidden_states()), on_device);
      if (!compute.device.is_cpu())
        for (auto& [name, tensor] : outputs)
          if (tensor.defined()) tensor = tensor.cpu();
      auto decoded = head.decode_features(outputs, batch);
      for (std::size_t k = 0; k < indices.size(); ++k) results[indices[k]] = std::move(decoded[k]);
    }
  }
  return head.predict(examples, features, results);
}

}  // namespace bertlab::train
