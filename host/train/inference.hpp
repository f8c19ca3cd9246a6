// Running the encoder and a task head on batches of features, for training
// steps, evaluation and `bertlab predict` alike.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bertlab/head.hpp"
#include "model/bert_model.hpp"

namespace bertlab::train {

// CPU bf16 autocast for a scope (fp32 master weights stay as they are).
class AutocastScope {
 public:
  explicit AutocastScope(bool enabled);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
};

// The features at `indices`, padded to the longest (dynamic padding), with the head's label tensors.
Batch make_batch(const std::vector<Feature>& features, const std::vector<std::size_t>& indices, const Head& head,
                 std::int64_t pad_id);

EncoderOutputs run_encoder(model::BertModel& bert, const Batch& batch, bool all_hidden_states);

// One prediction per example: the features run in inference mode in order of
// length (little padding), their results put back in feature order and
// combined by the head. Leaves the modules in eval mode.
std::vector<Prediction> predict(model::BertModel& bert, Head& head, std::span<const Example> examples,
                                const std::vector<Feature>& features, std::int64_t batch_size, std::int64_t pad_id,
                                bool bf16);

}  // namespace bertlab::train
