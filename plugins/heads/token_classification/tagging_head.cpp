#include "tagging_head.hpp"

#include <set>
#include <stdexcept>

#include <ATen/ATen.h>

#include "entity_metrics.hpp"
#include "word_windows.hpp"

namespace bertlab::heads {

namespace {

// Words of an example: pre-split (conll/chars data), else its text split at spaces (other formats).
std::vector<std::string> words_of(const Example& example) {
  if (!example.words.empty()) return example.words;
  std::vector<std::string> words;
  std::string word;
  for (char c : example.text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::vector<std::string> tags_of(const Value& label) {
  if (!label.is_array()) throw std::invalid_argument(std::string("expected one tag per word, got a ") + label.type_name());
  std::vector<std::string> tags;
  for (const auto& tag : label.as_array()) {
    if (!tag.is_string()) throw std::invalid_argument(std::string("a tag must be a string, got ") + tag.type_name());
    tags.push_back(tag.as_string());
  }
  return tags;
}

}  // namespace

TaggingHead::TaggingHead(const Options& options) {
  if (options.contains("dropout")) dropout_ = options.get_double_in("dropout", 0.0, 0.0, 1.0);
  stride_ = options.get_int_in("stride", 32, 0, 1 << 20);
}

std::vector<std::string> TaggingHead::collect_labels(std::span<const Example> examples) const {
  std::set<std::string> names{"O"};
  for (const auto& example : examples) {
    if (example.label.is_null()) continue;
    for (const auto& tag : tags_of(example.label)) {
      names.insert(tag);
      // Both tags of every BIO type, so that an I-X missing from a small
      // training set can still be read in the eval set and predicted.
      if (tag.size() > 2 && tag[1] == '-' && (tag[0] == 'B' || tag[0] == 'I')) {
        names.insert("B-" + tag.substr(2));
        names.insert("I-" + tag.substr(2));
      }
    }
  }
  return {names.begin(), names.end()};
}

void TaggingHead::build(const HeadContext& context) {
  if (context.labels.empty()) throw std::invalid_argument("no tags to label with");
  labels_ = context.labels;
  tag_ids_.clear();
  for (std::size_t i = 0; i < labels_.size(); ++i) tag_ids_.emplace(labels_[i], static_cast<std::int64_t>(i));
  classifier_ = SequenceClassifier(context.encoder.hidden_size, static_cast<std::int64_t>(labels_.size()),
                                   dropout_.value_or(context.encoder.hidden_dropout_prob));
  classifier_->init_weights(context.encoder.initializer_range, context.seed);
  build_layers(context);
}

std::vector<Feature> TaggingHead::featurize(const Example& example, std::int64_t example_index,
                                            const Tokenizer& tokenizer, const EncodeOptions& options) const {
  const auto words = words_of(example);
  std::vector<std::int64_t> ids;
  if (!example.label.is_null()) {
    const auto tags = tags_of(example.label);
    if (tags.size() != words.size())
      throw std::invalid_argument(std::to_string(words.size()) + " words but " + std::to_string(tags.size()) + " tags");
    for (const auto& tag : tags) ids.push_back(tag_id(tag));
  }
  return featurize_words(words, ids, example_index, tokenizer, options, stride_);
}

std::map<std::string, torch::Tensor> TaggingHead::collate(std::span<const Feature* const> features,
                                                          std::int64_t seq_len) const {
  const auto batch = static_cast<std::int64_t>(features.size());
  auto labels = at::full({batch, seq_len}, kIgnoreIndex, at::kLong);
  auto view = labels.accessor<std::int64_t, 2>();
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& row = features[static_cast<std::size_t>(b)]->labels;
    for (std::size_t i = 0; i < row.size() && static_cast<std::int64_t>(i) < seq_len; ++i)
      view[b][static_cast<std::int64_t>(i)] = row[i];
  }
  return {{"labels", labels}};
}

HeadOutput TaggingHead::forward(const EncoderOutputs& encoder_outputs, const Batch& /*batch*/) {
  return {{"logits", classifier_->forward(encoder_outputs.last_hidden_state)}};
}

const torch::Tensor& TaggingHead::labels_of(const Batch& batch) {
  auto it = batch.labels.find("labels");
  if (it == batch.labels.end()) throw std::logic_error("tagging head: a batch without the collated labels");
  return it->second;
}

std::vector<Value> TaggingHead::tag_results(const std::vector<std::vector<std::int64_t>>& tags) {
  std::vector<Value> out;
  out.reserve(tags.size());
  for (const auto& row : tags) {
    Array ids;
    for (auto id : row) ids.emplace_back(id);
    out.emplace_back(Table{{"tags", std::move(ids)}});
  }
  return out;
}

std::vector<Prediction> TaggingHead::predict(std::span<const Example> examples, std::span<const Feature> features,
                                             std::span<const Value> feature_results) const {
  if (features.size() != feature_results.size()) throw std::logic_error("predict: one result per feature expected");
  std::vector<std::vector<const Feature*>> windows(examples.size());
  std::vector<std::vector<std::vector<std::int64_t>>> window_tags(examples.size());
  for (std::size_t i = 0; i < features.size(); ++i) {
    const auto e = static_cast<std::size_t>(features[i].example_index);
    windows.at(e).push_back(&features[i]);
    auto& tags = window_tags[e].emplace_back();
    for (const auto& id : feature_results[i].as_table().at("tags").as_array()) tags.push_back(id.as_int());
  }
  const auto outside = tag_ids_.find("O");
  const std::int64_t fallback = outside != tag_ids_.end() ? outside->second : 0;
  std::vector<Prediction> out;
  out.reserve(examples.size());
  for (std::size_t e = 0; e < examples.size(); ++e) {
    const auto word_count = words_of(examples[e]).size();
    Array tags;
    for (auto id : merge_windows(word_count, windows[e], window_tags[e], fallback))
      tags.emplace_back(labels_.at(static_cast<std::size_t>(id)));
    out.push_back({{"tags", std::move(tags)}});
  }
  return out;
}

Metrics TaggingHead::evaluate(std::span<const Example> examples, std::span<const Prediction> predictions) const {
  if (examples.size() != predictions.size()) throw std::logic_error("evaluate: one prediction per example expected");
  std::vector<std::vector<std::string>> gold, predicted;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    if (examples[i].label.is_null()) continue;
    gold.push_back(tags_of(examples[i].label));
    predicted.push_back(tags_of(predictions[i].at("tags")));
  }
  return entity_metrics(gold, predicted);
}

Table TaggingHead::hf_config() const {
  Table id2label, label2id;
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    id2label.emplace(std::to_string(i), labels_[i]);
    label2id.emplace(labels_[i], static_cast<std::int64_t>(i));
  }
  return {{"architectures", Array{"BertForTokenClassification"}},
          {"id2label", std::move(id2label)},
          {"label2id", std::move(label2id)},
          {"num_labels", static_cast<std::int64_t>(labels_.size())}};
}

std::int64_t TaggingHead::tag_id(const std::string& tag) const {
  auto it = tag_ids_.find(tag);
  if (it != tag_ids_.end()) return it->second;
  std::string known;
  for (std::size_t i = 0; i < labels_.size(); ++i) known += (i ? ", " : "") + labels_[i];
  throw std::invalid_argument("unknown tag '" + tag + "' (known: " + known + ")");
}

}  // namespace bertlab::heads
