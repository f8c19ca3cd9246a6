// Head and FFN pruning remove exactly what masking silences: the pruned
// model's outputs equal the masked original's, its config records what was
// removed, and transformers computes the same outputs from the saved files.
#include <fstream>

#include <ATen/ATen.h>

#include "checkpoint/hf_model.hpp"
#include "compress/importance.hpp"
#include "compress/structured_pruning.hpp"
#include "plugin/plugin_host.hpp"
#include "support.hpp"
#include "tiny_bert.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include "run_python.hpp"

using namespace bertlab;

namespace {

void set_neuron_masks(model::BertModel& bert, const std::vector<at::Tensor>& masks) {
  for (std::size_t l = 0; l < bert->encoder->size(); ++l)
    (*bert->encoder)[l]->intermediate->neuron_mask = masks.empty() ? at::Tensor() : masks[l];
}

// transformers 5 dropped head pruning (no prune_heads in modeling_bert); the
// script rebuilds what transformers 4's BertModel.prune_heads made of a
// config's pruned_heads — smaller query/key/value/output Linear modules —
// and loads the saved state dict into it strictly.
constexpr const char* kCompare = R"(
import json, sys, torch
from safetensors.torch import load_file
from transformers import BertConfig, BertModel
directory = sys.argv[1]
config = BertConfig.from_pretrained(directory)
pruned = json.load(open(directory + "/config.json")).get("pruned_heads", {})
model = BertModel(config, add_pooling_layer=True).eval()
size = config.hidden_size // config.num_attention_heads
for layer, heads in pruned.items():
    attention = model.encoder.layer[int(layer)].attention
    kept = (config.num_attention_heads - len(heads)) * size
    for name in ("query", "key", "value"):
        setattr(attention.self, name, torch.nn.Linear(config.hidden_size, kept))
    attention.output.dense = torch.nn.Linear(kept, config.hidden_size)
    attention.self.num_attention_heads = config.num_attention_heads - len(heads)
    attention.self.all_head_size = kept
model.load_state_dict(load_file(directory + "/model.safetensors"), strict=True)
inputs = json.load(open(directory + "/inputs.json"))
with torch.no_grad():
    out = model(input_ids=torch.tensor(inputs["input_ids"]), attention_mask=torch.tensor(inputs["attention_mask"])).last_hidden_state
print(json.dumps({"max_diff": (out - torch.tensor(inputs["expected"])).abs().max().item()}))
)";

double transformers_difference(const std::filesystem::path& dir, model::BertModel& bert, const Batch& batch) {
  auto expected = test::last_hidden_state(bert, batch);
  nlohmann::json inputs = {{"input_ids", nlohmann::json::array()}, {"attention_mask", nlohmann::json::array()},
                           {"expected", nlohmann::json::array()}};
  for (std::int64_t i = 0; i < batch.input_ids.size(0); ++i) {
    auto ids = batch.input_ids[i].contiguous();
    auto mask = batch.attention_mask[i].contiguous();
    inputs["input_ids"].push_back(std::vector<std::int64_t>(ids.data_ptr<std::int64_t>(), ids.data_ptr<std::int64_t>() + ids.numel()));
    inputs["attention_mask"].push_back(std::vector<std::int64_t>(mask.data_ptr<std::int64_t>(), mask.data_ptr<std::int64_t>() + mask.numel()));
    nlohmann::json rows = nlohmann::json::array();
    for (std::int64_t t = 0; t < expected.size(1); ++t) {
      auto row = expected[i][t].contiguous();
      rows.push_back(std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel()));
    }
    inputs["expected"].push_back(rows);
  }
  std::ofstream(dir / "inputs.json") << inputs.dump();
  return test::run_python(kCompare, {dir.string()})["max_diff"].get<double>();
}

}  // namespace

TEST_CASE("head pruning: the pruned model equals the original with those heads masked") {
  auto bert = test::tiny_bert(11, 2);
  auto batch = test::tiny_batch(4, 12, /*padded=*/true, 2);
  compress::set_head_masks(bert, {at::tensor({1.f, 0.f, 1.f, 1.f}), at::tensor({0.f, 1.f, 0.f, 1.f})});
  auto masked = test::last_hidden_state(bert, batch);
  compress::set_head_masks(bert, {});
  CHECK((masked - test::last_hidden_state(bert, batch)).abs().max().item<float>() > 1e-3);  // the mask does something

  auto pruned = compress::remove_heads(bert, {{0, {1}}, {1, {0, 2}}});
  CHECK((test::last_hidden_state(pruned, batch) - masked).abs().max().item<float>() < 1e-5);
  CHECK((*pruned->encoder)[0]->attention->self->query->weight.size(0) == 3 * 8);
  CHECK((*pruned->encoder)[1]->attention->output->dense->weight.size(1) == 2 * 8);
  CHECK(pruned->config().pruned_heads == std::map<std::int64_t, std::vector<std::int64_t>>{{0, {1}}, {1, {0, 2}}});

  // Pruning again names positions among the remaining heads; the config
  // keeps the original indices.
  auto again = compress::remove_heads(pruned, {{1, {1}}});
  CHECK(again->config().pruned_heads.at(1) == std::vector<std::int64_t>{0, 2, 3});
  CHECK_THROWS_WITH_AS(compress::remove_heads(again, {{1, {0}}}), doctest::Contains("every head of layer 1"),
                       std::invalid_argument);
}

TEST_CASE("head pruning: saved with pruned_heads, loaded back by bertlab and by transformers' modules") {
  auto bert = test::tiny_bert(12, 2);
  auto batch = test::tiny_batch(3, 10, /*padded=*/true, 2);
  auto pruned = compress::remove_heads(bert, {{0, {0, 3}}, {1, {2}}});
  test::ScratchDir dir;
  checkpoint::save_model(dir.path(), pruned);
  const auto config = nlohmann::json::parse(test::read_file(dir / "config.json"));
  CHECK(config["pruned_heads"] == nlohmann::json{{"0", {0, 3}}, {"1", {2}}});

  auto reloaded = checkpoint::load_model(dir.path());
  CHECK((test::last_hidden_state(reloaded.model, batch) - test::last_hidden_state(pruned, batch)).abs().max().item<float>() == 0);
  CHECK(transformers_difference(dir.path(), pruned, batch) < 1e-5);
}

TEST_CASE("FFN pruning: equals masking the removed neurons, and transformers loads the smaller model") {
  auto bert = test::tiny_bert(13, 2);
  auto batch = test::tiny_batch(3, 10, /*padded=*/true, 2);
  std::vector<at::Tensor> keep{at::arange(0, 64, 2, at::kLong), at::arange(32, 64, at::kLong)};
  std::vector<at::Tensor> masks;
  for (const auto& k : keep) masks.push_back(at::zeros({64}).index_fill_(0, k, 1.0));
  set_neuron_masks(bert, masks);
  auto masked = test::last_hidden_state(bert, batch);
  set_neuron_masks(bert, {});

  auto pruned = compress::keep_neurons(bert, keep);
  CHECK(pruned->config().intermediate_size == 32);
  CHECK((test::last_hidden_state(pruned, batch) - masked).abs().max().item<float>() < 1e-5);
  CHECK(compress::parameter_count(pruned) < compress::parameter_count(bert));
  test::ScratchDir dir;
  checkpoint::save_model(dir.path(), pruned);
  CHECK(transformers_difference(dir.path(), pruned, batch) < 1e-5);
}

TEST_CASE("importance: masked-off heads score 0 and the rest get a gradient") {
  auto bert = test::tiny_bert(14, 2);
  plugin::PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
  auto head = host.create<Head>("sequence-classification", Options());
  HeadContext context;
  context.encoder = model::encoder_info(bert->config());
  context.labels = {"no", "yes"};
  head->build(context);
  auto data = test::toy_prepared(context.labels, 24, 0);
  auto importance = compress::mask_importance(bert, *head, data.train_features, 8, 0,
                                              {at::tensor({1.f, 0.f, 1.f, 1.f}), at::ones({4})});
  REQUIRE(importance.heads.size() == 2);
  CHECK(importance.heads[0][1].item<float>() == 0);
  CHECK(importance.heads[1].gt(0).all().item<bool>());
  CHECK(importance.neurons[0].size(0) == 64);
  CHECK(importance.neurons[0].gt(0).sum().item<std::int64_t>() > 32);
  // The masks are removed afterwards.
  CHECK(!(*bert->encoder)[0]->attention->self->head_mask.defined());
  CHECK(!(*bert->encoder)[0]->intermediate->neuron_mask.defined());
}
