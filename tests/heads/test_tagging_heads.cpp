// The `token-classification` and `crf` heads through the plugin host, on the
// all-MiniLM-L6-v2 wordpiece vocabulary and random encoder outputs: labels
// on first sub-tokens only, long sentences cut into windows with every word
// predicted exactly once, the losses, and the CRF head's weights.
#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>

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
const std::vector<std::string> kLabels{"B-LOC", "B-PER", "I-LOC", "I-PER", "O"};

const plugin::PluginHost& host() {
  static const auto loaded = [] {
    auto h = std::make_unique<plugin::PluginHost>();
    h->load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
    return h;
  }();
  return *loaded;
}

const Tokenizer& tokenizer() {
  static const auto shared = host().create<Tokenizer>(
      "wordpiece", Options(Table{{"vocab", std::string(BERTLAB_MINILM_DIR) + "/vocab.txt"}}, "tokenizer"));
  return *shared;
}

std::shared_ptr<Head> built_head(const std::string& name, Table options = {}) {
  auto head = host().create<Head>(name, Options(std::move(options), "head"));
  HeadContext context;
  context.encoder.hidden_size = kHidden;
  context.encoder.initializer_range = 0.5;
  context.labels = kLabels;
  context.seed = 5;
  head->build(context);
  return head;
}

Example sentence(std::vector<std::string> words, std::vector<std::string> tags) {
  Example e;
  e.words = std::move(words);
  Array labels;
  for (auto& tag : tags) labels.emplace_back(std::move(tag));
  e.label = Value(std::move(labels));
  return e;
}

Batch batch_of(const std::vector<Feature>& features, const Head& head) {
  Batch batch;
  std::int64_t longest = 0;
  for (const auto& f : features) {
    batch.features.push_back(&f);
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(f.encoding.size()));
  }
  batch.labels = head.collate(batch.features, longest);
  return batch;
}

// The result decode_features would give if the model predicted the gold tags.
std::vector<Value> gold_results(const std::vector<Feature>& features) {
  std::vector<Value> out;
  for (const auto& f : features) {
    Array tags;
    for (auto id : f.labels)
      if (id != -100) tags.emplace_back(id);
    out.emplace_back(Table{{"tags", std::move(tags)}});
  }
  return out;
}

}  // namespace

TEST_CASE("tagging: a word's tag goes to its first sub-token, the others get -100") {
  auto head = built_head("token-classification");
  auto example = sentence({"Johanson", "visited", "Reykjavik"}, {"B-PER", "O", "B-LOC"});
  auto features = head->featurize(example, 0, tokenizer(), EncodeOptions{});
  REQUIRE(features.size() == 1);
  const auto& f = features[0];
  REQUIRE(f.labels.size() == f.encoding.size());
  CHECK(f.encoding.tokens.size() > 5);  // the names split into several pieces
  std::vector<std::int64_t> labelled;
  for (std::size_t i = 0; i < f.labels.size(); ++i) {
    if (f.labels[i] == -100) {
      CHECK((f.encoding.word_ids[i] < 0 || f.encoding.word_ids[i] == f.encoding.word_ids[i - 1]));
      continue;
    }
    CHECK((i == 1 || f.encoding.word_ids[i] != f.encoding.word_ids[i - 1]));
    labelled.push_back(f.labels[i]);
  }
  CHECK(labelled == std::vector<std::int64_t>{1, 4, 0});
  // Both tags of each type seen, and O.
  CHECK(head->collect_labels(std::vector<Example>{example}) == kLabels);
}

TEST_CASE("tagging: a sentence longer than max_length is cut into windows and every word is predicted once") {
  auto head = built_head("crf", Table{{"stride", std::int64_t{4}}});
  std::vector<std::string> words, tags;
  for (int i = 0; i < 40; ++i) {
    // Words of one to three pieces, so windows start inside words too.
    words.push_back(i % 3 == 0 ? "Reykjavikian" : i % 3 == 1 ? "visited" : "Johanson");
    tags.push_back(kLabels[static_cast<std::size_t>(i) % kLabels.size()]);
  }
  EncodeOptions options;
  options.max_length = 16;
  const std::vector<Example> examples{sentence(words, tags), sentence({"short"}, {"O"})};
  std::vector<Feature> features;
  for (std::size_t e = 0; e < examples.size(); ++e)
    for (auto& f : head->featurize(examples[e], static_cast<std::int64_t>(e), tokenizer(), options))
      features.push_back(std::move(f));
  CHECK(features.size() > 6);
  for (const auto& f : features) CHECK(f.encoding.size() <= 16);
  // Every word's first sub-token is in some window.
  std::vector<int> seen(words.size());
  for (const auto& f : features)
    for (std::size_t i = 0; i < f.labels.size(); ++i)
      if (f.labels[i] != -100 && f.example_index == 0) ++seen[static_cast<std::size_t>(f.encoding.word_ids[i])];
  for (auto count : seen) CHECK(count >= 1);
  // Gold results in, gold tags out: one per word, none lost or doubled at window edges.
  const auto predictions = head->predict(examples, features, gold_results(features));
  REQUIRE(predictions.size() == 2);
  const auto& predicted = predictions[0].at("tags").as_array();
  REQUIRE(predicted.size() == words.size());
  for (std::size_t i = 0; i < words.size(); ++i) CHECK(predicted[i].as_string() == tags[i]);
  CHECK(head->evaluate(examples, predictions).at("f1") == 1.0);
}

TEST_CASE("token-classification: the loss is cross-entropy over first sub-tokens, decoding takes their argmax") {
  auto head = built_head("token-classification");
  std::vector<Feature> features;
  for (auto& f : head->featurize(sentence({"Johanson", "visited", "Oslo"}, {"B-PER", "O", "B-LOC"}), 0, tokenizer(), {}))
    features.push_back(std::move(f));
  for (auto& f : head->featurize(sentence({"Reykjavikian"}, {"B-LOC"}), 1, tokenizer(), {})) features.push_back(std::move(f));
  const auto batch = batch_of(features, *head);
  const auto seq = batch.labels.at("labels").size(1);
  at::manual_seed(0);
  EncoderOutputs encoded{at::randn({2, seq, kHidden}), at::Tensor(), {}};
  head->module().eval();
  const auto output = head->forward(encoded, batch);
  const auto logits = output.at("logits");
  CHECK(logits.sizes() == at::IntArrayRef{2, seq, 5});
  // By hand: the mean of -log softmax at the four labelled positions.
  double total = 0;
  std::vector<std::int64_t> argmax;
  const auto log_probabilities = at::log_softmax(logits, -1);
  for (std::int64_t b = 0; b < 2; ++b)
    for (std::int64_t i = 0; i < seq; ++i) {
      const auto label = batch.labels.at("labels")[b][i].item<std::int64_t>();
      if (label == -100) continue;
      total -= log_probabilities[b][i][label].item<double>();
      argmax.push_back(logits[b][i].argmax().item<std::int64_t>());
    }
  CHECK(head->loss(output, batch).item<double>() == doctest::Approx(total / 4).epsilon(1e-5));
  const auto decoded = head->decode_features(output, batch);
  CHECK(decoded[0].as_table().at("tags").as_array().size() == 3);
  CHECK(decoded[1].as_table().at("tags").as_array()[0].as_int() == argmax[3]);
  CHECK(head->default_metric() == "f1");
  CHECK(head->hf_config().at("architectures").as_array()[0].as_string() == "BertForTokenClassification");
}

TEST_CASE("crf: the head's loss is the CRF's NLL per word and its weights round-trip as real scores") {
  auto head = built_head("crf", Table{{"crf_learning_rate_multiplier", 10.0}});
  std::vector<Feature> features;
  for (auto& f : head->featurize(sentence({"Johanson", "visited", "Oslo"}, {"B-PER", "O", "B-LOC"}), 0, tokenizer(), {}))
    features.push_back(std::move(f));
  for (auto& f : head->featurize(sentence({"Reykjavik", "Oslo"}, {"B-LOC", "B-LOC"}), 1, tokenizer(), {}))
    features.push_back(std::move(f));
  const auto batch = batch_of(features, *head);
  const auto seq = batch.labels.at("labels").size(1);
  at::manual_seed(1);
  EncoderOutputs encoded{at::randn({2, seq, kHidden}), at::Tensor(), {}};
  head->module().eval();
  const auto output = head->forward(encoded, batch);
  const auto loss = head->loss(output, batch);
  CHECK(loss.item<double>() > 0);
  loss.backward();
  bool crf_has_gradient = false;
  for (const auto& item : head->module().named_parameters())
    if (item.key().find("crf") != std::string::npos && item.value().grad().defined())
      crf_has_gradient = crf_has_gradient || item.value().grad().abs().sum().item<double>() > 0;
  CHECK(crf_has_gradient);

  auto weights = head->state_dict();
  CHECK(weights.count("classifier.weight") == 1);
  CHECK(weights.count("classifier.bias") == 1);
  CHECK(weights.at("crf.transitions").sizes() == at::IntArrayRef{5, 5});
  // Real scores from uniform(-0.1, 0.1), not the raw ones divided by the multiplier.
  CHECK(weights.at("crf.transitions").abs().max().item<double>() > 0.02);
  CHECK(weights.at("crf.transitions").abs().max().item<double>() <= 0.1);
  auto other = built_head("crf", Table{{"crf_learning_rate_multiplier", 100.0}});
  other->load_state_dict(weights);
  other->module().eval();
  const auto again = other->forward(encoded, batch);
  CHECK(other->loss(again, batch).item<double>() == doctest::Approx(loss.item<double>()).epsilon(1e-5));
  const auto decoded = other->decode_features(again, batch);
  CHECK(decoded[0].as_table().at("tags").as_array().size() == 3);
  CHECK(decoded[1].as_table().at("tags").as_array().size() == 2);
}

TEST_CASE("tagging: bad examples and options are reported") {
  auto head = built_head("token-classification");
  CHECK_THROWS_WITH_AS(head->featurize(sentence({"a", "b"}, {"O"}), 0, tokenizer(), {}), "2 words but 1 tags",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(head->featurize(sentence({"a"}, {"B-ORG"}), 0, tokenizer(), {}),
                       "unknown tag 'B-ORG' (known: B-LOC, B-PER, I-LOC, I-PER, O)", std::invalid_argument);
  CHECK_THROWS(host().create<Head>("crf", Options(Table{{"crf_lr", 1.0}}, "head.options")));
}
