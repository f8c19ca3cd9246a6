// Running the encoder and a task head on batches of features, for training
// steps, evaluation and `bertlab predict` alike.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <c10/core/Device.h>

#include "bertlab/head.hpp"
#include "model/bert_model.hpp"
#include "train/precision.hpp"

namespace bertlab::train {

// Where the encoder and head run, and in what precision.
struct Compute {
  c10::Device device{c10::DeviceType::CPU};
  Precision precision = Precision::fp32;
};

// The CPU in fp32, or in bf16 when `bf16`.
inline Compute on_cpu(bool bf16) { return {c10::Device(c10::DeviceType::CPU), bf16 ? Precision::bf16 : Precision::fp32}; }

// Autocast to compute.precision on compute.device for a scope (fp32 master
// weights stay as they are); nothing for fp32.
class AutocastScope {
 public:
  explicit AutocastScope(const Compute& compute);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
  c10::DeviceType device_type_;
};

// The features at `indices`, padded to the longest (dynamic padding), with
// the head's label tensors; on the CPU.
Batch make_batch(const std::vector<Feature>& features, const std::vector<std::size_t>& indices, const Head& head,
                 std::int64_t pad_id);

// `batch`'s tensors on `device` (the same batch when that is the CPU).
Batch to_device(const Batch& batch, c10::Device device);

EncoderOutputs run_encoder(model::BertModel& bert, const Batch& batch, bool all_hidden_states);

// One prediction per example: the features run in inference mode in order of
// length (little padding), their results put back in feature order and
// combined by the head. The modules are on compute.device; the head decodes
// CPU tensors. Leaves the modules in eval mode.
std::vector<Prediction> predict(model::BertModel& bert, Head& head, std::span<const Example> examples,
                                const std::vector<Feature>& features, std::int64_t batch_size, std::int64_t pad_id,
                                const Compute& compute);

}  // namespace bertlab::train
