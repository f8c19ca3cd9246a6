// A token classifier bertlab saves (encoder + token-classification head)
// loads in transformers' AutoModelForTokenClassification and gives the same
// logits on pre-split words; the crf head's emissions load the same way.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "bertlab/head.hpp"
#include "checkpoint/hf_model.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "model/input_batch.hpp"
#include "plugin/plugin_host.hpp"
#include "util/json_value.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include "run_python.hpp"

using namespace bertlab;

namespace {

constexpr const char* kCompare = R"(
import json, os, sys, torch
os.environ["HF_HUB_OFFLINE"] = "1"
from transformers import AutoModelForTokenClassification, AutoTokenizer
results = []
for directory in sys.argv[1:]:
    expected = json.load(open(directory + "/expected.json"))
    model = AutoModelForTokenClassification.from_pretrained(directory).eval()
    tokenizer = AutoTokenizer.from_pretrained(directory)
    batch = tokenizer(expected["sentences"], is_split_into_words=True, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits
    mask = batch["attention_mask"].bool()
    reference = torch.tensor(expected["logits"])[:, : logits.shape[1]]
    diff = (logits - reference).abs()[mask].max().item()
    results.append({"max_diff": diff, "id2label": model.config.id2label, "architecture": model.config.architectures[0],
                    "same_ids": batch["input_ids"].tolist() == expected["input_ids"]})
print(json.dumps(results))
)";

}  // namespace

TEST_CASE("saved tagger: transformers loads it and computes the same logits") {
  plugin::PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
  auto tokenizer = host.create<Tokenizer>("wordpiece", Options(checkpoint::tokenizer_options(BERTLAB_MINILM_DIR)));
  auto loaded = checkpoint::load_model(BERTLAB_MINILM_DIR);
  auto& bert = loaded.model;
  bert->eval();
  const std::vector<std::string> heads{"token-classification", "crf"};
  test::ScratchDir scratch;
  std::vector<std::string> directories;
  std::vector<double> spreads;
  for (const auto& name : heads) {

    auto head = host.create<Head>(name, Options());
    HeadContext context;
    context.encoder = model::encoder_info(bert->config());
    context.encoder.initializer_range = 0.5;
    context.labels = {"B-PER", "I-PER", "O"};
    context.seed = 3;
    head->build(context);
    head->module().eval();

    const std::vector<std::vector<std::string>> sentences = {{"Johanson", "visited", "Reykjavik", "."},
                                                             {"Peter", "Blackburn"}};
    std::vector<Feature> features;
    for (std::size_t i = 0; i < sentences.size(); ++i) {
      Example example;
      example.words = sentences[i];
      for (auto& f : head->featurize(example, static_cast<std::int64_t>(i), *tokenizer, EncodeOptions{}))
        features.push_back(std::move(f));
    }
    std::vector<const Encoding*> pointers;
    for (const auto& f : features) pointers.push_back(&f.encoding);
    auto inputs = model::make_input_batch(pointers, tokenizer->special_tokens().pad_id);

    at::Tensor logits;
    {
      c10::InferenceMode guard;
      auto out = bert(inputs.input_ids, inputs.token_type_ids, inputs.attention_mask);
      Batch batch;
      batch.input_ids = inputs.input_ids;
      batch.attention_mask = inputs.attention_mask;
      for (const auto& f : features) batch.features.push_back(&f);
      batch.labels = head->collate(batch.features, inputs.input_ids.size(1));
      logits = head->forward(EncoderOutputs{out.last_hidden_state, out.pooler_output, {}}, batch).at("logits");
    }

    const auto dir = scratch / name;
    checkpoint::SaveOptions save;
    save.head_tensors = head->state_dict();
    save.extra_config = util::to_json(head->hf_config());
    save.tokenizer_dir = BERTLAB_MINILM_DIR;
    checkpoint::save_model(dir, bert, save);

    nlohmann::json expected = {{"sentences", sentences}, {"logits", nlohmann::json::array()}, {"input_ids", nlohmann::json::array()}};
    auto cpu = logits.to(at::kDouble).contiguous();
    for (std::int64_t b = 0; b < cpu.size(0); ++b) {
      nlohmann::json rows = nlohmann::json::array();
      for (std::int64_t i = 0; i < cpu.size(1); ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (std::int64_t k = 0; k < cpu.size(2); ++k) row.push_back(cpu[b][i][k].item<double>());
        rows.push_back(row);
      }
      expected["logits"].push_back(rows);
      nlohmann::json ids = nlohmann::json::array();
      for (std::int64_t i = 0; i < inputs.input_ids.size(1); ++i) ids.push_back(inputs.input_ids[b][i].item<std::int64_t>());
      expected["input_ids"].push_back(ids);
    }
    std::ofstream(dir / "expected.json") << expected.dump();
    directories.push_back(dir.string());
    spreads.push_back(cpu.std().item<double>());
  }

  // One Python run for both (importing transformers is the slow part).
  auto results = test::run_python(kCompare, directories);
  REQUIRE(results.size() == heads.size());
  for (std::size_t i = 0; i < heads.size(); ++i) {
    INFO("head ", heads[i]);
    CHECK(results[i]["architecture"] == "BertForTokenClassification");
    CHECK(results[i]["id2label"]["0"] == "B-PER");
    CHECK(results[i]["same_ids"] == true);
    CHECK(results[i]["max_diff"].get<double>() < 1e-4);
    CHECK(spreads[i] > 1e-2);  // the head's weights matter
  }
}
