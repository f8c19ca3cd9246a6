// What the `token-classification` and `crf` heads share: labels are BIO tags
// (one per word), features are word windows (word_windows.hpp), a
// dropout + linear layer named as BertForTokenClassification's gives every
// token its tag scores, predictions are one tag per word, and metrics are
// conlleval's (entity_metrics.hpp). Subclasses decide how scores become a
// loss and tags.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <bertlab/head.hpp>

#include "../sequence_classification/classifier.hpp"

namespace bertlab::heads {

class TaggingHead : public Head {
 public:
  // Reads "dropout" and "stride"; the subclass rejects unknown keys.
  explicit TaggingHead(const Options& options);

  std::vector<std::string> collect_labels(std::span<const Example> examples) const override;
  void build(const HeadContext& context) override;
  std::vector<Feature> featurize(const Example& example, std::int64_t example_index, const Tokenizer& tokenizer,
                                 const EncodeOptions& options) const override;
  // "labels" [batch, seq]: a tag id on each word's first sub-token (-1 when
  // the word has no gold tag), -100 elsewhere. Always present: it is also
  // where forward and decoding find the words.
  std::map<std::string, torch::Tensor> collate(std::span<const Feature* const> features,
                                               std::int64_t seq_len) const override;
  HeadOutput forward(const EncoderOutputs& encoder_outputs, const Batch& batch) override;
  std::vector<Prediction> predict(std::span<const Example> examples, std::span<const Feature> features,
                                  std::span<const Value> feature_results) const override;
  Metrics evaluate(std::span<const Example> examples, std::span<const Prediction> predictions) const override;
  std::string default_metric() const override { return "f1"; }
  Table hf_config() const override;

 protected:
  // Called at the end of build() with the label set in place.
  virtual void build_layers(const HeadContext& context) = 0;
  // One result per feature: {"tags": [tag id of each first sub-token, in token order]}.
  static std::vector<Value> tag_results(const std::vector<std::vector<std::int64_t>>& tags);
  static const torch::Tensor& labels_of(const Batch& batch);

  const std::vector<std::string>& labels() const { return labels_; }
  SequenceClassifier& classifier() { return classifier_; }


 private:
  std::int64_t tag_id(const std::string& tag) const;

  std::optional<double> dropout_;  // unset: the encoder's hidden_dropout_prob, as HF does
  std::int64_t stride_ = 32;
  std::vector<std::string> labels_;
  std::map<std::string, std::int64_t, std::less<>> tag_ids_;
  SequenceClassifier classifier_{nullptr};
};

}  // namespace bertlab::heads
