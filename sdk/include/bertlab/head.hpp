// bertlab SDK v2 — head.hpp
//
// A head is the task-specific output layer on top of the BERT encoder
// (classification on [CLS], token tagging, a CRF, a QA span pointer, MLM/NSP
// for pretraining). It owns every step that depends on the task:
//
//   examples --featurize--> features --collate--> label tensors
//   encoder outputs --forward--> head outputs --loss--> scalar
//   head outputs --decode_features--> per-feature results --predict--> per-example predictions
//   predictions + examples --evaluate--> metrics
//
// The host owns tokenization, batching of input ids (dynamic padding), the
// encoder, the optimizer, mixed precision and checkpoints.
//
// Lifetime: the host constructs the plugin from its options, calls
// `collect_labels` on the training set (or passes labels from the experiment
// or a saved checkpoint), then `build` once, then the rest any number of
// times. `module()` stays valid until the object is destroyed; the host moves
// it to the training device and dtype and registers its parameters with the
// optimizer.
//
// Checkpoints: the head's parameter names, as returned by state_dict(), are
// written into the model's `model.safetensors` as they are, so a head should
// name its submodules as the Hugging Face class it mirrors does (e.g.
// `classifier.weight` for BertForSequenceClassification) and say so in
// hf_config() for `transformers` to load the result.
//
// Errors: `featurize` throws std::invalid_argument naming the problem for an
// example it cannot use (unknown label, answer outside the context); the host
// adds file and line. Other calls throw only on programming errors.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "bertlab/plugin.hpp"
#include "bertlab/tokenizer.hpp"

namespace bertlab {

// One row of task data, as read by the host from csv/tsv/jsonl or a task
// format. Which fields are used depends on the head.
struct Example {
  std::string id;                  // stable id (row number if the data has none)
  std::string text;                // text A; the question for QA
  std::string text_pair;           // text B; the context for QA
  bool is_pair = false;
  std::vector<std::string> words;  // pre-split words (sequence labelling)
  // null when unlabelled; a string or number (classification, regression),
  // an array of strings (one tag per word), or an array of tables
  // {"text": ..., "answer_start": code-point offset} (QA answers).
  Value label;
  Table fields;  // any other columns, for heads that want them
};

// One model input derived from an example. QA makes several per long
// example (document stride); others make one.
struct Feature {
  Encoding encoding;  // unpadded
  std::int64_t example_index = 0;
  // Head-defined integer labels: a class id; one tag id per token with -100
  // where no loss applies; {start, end} token positions for QA.
  std::vector<std::int64_t> labels;
  std::vector<float> targets;  // head-defined real targets (regression)
};

// A padded batch built by the host: input tensors [batch, seq] int64 on the
// training device, and the features it came from, in order.
struct Batch {
  torch::Tensor input_ids;
  torch::Tensor token_type_ids;
  torch::Tensor attention_mask;
  std::vector<const Feature*> features;
  std::map<std::string, torch::Tensor> labels;  // from Head::collate, on the device
};

struct EncoderOutputs {
  torch::Tensor last_hidden_state;           // [batch, seq, hidden]
  torch::Tensor pooled_output;               // [batch, hidden], tanh(dense([CLS]))
  std::vector<torch::Tensor> hidden_states;  // embeddings + each layer, when asked for
};

struct EncoderInfo {
  std::int64_t hidden_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t vocab_size = 0;
  double hidden_dropout_prob = 0.1;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  std::string hidden_act = "gelu";
  torch::Tensor word_embeddings;  // [vocab, hidden], for heads that tie weights (MLM)
};

struct HeadContext {
  EncoderInfo encoder;
  std::vector<std::string> labels;  // label vocabulary; empty for regression and QA
  std::uint64_t seed = 0;           // for initializing the head's weights
};

// What forward returns: named tensors, e.g. "logits" or "start_logits" and
// "end_logits". The host only passes them back to the head.
using HeadOutput = std::map<std::string, torch::Tensor>;

// Per-example prediction, as printed by `bertlab predict` (one JSON object a
// row), e.g. {"label": "positive", "probabilities": {...}}.
using Prediction = Table;

using Metrics = std::map<std::string, double>;

class Head : public Plugin {
 public:
  using Interface = Head;
  static constexpr const char* kKind = kind::head;

  // The label vocabulary found in the training examples, in a stable order
  // (sorted). Empty for heads without discrete labels.
  virtual std::vector<std::string> collect_labels(std::span<const Example> examples) const = 0;

  // Create the head's layers for this encoder and label set.
  virtual void build(const HeadContext& context) = 0;
  virtual torch::nn::Module& module() = 0;

  // Whether forward needs EncoderOutputs::hidden_states (every layer).
  virtual bool needs_all_hidden_states() const { return false; }

  virtual std::vector<Feature> featurize(const Example& example, std::int64_t example_index,
                                         const Tokenizer& tokenizer,
                                         const EncodeOptions& options) const = 0;

  // Label tensors for a batch whose inputs are padded to `seq_len` (CPU
  // tensors; the host moves them). Keys are the head's own, e.g. "labels".
  virtual std::map<std::string, torch::Tensor> collate(std::span<const Feature* const> features,
                                                       std::int64_t seq_len) const = 0;

  // On the device the host trains on (module() has been moved there; make
  // new tensors with the options of the inputs, not the CPU default).
  virtual HeadOutput forward(const EncoderOutputs& encoder_outputs, const Batch& batch) = 0;

  // Mean loss over the batch, a scalar tensor. `batch.labels` may hold
  // labels permuted along the batch dimension (the host does this for
  // mixup-style augmentation, combining two losses).
  virtual torch::Tensor loss(const HeadOutput& output, const Batch& batch) = 0;

  // One result per feature of the batch (e.g. class probabilities, tag ids,
  // the best start/end candidates with scores), detached from autograd.
  // `output` and `batch` are on the CPU here, whatever device forward ran on.
  virtual std::vector<Value> decode_features(const HeadOutput& output, const Batch& batch) const = 0;

  // Combine per-feature results into one prediction per example (QA merges
  // the windows of one context here). `feature_results[i]` belongs to
  // `features[i]`.
  virtual std::vector<Prediction> predict(std::span<const Example> examples,
                                          std::span<const Feature> features,
                                          std::span<const Value> feature_results) const = 0;

  // Task metrics, computed as the official scorer of the task does (e.g.
  // accuracy and F1; conlleval entity F1; SQuAD EM/F1).
  virtual Metrics evaluate(std::span<const Example> examples,
                           std::span<const Prediction> predictions) const = 0;

  // The metric a study optimizes when the experiment names none.
  virtual std::string default_metric() const = 0;

  // Fields merged into the saved model's config.json: "architectures",
  // "id2label", "label2id", "problem_type", ...
  virtual Table hf_config() const = 0;

  // The head's weights by name. The default covers every parameter and
  // buffer of module().
  virtual std::map<std::string, torch::Tensor> state_dict() {
    std::map<std::string, torch::Tensor> out;
    for (const auto& item : module().named_parameters()) out.emplace(item.key(), item.value());
    for (const auto& item : module().named_buffers()) out.emplace(item.key(), item.value());
    return out;
  }
  // Copies `tensors` into the head's weights. Throws std::runtime_error
  // naming the first missing or wrong-shaped tensor.
  virtual void load_state_dict(const std::map<std::string, torch::Tensor>& tensors) {
    torch::NoGradGuard no_grad;
    for (auto& [name, target] : state_dict()) {
      auto it = tensors.find(name);
      if (it == tensors.end()) throw std::runtime_error("head weight '" + name + "' missing from checkpoint");
      if (it->second.sizes() != target.sizes())
        throw std::runtime_error("head weight '" + name + "' has shape " +
                                 c10::str(it->second.sizes()) + ", expected " + c10::str(target.sizes()));
      target.copy_(it->second);
    }
  }
};

}  // namespace bertlab
