// The span-extraction head's post-processing (decode_features, then
// predict) on hand-made logits: n-best, max_answer_length, answers outside
// the context, end before start, windows merged with the max-context rule,
// and SQuAD 2.0's null answer threshold.
#include <ATen/ATen.h>

#include <memory>

#include "bertlab/head.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "plugin/plugin_host.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab;

namespace {

const plugin::PluginHost& host() {
  static const auto loaded = [] {
    auto h = std::make_unique<plugin::PluginHost>();
    h->load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
    return h;
  }();
  return *loaded;
}

const Tokenizer& tokenizer() {
  static const auto shared =
      host().create<Tokenizer>("wordpiece", Options(checkpoint::tokenizer_options(BERTLAB_MINILM_DIR), "tokenizer"));
  return *shared;
}

std::shared_ptr<Head> make_head(Table options = {}) {
  auto head = host().create<Head>("span-extraction", Options(std::move(options), "head"));
  HeadContext context;
  context.encoder.hidden_size = 8;
  head->build(context);
  return head;
}

// Words that are one token each in the uncased vocabulary.
const std::string kContext =
    "alpha bravo charlie delta echo golf hotel india kilo lima mike oscar papa romeo sierra tango victor yankee zulu";

Example example() {
  Example e;
  e.id = "q";
  e.text = "which word";
  e.text_pair = kContext;
  e.is_pair = true;
  return e;
}

// Hand-made logits for a question's windows: everything low unless set.
struct Logits {
  std::vector<Feature> windows;
  at::Tensor start, end;

  explicit Logits(const std::vector<Feature>& features) : windows(features) {
    std::size_t longest = 0;
    for (const auto& w : windows) longest = std::max(longest, w.encoding.size());
    const auto rows = static_cast<std::int64_t>(windows.size()), columns = static_cast<std::int64_t>(longest);
    start = at::full({rows, columns}, -10.0f);
    end = at::full({rows, columns}, -10.0f);
  }
  // The token of window `w` that begins at `word` of the context.
  std::int64_t token(std::size_t w, const std::string& word) const {
    const auto at = static_cast<std::int64_t>(kContext.find(word));
    const auto& e = windows[w].encoding;
    for (std::size_t i = 0; i < e.size(); ++i)
      if (e.sequence_ids[i] == 1 && e.offsets[i].begin == at) return static_cast<std::int64_t>(i);
    return -1;
  }
  void set_start(std::size_t w, std::int64_t token, float value) { start[static_cast<std::int64_t>(w)][token] = value; }
  void set_end(std::size_t w, std::int64_t token, float value) { end[static_cast<std::int64_t>(w)][token] = value; }
  void set_start(std::size_t w, const std::string& word, float value) { set_start(w, token(w, word), value); }
  void set_end(std::size_t w, const std::string& word, float value) { set_end(w, token(w, word), value); }

  Prediction answer(Head& head) const {
    Batch batch;
    for (const auto& w : windows) batch.features.push_back(&w);
    auto results = head.decode_features({{"start_logits", start}, {"end_logits", end}}, batch);
    const auto e = example();
    return head.predict(std::span<const Example>(&e, 1), windows, results).at(0);
  }
};

std::vector<Feature> one_window(Head& head) {
  auto features = head.featurize(example(), 0, tokenizer(), EncodeOptions{});
  REQUIRE(features.size() == 1);
  return features;
}

}  // namespace

TEST_CASE("span-extraction answers: the best start + end pair inside the context, end >= start") {
  auto head = make_head();
  Logits logits(one_window(*head));
  // The question's tokens and [CLS] score highest, and are never answers.
  logits.set_start(0, 0, 9.0f);
  logits.set_end(0, 0, 9.0f);
  logits.set_start(0, 1, 8.0f);
  logits.set_end(0, 2, 8.0f);
  // An end before the start scores higher than any valid pair.
  logits.set_start(0, "mike", 6.0f);
  logits.set_end(0, "alpha", 6.0f);
  logits.set_start(0, "bravo", 3.0f);
  logits.set_end(0, "charlie", 2.0f);
  auto p = logits.answer(*head);
  CHECK(p.at("text").as_string() == "bravo charlie");
  CHECK(p.at("answer_start").as_int() == 6);
  CHECK(p.at("score").as_double() == doctest::Approx(3.0 + 2.0));
}

TEST_CASE("span-extraction answers: max_answer_length and n_best_size bound the candidates") {
  {
    auto head = make_head({{"max_answer_length", 3}});
    Logits logits(one_window(*head));
    logits.set_start(0, "alpha", 5.0f);
    logits.set_end(0, "echo", 5.0f);     // five tokens: too long
    logits.set_end(0, "charlie", 1.0f);  // three tokens: allowed
    CHECK(logits.answer(*head).at("text").as_string() == "alpha bravo charlie");
  }
  {
    // Only the two best starts are candidates: "romeo" is third, although
    // its only end in reach would make the best pair.
    auto head = make_head({{"n_best_size", 2}, {"max_answer_length", 3}});
    Logits logits(one_window(*head));
    logits.set_start(0, "alpha", 5.0f);
    logits.set_start(0, "bravo", 4.0f);
    logits.set_start(0, "romeo", 3.0f);
    logits.set_end(0, "sierra", 9.0f);
    logits.set_end(0, "charlie", 1.0f);
    auto p = logits.answer(*head);
    CHECK(p.at("text").as_string() == "alpha bravo charlie");
    CHECK(p.at("score").as_double() == doctest::Approx(6.0));
    auto wide = make_head({{"n_best_size", 3}, {"max_answer_length", 3}});
    CHECK(logits.answer(*wide).at("text").as_string() == "romeo sierra");
  }
}

TEST_CASE("span-extraction answers: windows are merged, a token scores only in the window where it has most context") {
  auto head = make_head({{"doc_stride", 6}});
  EncodeOptions options;
  options.max_length = 16;  // [CLS] which word [SEP] + 11 context tokens + [SEP]
  auto features = head->featurize(example(), 0, tokenizer(), options);
  REQUIRE(features.size() >= 3);
  Logits logits(features);
  // "zulu" is only in the last window: the best answer over all windows.
  const auto last = features.size() - 1;
  logits.set_start(last, "zulu", 4.0f);
  logits.set_end(last, "zulu", 4.0f);
  logits.set_start(0, "bravo", 3.0f);
  logits.set_end(0, "bravo", 3.0f);
  CHECK(logits.answer(*head).at("text").as_string() == "zulu");

  // "lima" (context token 9) is in windows 0 (tokens 0-10) and 1 (5-15): it
  // has 1 token of context on one side in window 0 and at least 4 on each
  // side in window 1, so only window 1 may start an answer there, even with
  // a higher score in window 0.
  Logits overlap(features);
  REQUIRE(overlap.token(0, "lima") > 0);
  REQUIRE(overlap.token(1, "lima") > 0);
  overlap.set_start(0, "lima", 8.0f);
  overlap.set_end(0, "lima", 8.0f);
  overlap.set_start(1, "lima", 2.0f);
  overlap.set_end(1, "lima", 2.0f);
  auto p = overlap.answer(*head);
  CHECK(p.at("text").as_string() == "lima");
  CHECK(p.at("score").as_double() == doctest::Approx(4.0));
}

TEST_CASE("span-extraction answers: SQuAD 2.0's null answer wins by more than null_score_diff_threshold") {
  auto answer_with = [](double threshold) {
    auto head = make_head({{"version_2_with_negative", true}, {"null_score_diff_threshold", threshold}});
    Logits logits(one_window(*head));
    logits.set_start(0, 0, 3.0f);  // [CLS]: null score 3 + 2 = 5
    logits.set_end(0, 0, 2.0f);
    logits.set_start(0, "echo", 2.0f);  // best span: 2 + 1.5 = 3.5
    logits.set_end(0, "echo", 1.5f);
    return logits.answer(*head);
  };
  auto low = answer_with(0.0);  // 5 - 3.5 = 1.5 > 0: no answer
  CHECK(low.at("text").as_string() == "");
  CHECK(low.at("answer_start").as_int() == -1);
  CHECK(low.at("null_score").as_double() == doctest::Approx(5.0));
  auto high = answer_with(2.0);  // 1.5 <= 2: the span
  CHECK(high.at("text").as_string() == "echo");

  // Without version_2_with_negative, [CLS] never answers.
  auto head = make_head();
  Logits logits(one_window(*head));
  logits.set_start(0, 0, 30.0f);
  logits.set_end(0, 0, 30.0f);
  logits.set_start(0, "echo", 1.0f);
  logits.set_end(0, "echo", 1.0f);
  CHECK(logits.answer(*head).at("text").as_string() == "echo");
}
