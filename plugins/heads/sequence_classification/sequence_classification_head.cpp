// The `sequence-classification` head: Hugging Face's
// BertForSequenceClassification (dropout and a linear layer on the pooled
// [CLS] vector) for single sentences and pairs, as classification with
// cross-entropy or as regression with MSE (STS-B).
#include <bertlab/head.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>

#include <torch/nn/functional/loss.h>
#include <ATen/ATen.h>
#include <torch/nn/functional/activation.h>

#include "classifier.hpp"
#include "labels.hpp"
#include "metrics.hpp"

namespace {

using namespace bertlab;
using bertlab::heads::label_name;
using bertlab::heads::label_target;

enum class ProblemType { automatic, classification, regression };

ProblemType parse_problem_type(const Options& options) {
  const std::string name = options.get_string("problem_type", "auto");
  if (name == "auto") return ProblemType::automatic;
  if (name == "single_label_classification") return ProblemType::classification;
  if (name == "regression") return ProblemType::regression;
  throw OptionError(options.path("problem_type"),
                    "expected \"auto\", \"single_label_classification\" or \"regression\", got \"" + name + "\"");
}

// cross_entropy skips this target, so a batch may mix labelled and
// unlabelled features.
constexpr std::int64_t kIgnoreIndex = -100;

class SequenceClassificationHead final : public Head {
 public:
  explicit SequenceClassificationHead(const Options& options) : problem_type_(parse_problem_type(options)) {
    if (options.contains("dropout")) dropout_ = options.get_double_in("dropout", 0.0, 0.0, 1.0);
    options.reject_unknown({"dropout", "problem_type"});
  }

  std::vector<std::string> collect_labels(std::span<const Example> examples) const override {
    if (problem_type_ == ProblemType::regression) return {};
    if (problem_type_ == ProblemType::automatic && heads::looks_like_regression(examples)) return {};
    std::set<std::string> names;
    for (const auto& example : examples)
      if (!example.label.is_null()) names.insert(label_name(example.label));
    return {names.begin(), names.end()};
  }

  void build(const HeadContext& context) override {
    // With auto, no labels means collect_labels found regression data (or a
    // regression checkpoint passed its empty label list).
    regression_ = problem_type_ == ProblemType::regression ||
                  (problem_type_ == ProblemType::automatic && context.labels.empty());
    if (!regression_ && context.labels.empty())
      throw std::invalid_argument("sequence-classification: no labels to classify into");
    labels_ = regression_ ? std::vector<std::string>{} : context.labels;
    label_ids_.clear();
    for (std::size_t i = 0; i < labels_.size(); ++i) label_ids_.emplace(labels_[i], static_cast<std::int64_t>(i));
    const auto num_labels = regression_ ? std::int64_t{1} : static_cast<std::int64_t>(labels_.size());
    classifier_ = heads::SequenceClassifier(context.encoder.hidden_size, num_labels,
                                            dropout_.value_or(context.encoder.hidden_dropout_prob));
    classifier_->init_weights(context.encoder.initializer_range, context.seed);
  }

  torch::nn::Module& module() override {
    if (classifier_.is_empty()) throw std::logic_error("sequence-classification: module() before build()");
    return *classifier_;
  }

  std::vector<Feature> featurize(const Example& example, std::int64_t example_index, const Tokenizer& tokenizer,
                                 const EncodeOptions& options) const override {
    Feature feature;
    feature.encoding = tokenizer.encode(TextInput{example.text, example.text_pair, example.is_pair, {}}, options);
    feature.example_index = example_index;
    if (!example.label.is_null()) {
      if (regression_)
        feature.targets = {static_cast<float>(label_target(example.label))};
      else
        feature.labels = {label_id(label_name(example.label))};
    }
    return {std::move(feature)};
  }

  std::map<std::string, torch::Tensor> collate(std::span<const Feature* const> features,
                                               std::int64_t /*seq_len*/) const override {
    const bool any_labelled = std::any_of(features.begin(), features.end(), [](const Feature* f) {
      return !f->labels.empty() || !f->targets.empty();
    });
    if (!any_labelled) return {};
    const auto batch = static_cast<std::int64_t>(features.size());
    if (regression_) {
      // NaN marks an unlabelled feature; loss() leaves it out.
      auto targets = torch::full({batch}, std::numeric_limits<float>::quiet_NaN(), torch::kFloat32);
      auto view = targets.accessor<float, 1>();
      for (std::int64_t i = 0; i < batch; ++i)
        if (!features[i]->targets.empty()) view[i] = features[i]->targets[0];
      return {{"labels", targets}};
    }
    auto labels = torch::full({batch}, kIgnoreIndex, torch::kInt64);
    auto view = labels.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < batch; ++i)
      if (!features[i]->labels.empty()) view[i] = features[i]->labels[0];
    return {{"labels", labels}};
  }

  HeadOutput forward(const EncoderOutputs& encoder_outputs, const Batch& /*batch*/) override {
    return {{"logits", classifier_->forward(encoder_outputs.pooled_output)}};
  }

  torch::Tensor loss(const HeadOutput& output, const Batch& batch) override {
    auto labels = batch.labels.find("labels");
    if (labels == batch.labels.end())
      throw std::logic_error("sequence-classification: loss() on a batch without labels");
    // In float32 even under half precision: log-softmax and squared errors
    // lose too much in 16 bits.
    const auto logits = output.at("logits").to(torch::kFloat32);
    namespace F = torch::nn::functional;
    if (regression_) {
      const auto keep = ~torch::isnan(labels->second);
      return F::mse_loss(logits.squeeze(-1).masked_select(keep), labels->second.masked_select(keep));
    }
    return F::cross_entropy(logits, labels->second, F::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex));
  }

  std::vector<Value> decode_features(const HeadOutput& output, const Batch& /*batch*/) const override {
    auto logits = output.at("logits").detach().to(torch::kCPU, torch::kFloat32);
    std::vector<Value> results;
    if (regression_) {
      auto view = logits.accessor<float, 2>();
      for (std::int64_t i = 0; i < view.size(0); ++i) results.emplace_back(Table{{"value", double{view[i][0]}}});
      return results;
    }
    const auto probabilities = torch::softmax(logits, -1).contiguous();
    auto view = probabilities.accessor<float, 2>();
    for (std::int64_t i = 0; i < view.size(0); ++i) {
      Array row;
      for (std::int64_t k = 0; k < view.size(1); ++k) row.emplace_back(double{view[i][k]});
      results.emplace_back(Table{{"probabilities", std::move(row)}});
    }
    return results;
  }

  std::vector<Prediction> predict(std::span<const Example> examples, std::span<const Feature> features,
                                  std::span<const Value> feature_results) const override {
    if (features.size() != feature_results.size()) throw std::logic_error("predict: one result per feature expected");
    std::vector<std::optional<Prediction>> by_example(examples.size());
    for (std::size_t i = 0; i < features.size(); ++i)
      by_example.at(static_cast<std::size_t>(features[i].example_index)) = prediction(feature_results[i].as_table());
    std::vector<Prediction> out;
    out.reserve(examples.size());
    for (auto& item : by_example) {
      if (!item) throw std::logic_error("predict: an example has no feature");
      out.push_back(std::move(*item));
    }
    return out;
  }

  Metrics evaluate(std::span<const Example> examples, std::span<const Prediction> predictions) const override {
    if (examples.size() != predictions.size()) throw std::logic_error("evaluate: one prediction per example expected");
    if (regression_) {
      std::vector<double> gold, predicted;
      for (std::size_t i = 0; i < examples.size(); ++i) {
        if (examples[i].label.is_null()) continue;
        gold.push_back(label_target(examples[i].label));
        predicted.push_back(predictions[i].at("value").as_double());
      }
      return heads::regression_metrics(gold, predicted);
    }
    // Gold labels unseen in training still count, as classes never predicted.
    std::map<std::string, std::int64_t> ids(label_ids_.begin(), label_ids_.end());
    auto id_of = [&](const std::string& name) {
      return ids.emplace(name, static_cast<std::int64_t>(ids.size())).first->second;
    };
    std::vector<std::int64_t> gold, predicted;
    for (std::size_t i = 0; i < examples.size(); ++i) {
      if (examples[i].label.is_null()) continue;
      gold.push_back(id_of(label_name(examples[i].label)));
      predicted.push_back(id_of(predictions[i].at("label").as_string()));
    }
    // Binary F1 and MCC take the second sorted label as positive, which is
    // sklearn's default pos_label=1 for 0/1 data.
    const auto positive = labels_.size() == 2 ? std::optional<std::int64_t>(1) : std::nullopt;
    return heads::classification_metrics(gold, predicted, static_cast<std::int64_t>(ids.size()), positive);
  }

  std::string default_metric() const override {
    return regression_ || problem_type_ == ProblemType::regression ? "pearson" : "accuracy";
  }

  Table hf_config() const override {
    Table id2label, label2id;
    // transformers names the single regression output LABEL_0 itself.
    const std::vector<std::string> names = regression_ ? std::vector<std::string>{"LABEL_0"} : labels_;
    for (std::size_t i = 0; i < names.size(); ++i) {
      id2label.emplace(std::to_string(i), names[i]);
      label2id.emplace(names[i], static_cast<std::int64_t>(i));
    }
    return {{"architectures", Array{"BertForSequenceClassification"}},
            {"id2label", std::move(id2label)},
            {"label2id", std::move(label2id)},
            {"num_labels", static_cast<std::int64_t>(names.size())},
            {"problem_type", regression_ ? "regression" : "single_label_classification"}};
  }

 private:
  std::int64_t label_id(const std::string& name) const {
    auto it = label_ids_.find(name);
    if (it != label_ids_.end()) return it->second;
    std::string known;
    constexpr std::size_t kShown = 10;  // enough to spot a typo, short enough to read
    for (std::size_t i = 0; i < labels_.size() && i < kShown; ++i) known += (i ? ", " : "") + labels_[i];
    if (labels_.size() > kShown) known += ", ... (" + std::to_string(labels_.size()) + " in all)";
    throw std::invalid_argument("unknown label '" + name + "' (known: " + known + ")");
  }

  Prediction prediction(const Table& result) const {
    if (regression_) return {{"value", result.at("value")}};
    const Array& probabilities = result.at("probabilities").as_array();
    Table by_label;
    std::size_t best = 0;
    for (std::size_t k = 0; k < probabilities.size(); ++k) {
      by_label.emplace(labels_[k], probabilities[k]);
      if (probabilities[k].as_double() > probabilities[best].as_double()) best = k;
    }
    return {{"label", labels_[best]}, {"probabilities", std::move(by_label)}};
  }

  ProblemType problem_type_;
  std::optional<double> dropout_;  // unset: the encoder's hidden_dropout_prob, as HF does
  bool regression_ = false;
  std::vector<std::string> labels_;
  std::map<std::string, std::int64_t, std::less<>> label_ids_;
  heads::SequenceClassifier classifier_{nullptr};
};

}  // namespace

BERTLAB_PLUGIN(SequenceClassificationHead, "sequence-classification", "1.0.0",
               "BertForSequenceClassification: dropout + linear on the pooled [CLS]; classification or regression")
