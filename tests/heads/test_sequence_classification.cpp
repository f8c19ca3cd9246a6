// The sequence-classification head through the plugin host. Expected metric
// values were computed with scikit-learn 1.9 and scipy 1.17 (accuracy_score,
// f1_score, matthews_corrcoef, pearsonr, spearmanr, mean_squared_error) on the
// same data, and checked by hand where noted.
#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/dropout.h>
#include <torch/optim/sgd.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bertlab/head.hpp"
#include "plugin/plugin_host.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab;

namespace {

constexpr std::int64_t kHidden = 16;

const plugin::PluginHost& host() {
  static const auto loaded = [] {
    auto h = std::make_unique<plugin::PluginHost>();
    h->load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
    return h;
  }();
  return *loaded;
}

// Loading the vocabulary is the slow part, so tests share one tokenizer.
const Tokenizer& tokenizer() {
  static const auto shared = host().create<Tokenizer>(
      "wordpiece", Options(Table{{"vocab", std::string(BERTLAB_MINILM_DIR) + "/vocab.txt"}}, "tokenizer"));
  return *shared;
}

std::shared_ptr<Head> make_head(Table options = {}) {
  return host().create<Head>("sequence-classification", Options(std::move(options), "head"));
}

HeadContext context(std::vector<std::string> labels, std::uint64_t seed = 7) {
  HeadContext c;
  c.encoder.hidden_size = kHidden;
  c.encoder.hidden_dropout_prob = 0.1;
  c.encoder.initializer_range = 0.02;
  c.labels = std::move(labels);
  c.seed = seed;
  return c;
}

std::shared_ptr<Head> built_head(std::vector<std::string> labels, Table options = {}) {
  auto head = make_head(std::move(options));
  head->build(context(std::move(labels)));
  return head;
}

Example labelled(std::string text, Value label) {
  Example e;
  e.text = std::move(text);
  e.label = std::move(label);
  return e;
}

Batch batch_of(const std::vector<Feature>& features, const Head& head) {
  Batch batch;
  for (const auto& f : features) batch.features.push_back(&f);
  batch.labels = head.collate(batch.features, 0);
  return batch;
}

std::vector<Prediction> label_predictions(const std::vector<std::string>& labels) {
  std::vector<Prediction> out;
  for (const auto& l : labels) out.push_back({{"label", l}});
  return out;
}

std::vector<Example> gold_examples(const std::vector<Value>& labels) {
  std::vector<Example> out;
  for (const auto& l : labels) out.push_back(labelled("x", l));
  return out;
}

}  // namespace

TEST_CASE("sequence-classification: collect_labels sorts names and spots regression") {
  auto head = make_head();
  auto strings = gold_examples({"pos", "neg", "pos", nullptr});
  CHECK(head->collect_labels(strings) == std::vector<std::string>{"neg", "pos"});
  auto integers = gold_examples({1, 0, 1});
  CHECK(head->collect_labels(integers) == std::vector<std::string>{"0", "1"});
  auto whole_reals = gold_examples({1.0, 0.0});
  CHECK(head->collect_labels(whole_reals) == std::vector<std::string>{"0", "1"});
  auto scores = gold_examples({0.5, 3, 4.2});
  CHECK(head->collect_labels(scores).empty());

  auto forced = make_head({{"problem_type", "single_label_classification"}});
  CHECK(forced->collect_labels(scores) == std::vector<std::string>{"0.5", "3", "4.2"});
  auto regression = make_head({{"problem_type", "regression"}});
  CHECK(regression->collect_labels(integers).empty());
}

TEST_CASE("sequence-classification: options are checked") {
  CHECK_THROWS_WITH(make_head({{"dropuot", 0.1}}), doctest::Contains("unknown option"));
  CHECK_THROWS_WITH(make_head({{"problem_type", "multi_label"}}), doctest::Contains("problem_type"));
  CHECK_THROWS_WITH(make_head({{"dropout", 1.5}}), doctest::Contains("dropout"));
  auto head = make_head({{"problem_type", "single_label_classification"}});
  CHECK_THROWS_AS(head->build(context({})), std::invalid_argument);
}

TEST_CASE("sequence-classification: weights are HF's names, normal(0, initializer_range), seeded") {
  auto head = built_head({"neg", "pos"});
  auto weights = head->state_dict();
  REQUIRE(weights.size() == 2);
  REQUIRE(weights.contains("classifier.weight"));
  REQUIRE(weights.contains("classifier.bias"));
  CHECK(weights["classifier.weight"].sizes() == torch::IntArrayRef{2, kHidden});
  CHECK(weights["classifier.bias"].sizes() == torch::IntArrayRef{2});
  CHECK(weights["classifier.bias"].abs().sum().item<double>() == 0.0);

  auto same = make_head();
  same->build(context({"neg", "pos"}, 7));
  CHECK(torch::equal(same->state_dict()["classifier.weight"], weights["classifier.weight"]));
  auto other = make_head();
  other->build(context({"neg", "pos"}, 8));
  CHECK_FALSE(torch::equal(other->state_dict()["classifier.weight"], weights["classifier.weight"]));

  auto wide = make_head();
  auto wide_context = context({"a", "b", "c"});
  wide_context.encoder.hidden_size = 1024;
  wide->build(wide_context);
  const auto w = wide->state_dict()["classifier.weight"];
  CHECK(std::abs(w.mean().item<double>()) < 0.002);
  CHECK(w.std().item<double>() == doctest::Approx(0.02).epsilon(0.05));
}

TEST_CASE("sequence-classification: dropout defaults to the encoder's hidden_dropout_prob") {
  auto dropout_of = [](Head& head) {
    for (const auto& child : head.module().named_children())
      if (auto* d = child.value()->as<torch::nn::Dropout>()) return d->options.p();
    return -1.0;
  };
  auto by_default = built_head({"a", "b"});
  CHECK(dropout_of(*by_default) == 0.1);
  auto given = built_head({"a", "b"}, {{"dropout", 0.3}});
  CHECK(dropout_of(*given) == 0.3);
}

TEST_CASE("sequence-classification: featurize single sentences and pairs") {
  auto head = built_head({"neg", "pos"});
  EncodeOptions options;
  auto single = head->featurize(labelled("a fine film", "pos"), 4, tokenizer(), options);
  REQUIRE(single.size() == 1);
  CHECK(single[0].example_index == 4);
  CHECK(single[0].labels == std::vector<std::int64_t>{1});
  CHECK(single[0].encoding.tokens == std::vector<std::string>{"[CLS]", "a", "fine", "film", "[SEP]"});

  Example pair = labelled("a fine film", "neg");
  pair.text_pair = "not really";
  pair.is_pair = true;
  auto paired = head->featurize(pair, 0, tokenizer(), options);
  CHECK(paired[0].labels == std::vector<std::int64_t>{0});
  CHECK(paired[0].encoding.type_ids == std::vector<std::int64_t>{0, 0, 0, 0, 0, 1, 1, 1});

  auto unlabelled = head->featurize(labelled("a fine film", nullptr), 0, tokenizer(), options);
  CHECK(unlabelled[0].labels.empty());
  CHECK(unlabelled[0].targets.empty());
}

TEST_CASE("sequence-classification: an unknown label names itself and the known ones") {
  auto head = built_head({"neg", "pos"});
  CHECK_THROWS_WITH_AS(head->featurize(labelled("text", "maybe"), 0, tokenizer(), EncodeOptions{}),
                       "unknown label 'maybe' (known: neg, pos)", std::invalid_argument);
  auto numbered = built_head({"0", "1"});
  CHECK_THROWS_WITH_AS(numbered->featurize(labelled("text", 2), 0, tokenizer(), EncodeOptions{}),
                       doctest::Contains("unknown label '2'"), std::invalid_argument);
}

TEST_CASE("sequence-classification: collate, forward and loss shapes") {
  auto head = built_head({"a", "b", "c"});
  std::vector<Feature> features;
  for (auto [text, label] : {std::pair{"one", "c"}, {"two words", "a"}, {"three more words", "b"}})
    features.push_back(head->featurize(labelled(text, label), 0, tokenizer(), EncodeOptions{})[0]);
  features.push_back(head->featurize(labelled("none", nullptr), 0, tokenizer(), EncodeOptions{})[0]);
  auto batch = batch_of(features, *head);
  const auto& labels = batch.labels.at("labels");
  CHECK(labels.dtype() == torch::kInt64);
  CHECK(torch::equal(labels, torch::tensor({2, 0, 1, -100}, torch::kInt64)));

  EncoderOutputs encoded;
  encoded.pooled_output = torch::randn({4, kHidden});
  auto output = head->forward(encoded, batch);
  CHECK(output.at("logits").sizes() == torch::IntArrayRef{4, 3});
  auto loss = head->loss(output, batch);
  CHECK(loss.dim() == 0);
  // The unlabelled row is left out of the mean.
  auto expected = torch::nn::functional::cross_entropy(output.at("logits").slice(0, 0, 3), labels.slice(0, 0, 3));
  CHECK(loss.item<double>() == doctest::Approx(expected.item<double>()));

  std::vector<Feature> unlabelled(features.end() - 1, features.end());
  CHECK(batch_of(unlabelled, *head).labels.empty());
}

TEST_CASE("sequence-classification: the head alone overfits fixed pooled vectors") {
  torch::manual_seed(0);
  auto head = built_head({"0", "1"}, {{"dropout", 0.0}});
  std::vector<Feature> features(8);
  for (std::size_t i = 0; i < features.size(); ++i) features[i].labels = {static_cast<std::int64_t>(i % 2)};
  auto batch = batch_of(features, *head);
  EncoderOutputs encoded;
  encoded.pooled_output = torch::randn({8, kHidden});
  torch::optim::SGD optimizer(head->module().parameters(), torch::optim::SGDOptions(0.5));
  std::vector<double> losses;
  for (int step = 0; step < 10; ++step) {
    optimizer.zero_grad();
    auto loss = head->loss(head->forward(encoded, batch), batch);
    loss.backward();
    optimizer.step();
    losses.push_back(loss.item<double>());
  }
  CAPTURE(losses);
  CHECK(losses.front() == doctest::Approx(std::log(2.0)).epsilon(0.05));
  for (std::size_t i = 1; i < losses.size(); ++i) CHECK(losses[i] < losses[i - 1]);
  CHECK(losses.back() < 0.5 * losses.front());
}

TEST_CASE("sequence-classification: decode_features and predict") {
  auto head = built_head({"neg", "pos"});
  std::vector<Feature> features(2);
  features[0].example_index = 1;
  features[1].example_index = 0;
  auto batch = batch_of(features, *head);
  HeadOutput output{{"logits", torch::tensor({{0.0, std::log(3.0)}, {std::log(4.0), 0.0}}, torch::kFloat64)}};
  auto results = head->decode_features(output, batch);
  REQUIRE(results.size() == 2);
  const auto& first = results[0].as_table().at("probabilities").as_array();
  REQUIRE(first.size() == 2);
  CHECK(first[0].as_double() == doctest::Approx(0.25));
  CHECK(first[1].as_double() == doctest::Approx(0.75));

  auto examples = gold_examples({"neg", "pos"});
  auto predictions = head->predict(examples, features, results);
  REQUIRE(predictions.size() == 2);
  CHECK(predictions[0].at("label") == Value("neg"));
  CHECK(predictions[0].at("probabilities").as_table().at("neg").as_double() == doctest::Approx(0.8));
  CHECK(predictions[1].at("label") == Value("pos"));
  CHECK(predictions[1].at("probabilities").as_table().at("pos").as_double() == doctest::Approx(0.75));
  CHECK(head->evaluate(examples, predictions).at("accuracy") == 1.0);
}

TEST_CASE("sequence-classification: binary metrics match sklearn") {
  auto head = built_head({"0", "1"});
  CHECK(head->default_metric() == "accuracy");
  // An unlabelled example is skipped.
  auto examples = gold_examples({0, 1, 1, 0, 1, 1, 0, 0, nullptr});
  auto metrics = head->evaluate(examples, label_predictions({"0", "1", "0", "0", "1", "1", "1", "0", "1"}));
  CHECK(metrics.size() == 4);
  CHECK(metrics.at("accuracy") == doctest::Approx(0.75));
  CHECK(metrics.at("macro_f1") == doctest::Approx(0.75));
  CHECK(metrics.at("f1") == doctest::Approx(0.75));
  CHECK(metrics.at("mcc") == doctest::Approx(0.5));
}

TEST_CASE("sequence-classification: MCC with a constant prediction is 0") {
  auto head = built_head({"0", "1"});
  auto metrics = head->evaluate(gold_examples({0, 1, 1, 0}), label_predictions({"1", "1", "1", "1"}));
  CHECK(metrics.at("accuracy") == doctest::Approx(0.5));
  CHECK(metrics.at("mcc") == 0.0);
  CHECK(metrics.at("f1") == doctest::Approx(2.0 / 3));  // tp 2, fp 2, fn 0
  CHECK(metrics.at("macro_f1") == doctest::Approx(1.0 / 3));
}

TEST_CASE("sequence-classification: macro F1 counts a class never predicted as 0") {
  auto head = built_head({"a", "b", "c"});
  auto metrics = head->evaluate(gold_examples({"a", "b", "c", "a", "b", "c"}),
                                label_predictions({"a", "b", "b", "a", "a", "b"}));
  // By hand: F1(a) = 2*2/(3+2) = 0.8, F1(b) = 2*1/(3+2) = 0.4, F1(c) = 0.
  CHECK(metrics.size() == 2);
  CHECK(metrics.at("accuracy") == doctest::Approx(0.5));
  CHECK(metrics.at("macro_f1") == doctest::Approx(0.4));
}

TEST_CASE("sequence-classification: hf_config") {
  auto head = built_head({"neg", "pos"});
  auto config = head->hf_config();
  CHECK(config.at("architectures") == Value(Array{"BertForSequenceClassification"}));
  CHECK(config.at("id2label") == Value(Table{{"0", "neg"}, {"1", "pos"}}));
  CHECK(config.at("label2id") == Value(Table{{"neg", 0}, {"pos", 1}}));
  CHECK(config.at("num_labels") == Value(2));
  CHECK(config.at("problem_type") == Value("single_label_classification"));
}

TEST_CASE("sequence-classification: regression end to end") {
  auto head = make_head();
  auto examples = gold_examples({1.0, 2.0, 2.0, 3.5, 5.0});
  REQUIRE(head->collect_labels(examples).empty());
  head->build(context({}));
  CHECK(head->default_metric() == "pearson");
  CHECK(head->state_dict().at("classifier.weight").sizes() == torch::IntArrayRef{1, kHidden});
  auto config = head->hf_config();
  CHECK(config.at("problem_type") == Value("regression"));
  CHECK(config.at("num_labels") == Value(1));

  std::vector<Feature> features;
  for (std::size_t i = 0; i < examples.size(); ++i)
    features.push_back(head->featurize(examples[i], static_cast<std::int64_t>(i), tokenizer(), EncodeOptions{})[0]);
  CHECK(features[3].targets == std::vector<float>{3.5f});
  CHECK(features[3].labels.empty());
  auto batch = batch_of(features, *head);
  CHECK(batch.labels.at("labels").dtype() == torch::kFloat32);

  EncoderOutputs encoded;
  encoded.pooled_output = torch::randn({5, kHidden});
  auto output = head->forward(encoded, batch);
  CHECK(output.at("logits").sizes() == torch::IntArrayRef{5, 1});
  auto expected = (output.at("logits").squeeze(-1) - batch.labels.at("labels")).pow(2).mean();
  CHECK(head->loss(output, batch).item<double>() == doctest::Approx(expected.item<double>()));

  HeadOutput fixed{{"logits", torch::tensor({1.5, 2.5, 2.0, 2.0, 4.0}).unsqueeze(-1)}};
  auto predictions = head->predict(examples, features, head->decode_features(fixed, batch));
  CHECK(predictions[1].at("value").as_double() == doctest::Approx(2.5));
  auto metrics = head->evaluate(examples, predictions);
  CHECK(metrics.size() == 3);
  CHECK(metrics.at("pearson") == doctest::Approx(0.8469470822763977));
  CHECK(metrics.at("spearman") == doctest::Approx(0.7631578947368421));  // ties on both sides
  CHECK(metrics.at("mse") == doctest::Approx(0.75));
}

TEST_CASE("sequence-classification: problem_type regression reads numeric strings") {
  auto head = make_head({{"problem_type", "regression"}});
  head->build(context({"ignored"}));
  auto feature = head->featurize(labelled("text", "3.8"), 0, tokenizer(), EncodeOptions{});
  CHECK(feature[0].targets == std::vector<float>{3.8f});
  CHECK_THROWS_AS(head->featurize(labelled("text", "high"), 0, tokenizer(), EncodeOptions{}), std::invalid_argument);
}
