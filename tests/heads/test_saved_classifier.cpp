// A classifier bertlab saves (encoder + sequence-classification head) loads in
// transformers' AutoModelForSequenceClassification and gives the same logits.
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
from transformers import AutoModelForSequenceClassification, AutoTokenizer
directory = sys.argv[1]
expected = json.load(open(directory + "/expected.json"))
model = AutoModelForSequenceClassification.from_pretrained(directory).eval()
tokenizer = AutoTokenizer.from_pretrained(directory)
batch = tokenizer(expected["texts"], padding=True, return_tensors="pt")
with torch.no_grad():
    logits = model(**batch).logits
diff = (logits - torch.tensor(expected["logits"])).abs().max().item()
print(json.dumps({"max_diff": diff, "id2label": model.config.id2label, "architecture": model.config.architectures[0]}))
)";

}  // namespace

TEST_CASE("saved classifier: transformers loads it and computes the same logits") {
  plugin::PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
  auto tokenizer = host.create<Tokenizer>("wordpiece", Options(checkpoint::tokenizer_options(BERTLAB_MINILM_DIR)));
  auto loaded = checkpoint::load_model(BERTLAB_MINILM_DIR);
  auto& bert = loaded.model;
  bert->eval();

  auto head = host.create<Head>("sequence-classification", Options());
  HeadContext context;
  context.encoder = model::encoder_info(bert->config());
  context.encoder.initializer_range = 0.5;  // large enough that the logits differ visibly
  context.labels = {"negative", "positive"};
  context.seed = 3;
  head->build(context);
  head->module().eval();

  const std::vector<std::string> texts = {"a gripping, beautifully shot film", "dull and far too long",
                                          "it is what it is"};
  std::vector<Encoding> encodings;
  for (const auto& text : texts) encodings.push_back(tokenizer->encode(text, EncodeOptions{}));
  std::vector<const Encoding*> pointers;
  for (const auto& e : encodings) pointers.push_back(&e);
  auto inputs = model::make_input_batch(pointers, tokenizer->special_tokens().pad_id);

  at::Tensor logits;
  {
    c10::InferenceMode guard;
    auto out = bert(inputs.input_ids, inputs.token_type_ids, inputs.attention_mask);
    Batch batch;
    batch.input_ids = inputs.input_ids;
    batch.token_type_ids = inputs.token_type_ids;
    batch.attention_mask = inputs.attention_mask;
    logits = head->forward(EncoderOutputs{out.last_hidden_state, out.pooler_output, {}}, batch).at("logits");
  }

  test::ScratchDir dir;
  checkpoint::SaveOptions save;
  save.head_tensors = head->state_dict();
  save.extra_config = util::to_json(head->hf_config());
  save.tokenizer_dir = BERTLAB_MINILM_DIR;
  checkpoint::save_model(dir.path(), bert, save);

  nlohmann::json expected = {{"texts", texts}, {"logits", nlohmann::json::array()}};
  auto cpu = logits.to(at::kDouble).contiguous();
  for (std::int64_t i = 0; i < cpu.size(0); ++i)
    expected["logits"].push_back({cpu[i][0].item<double>(), cpu[i][1].item<double>()});
  std::ofstream(dir / "expected.json") << expected.dump();

  auto result = test::run_python(kCompare, {dir.path().string()});
  CHECK(result["architecture"] == "BertForSequenceClassification");
  CHECK(result["id2label"]["1"] == "positive");
  CHECK(result["max_diff"].get<double>() < 1e-5);
  CHECK(std::abs(cpu[0][0].item<double>() - cpu[0][1].item<double>()) > 1e-3);
}
