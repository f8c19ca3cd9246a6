// The span-extraction head's features and answer picking: windows and
// training labels equal HF run_qa's prepare_train_features (with HF
// tokenizers, from Python) on SQuAD dev questions; the question cut to
// max_query_length; and Google-style post-processing on hand-made logits.
#include <ATen/ATen.h>

#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "bertlab/head.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "data/dataset.hpp"
#include "plugin/plugin_host.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include "run_python.hpp"

using namespace bertlab;
using nlohmann::json;

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

EncodeOptions max_length(std::int64_t n) {
  EncodeOptions options;
  options.max_length = n;
  return options;
}

// HF run_qa's prepare_train_features, answers[0]; the start search stops at
// the last context token (run_qa's walks on into [SEP] when the answer starts
// at the window's last token, an edge case its comment admits).
constexpr const char* kRunQa = R"(
import json, os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
from transformers import AutoTokenizer
model_dir, examples_file, max_length, stride = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tokenizer = AutoTokenizer.from_pretrained(model_dir)
out = []
for example in json.load(open(examples_file)):
    enc = tokenizer(example["question"].lstrip(), example["context"], truncation="only_second", max_length=max_length,
                    stride=stride, return_overflowing_tokens=True, return_offsets_mapping=True)
    windows = []
    for i, offsets in enumerate(enc["offset_mapping"]):
        input_ids = enc["input_ids"][i]
        sequence_ids = enc.sequence_ids(i)
        start_char = example["answer_start"]
        end_char = start_char + len(example["text"])
        first = 0
        while sequence_ids[first] != 1:
            first += 1
        last = len(input_ids) - 1
        while sequence_ids[last] != 1:
            last -= 1
        if not (offsets[first][0] <= start_char and offsets[last][1] >= end_char):
            label = [0, 0]
        else:
            s, e = first, last
            while s <= last and offsets[s][0] <= start_char:
                s += 1
            while offsets[e][1] >= end_char:
                e -= 1
            label = [s - 1, e + 1]
        windows.append({"ids": input_ids, "label": label})
    out.append(windows)
print(json.dumps(out))
)";

}  // namespace

TEST_CASE("span-extraction windows: ids and labels equal HF run_qa's on 300 SQuAD dev questions") {
  auto dev = data::read_dataset(std::string(BERTLAB_SHARED_DATA) + "/squad_v1.1/dev-v1.1.json", {"squad", "", "", ""},
                                300, true);
  // Short windows and a small stride, so that most contexts need several.
  auto head = make_head({{"doc_stride", 32}});
  json examples = json::array();
  std::vector<std::vector<Feature>> mine;
  for (std::size_t i = 0; i < dev.examples.size(); ++i) {
    const auto& e = dev.examples[i];
    const auto& answer = e.label.as_array().front().as_table();
    examples.push_back({{"question", e.text}, {"context", e.text_pair}, {"text", answer.at("text").as_string()},
                        {"answer_start", answer.at("answer_start").as_int()}});
    mine.push_back(head->featurize(e, static_cast<std::int64_t>(i), tokenizer(), max_length(128)));
  }
  test::ScratchDir dir;
  std::ofstream(dir / "examples.json") << examples.dump();
  auto reference = test::run_python(kRunQa, {BERTLAB_MINILM_DIR, (dir / "examples.json").string(), "128", "32"});
  REQUIRE(reference.size() == mine.size());
  std::size_t windows = 0, answered = 0;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    INFO("question ", dev.examples[i].id);
    REQUIRE(reference[i].size() == mine[i].size());
    for (std::size_t w = 0; w < mine[i].size(); ++w) {
      CHECK(reference[i][w]["ids"].get<std::vector<std::int64_t>>() == mine[i][w].encoding.ids);
      CHECK(reference[i][w]["label"].get<std::vector<std::int64_t>>() == mine[i][w].labels);
      CHECK(mine[i][w].example_index == static_cast<std::int64_t>(i));
      ++windows;
      answered += mine[i][w].labels[0] > 0 ? 1 : 0;
    }
  }
  CHECK(windows > 2 * mine.size());  // the stride was exercised
  CHECK(answered >= mine.size());    // every answer is in some window
}

TEST_CASE("span-extraction windows: the question keeps max_query_length tokens, unanswerable and unlocatable answers") {
  Example e;
  e.id = "q";
  e.text = "  what is the name of the river that flows through the old town of the city?";
  e.text_pair = "The Vltava flows through Prague. It is the longest river in the Czech Republic.";
  e.is_pair = true;
  e.label = Array{Table{{"text", "Vltava"}, {"answer_start", 4}}};
  auto head = make_head({{"max_query_length", 5}, {"doc_stride", 4}});
  auto features = head->featurize(e, 0, tokenizer(), max_length(16));
  REQUIRE(features.size() > 1);
  for (const auto& f : features) {
    // [CLS] + 5 question tokens + [SEP] before the context.
    CHECK(f.encoding.tokens[1] == "what");
    CHECK(f.encoding.tokens[5] == "of");
    CHECK(f.encoding.tokens[6] == "[SEP]");
    CHECK(f.encoding.sequence_ids[7] == 1);
  }
  REQUIRE(features[0].labels.size() == 2);
  CHECK(features[0].labels[0] == 8);  // the first token of "Vltava", after "the"
  CHECK(features[0].encoding.offsets[8].begin == 4);
  CHECK(features[0].encoding.offsets[static_cast<std::size_t>(features[0].labels[1])].end == 10);
  for (std::size_t w = 1; w < features.size(); ++w) CHECK(features[w].labels == std::vector<std::int64_t>{0, 0});

  Example impossible = e;
  impossible.label = Array{};
  impossible.fields.emplace("is_impossible", Value(true));
  for (const auto& f : head->featurize(impossible, 0, tokenizer(), max_length(16))) CHECK(f.labels == std::vector<std::int64_t>{0, 0});

  Example unlocated = e;
  unlocated.label = Array{Table{{"text", "Danube"}, {"answer_start", -1}}};
  for (const auto& f : head->featurize(unlocated, 0, tokenizer(), max_length(16)))
    CHECK(f.labels == std::vector<std::int64_t>{-100, -100});

  Example unlabelled = e;
  unlabelled.label = nullptr;
  for (const auto& f : head->featurize(unlabelled, 0, tokenizer(), max_length(16))) CHECK(f.labels.empty());

  CHECK_THROWS_WITH_AS(make_head({{"max_query_length", 5}, {"doc_stride", 8}})->featurize(e, 0, tokenizer(), max_length(16)),
                       doctest::Contains("not more than doc_stride 8"), std::invalid_argument);
  CHECK_THROWS_WITH(make_head({{"doc_strid", 8}}), doctest::Contains("unknown option"));
  CHECK_THROWS_WITH(make_head({{"metric_language", "fr"}}), doctest::Contains("metric_language"));
}
