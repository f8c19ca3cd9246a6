#include "train/inference.hpp"

#include <algorithm>
#include <numeric>

#include <ATen/autocast_mode.h>
#include <c10/core/InferenceMode.h>

#include "model/input_batch.hpp"

namespace bertlab::train {

AutocastScope::AutocastScope(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  at::autocast::set_autocast_dtype(at::kCPU, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCPU, true);
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  at::autocast::set_autocast_enabled(at::kCPU, false);
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

EncoderOutputs run_encoder(model::BertModel& bert, const Batch& batch, bool all_hidden_states) {
  model::BertForwardOptions options;
  options.output_hidden_states = all_hidden_states;
  auto out = bert->forward(batch.input_ids, batch.token_type_ids, batch.attention_mask, options);
  return EncoderOutputs{out.last_hidden_state, out.pooler_output, std::move(out.hidden_states)};
}

std::vector<Prediction> predict(model::BertModel& bert, Head& head, std::span<const Example> examples,
                                const std::vector<Feature>& features, std::int64_t batch_size, std::int64_t pad_id,
                                bool bf16) {
  bert->eval();
  head.module().eval();
  std::vector<Value> results(features.size());
  {
    c10::InferenceMode guard;
    AutocastScope autocast(bf16);
    std::vector<std::size_t> order(features.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return features[a].encoding.size() < features[b].encoding.size(); });
    const auto size = static_cast<std::size_t>(batch_size);
    for (std::size_t start = 0; start < order.size(); start += size) {
      std::vector<std::size_t> indices(order.begin() + static_cast<std::ptrdiff_t>(start),
                                       order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), start + size)));
      auto batch = make_batch(features, indices, head, pad_id);
      auto outputs = head.forward(run_encoder(bert, batch, head.needs_all_hidden_states()), batch);
      auto decoded = head.decode_features(outputs, batch);
      for (std::size_t k = 0; k < indices.size(); ++k) results[indices[k]] = std::move(decoded[k]);
    }
  }
  return head.predict(examples, features, results);
}

}  // namespace bertlab::train
