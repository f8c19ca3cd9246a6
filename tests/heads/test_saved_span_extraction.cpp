// A question-answering model bertlab saves (encoder + span-extraction head)
// loads in transformers' AutoModelForQuestionAnswering and gives the same
// start and end logits.
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
from transformers import AutoModelForQuestionAnswering, AutoTokenizer
directory = sys.argv[1]
expected = json.load(open(directory + "/expected.json"))
model = AutoModelForQuestionAnswering.from_pretrained(directory).eval()
tokenizer = AutoTokenizer.from_pretrained(directory)
batch = tokenizer(expected["questions"], expected["contexts"], padding=True, return_tensors="pt")
with torch.no_grad():
    out = model(**batch)
mask = batch["attention_mask"].bool()
start = (out.start_logits - torch.tensor(expected["start"]))[mask].abs().max().item()
end = (out.end_logits - torch.tensor(expected["end"]))[mask].abs().max().item()
print(json.dumps({"start_diff": start, "end_diff": end, "architecture": model.config.architectures[0],
                  "class": type(model).__name__}))
)";

}  // namespace

TEST_CASE("saved span-extraction model: transformers loads it and computes the same start/end logits") {
  plugin::PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
  auto tokenizer = host.create<Tokenizer>("wordpiece", Options(checkpoint::tokenizer_options(BERTLAB_MINILM_DIR)));
  auto loaded = checkpoint::load_model(BERTLAB_MINILM_DIR);
  auto& bert = loaded.model;
  bert->eval();

  auto head = host.create<Head>("span-extraction", Options());
  HeadContext context;
  context.encoder = model::encoder_info(bert->config());
  context.encoder.initializer_range = 0.5;  // large enough that the logits differ visibly
  context.seed = 5;
  head->build(context);
  head->module().eval();

  const std::vector<std::string> questions = {"Who won Super Bowl 50?", "Where is the Vltava?"};
  const std::vector<std::string> contexts = {"The Denver Broncos defeated the Carolina Panthers 24-10.",
                                             "The Vltava is the longest river within the Czech Republic."};
  std::vector<Encoding> encodings;
  for (std::size_t i = 0; i < questions.size(); ++i)
    encodings.push_back(tokenizer->encode_pair(questions[i], contexts[i], EncodeOptions{}));
  std::vector<const Encoding*> pointers;
  for (const auto& e : encodings) pointers.push_back(&e);
  auto inputs = model::make_input_batch(pointers, tokenizer->special_tokens().pad_id);

  HeadOutput output;
  {
    c10::InferenceMode guard;
    auto out = bert(inputs.input_ids, inputs.token_type_ids, inputs.attention_mask);
    Batch batch;
    batch.input_ids = inputs.input_ids;
    batch.token_type_ids = inputs.token_type_ids;
    batch.attention_mask = inputs.attention_mask;
    output = head->forward(EncoderOutputs{out.last_hidden_state, out.pooler_output, {}}, batch);
  }
  auto weights = head->state_dict();
  REQUIRE(weights.size() == 2);
  CHECK(weights.at("qa_outputs.weight").sizes() == at::IntArrayRef{2, context.encoder.hidden_size});
  CHECK(weights.at("qa_outputs.bias").sizes() == at::IntArrayRef{2});

  test::ScratchDir dir;
  checkpoint::SaveOptions save;
  save.head_tensors = weights;
  save.extra_config = util::to_json(head->hf_config());
  save.tokenizer_dir = BERTLAB_MINILM_DIR;
  checkpoint::save_model(dir.path(), bert, save);

  auto rows = [](const at::Tensor& t) {
    nlohmann::json out = nlohmann::json::array();
    auto cpu = t.to(at::kDouble).contiguous();
    for (std::int64_t i = 0; i < cpu.size(0); ++i) {
      nlohmann::json row = nlohmann::json::array();
      for (std::int64_t k = 0; k < cpu.size(1); ++k) row.push_back(cpu[i][k].item<double>());
      out.push_back(row);
    }
    return out;
  };
  nlohmann::json expected = {{"questions", questions}, {"contexts", contexts},
                             {"start", rows(output.at("start_logits"))}, {"end", rows(output.at("end_logits"))}};
  std::ofstream(dir / "expected.json") << expected.dump();

  auto result = test::run_python(kCompare, {dir.path().string()});
  CHECK(result["architecture"] == "BertForQuestionAnswering");
  CHECK(result["class"] == "BertForQuestionAnswering");
  CHECK(result["start_diff"].get<double>() < 1e-4);
  CHECK(result["end_diff"].get<double>() < 1e-4);
  // The head is not a constant: the logits vary over the tokens.
  CHECK(output.at("start_logits").std().item<double>() > 1e-2);
}
