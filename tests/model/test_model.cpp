// The encoder's own properties, on a small random BERT (no checkpoint).
// Agreement with Hugging Face on real weights is compare_encoder.py's job.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/bert_model.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using bertlab::model::BertConfig;
using bertlab::model::BertModel;

namespace {

BertConfig tiny_config() {
  BertConfig config;
  config.vocab_size = 100;
  config.hidden_size = 32;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 4;
  config.intermediate_size = 64;
  config.max_position_embeddings = 40;
  return config;
}

BertModel tiny_model() {
  BertModel model(tiny_config());
  model->init_weights(1234);
  model->eval();
  return model;
}

nlohmann::json bert_json() { return {{"model_type", "bert"}, {"hidden_size", 64}, {"num_attention_heads", 4}}; }

}  // namespace

TEST_CASE("model: parameter names are Hugging Face BertModel's") {
  auto model = tiny_model();
  auto params = model->named_parameters();
  for (const char* name : {"embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                           "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
                           "encoder.layer.0.attention.self.query.weight", "encoder.layer.1.attention.self.value.bias",
                           "encoder.layer.0.attention.output.dense.weight",
                           "encoder.layer.0.attention.output.LayerNorm.bias", "encoder.layer.1.intermediate.dense.weight",
                           "encoder.layer.1.output.dense.bias", "encoder.layer.1.output.LayerNorm.weight",
                           "pooler.dense.weight"}) {
    CAPTURE(name);
    CHECK(params.contains(name));
  }
  CHECK(params.size() == 5 + 2 * 16 + 2);
}

TEST_CASE("model: shapes of every output") {
  auto model = tiny_model();
  c10::InferenceMode guard;
  auto ids = at::randint(1, 100, {3, 7}, at::kLong);
  bertlab::model::BertForwardOptions options;
  options.output_hidden_states = true;
  options.output_attentions = true;
  auto out = model->forward(ids, {}, at::ones_like(ids), options);
  CHECK(out.last_hidden_state.sizes() == at::IntArrayRef({3, 7, 32}));
  CHECK(out.pooler_output.sizes() == at::IntArrayRef({3, 32}));
  REQUIRE(out.hidden_states.size() == 3);
  REQUIRE(out.attentions.size() == 2);
  CHECK(out.attentions[0].sizes() == at::IntArrayRef({3, 4, 7, 7}));
  CHECK(at::allclose(out.attentions[1].sum(-1), at::ones({3, 4, 7})));
  CHECK(at::equal(out.hidden_states.back(), out.last_hidden_state));
}

TEST_CASE("model: the fused and the explicit attention paths agree, padded or not") {
  auto model = tiny_model();
  c10::InferenceMode guard;
  auto ids = at::randint(1, 100, {4, 9}, at::kLong);
  auto types = at::cat({at::zeros({4, 5}, at::kLong), at::ones({4, 4}, at::kLong)}, 1);
  auto mask = at::ones_like(ids);
  mask.index_put_({1, at::indexing::Slice(6)}, 0);
  mask.index_put_({3, at::indexing::Slice(2)}, 0);
  for (const auto& m : {at::ones_like(ids), mask}) {
    auto fused = model->forward(ids, types, m);
    bertlab::model::BertForwardOptions explicit_path;
    explicit_path.output_attentions = true;
    auto probed = model->forward(ids, types, m, explicit_path);
    CHECK(at::allclose(fused.last_hidden_state, probed.last_hidden_state, 1e-5, 1e-5));
    CHECK(at::allclose(fused.pooler_output, probed.pooler_output, 1e-5, 1e-5));
  }
  // Padded keys get no attention.
  bertlab::model::BertForwardOptions explicit_path;
  explicit_path.output_attentions = true;
  auto probed = model->forward(ids, types, mask, explicit_path);
  CHECK(probed.attentions[0].index({1, at::indexing::Slice(), at::indexing::Slice(), at::indexing::Slice(6)})
            .abs()
            .max()
            .item<float>() == 0.0f);
}

TEST_CASE("model: padding does not change the real tokens' outputs") {
  auto model = tiny_model();
  c10::InferenceMode guard;
  auto short_ids = at::randint(1, 100, {1, 5}, at::kLong);
  auto alone = model->forward(short_ids, {}, at::ones_like(short_ids));
  auto padded_ids = at::cat({short_ids, at::zeros({1, 4}, at::kLong)}, 1);
  auto padded_mask = at::cat({at::ones({1, 5}, at::kLong), at::zeros({1, 4}, at::kLong)}, 1);
  auto padded = model->forward(padded_ids, {}, padded_mask);
  CHECK(at::allclose(alone.last_hidden_state, padded.last_hidden_state.narrow(1, 0, 5), 1e-5, 1e-5));
  CHECK(at::allclose(alone.pooler_output, padded.pooler_output, 1e-5, 1e-5));
}

TEST_CASE("model: the fused inference kernels compute what the autograd path computes") {
  auto model = tiny_model();
  auto ids = at::randint(1, 100, {3, 8}, at::kLong);
  auto mask = at::ones_like(ids);
  mask.index_put_({2, at::indexing::Slice(5)}, 0);
  auto unfused = model->forward(ids, {}, mask);  // parameters require grad: composite ops
  REQUIRE(unfused.last_hidden_state.requires_grad());
  c10::InferenceMode guard;
  auto fused = model->forward(ids, {}, mask);
  CHECK(at::allclose(fused.last_hidden_state, unfused.last_hidden_state.detach(), 1e-5, 1e-5));
  CHECK(at::allclose(fused.pooler_output, unfused.pooler_output.detach(), 1e-5, 1e-5));
}

TEST_CASE("model: dropout only in training") {
  auto model = tiny_model();
  auto ids = at::randint(1, 100, {2, 6}, at::kLong);
  {
    c10::InferenceMode guard;
    CHECK(at::equal(model->forward(ids).last_hidden_state, model->forward(ids).last_hidden_state));
  }
  model->train();
  auto a = model->forward(ids).last_hidden_state;
  auto b = model->forward(ids).last_hidden_state;
  CHECK_FALSE(at::allclose(a, b));
  a.sum().backward();
  CHECK(model->embeddings->word_embeddings->weight.grad().defined());
  CHECK(model->encoder->layer->size() == 2);
}

TEST_CASE("model: sequences longer than the position table are refused") {
  auto model = tiny_model();
  c10::InferenceMode guard;
  auto ids = at::randint(1, 100, {1, 41}, at::kLong);
  CHECK_THROWS_WITH_AS(model->forward(ids), doctest::Contains("max_position_embeddings 40"), std::invalid_argument);
}

TEST_CASE("config: BERT configs load, others are refused by name") {
  auto config = BertConfig::from_json(bert_json(), "config.json");
  CHECK(config.head_size() == 16);
  CHECK(config.hidden_act == "gelu");

  auto roberta = bert_json();
  roberta["model_type"] = "roberta";
  CHECK_THROWS_WITH(BertConfig::from_json(roberta, "x/config.json"),
                    doctest::Contains("model_type is 'roberta', bertlab loads BERT models"));
  auto bad_heads = bert_json();
  bad_heads["num_attention_heads"] = 5;
  CHECK_THROWS_WITH(BertConfig::from_json(bad_heads, "c"), doctest::Contains("not a multiple of num_attention_heads"));
  auto bad_act = bert_json();
  bad_act["hidden_act"] = "mish";
  CHECK_THROWS_WITH(BertConfig::from_json(bad_act, "c"), doctest::Contains("hidden_act 'mish' is not supported"));
  auto wrong_type = bert_json();
  wrong_type["hidden_size"] = "big";
  CHECK_THROWS_WITH(BertConfig::from_json(wrong_type, "c"), doctest::Contains("key 'hidden_size' has the wrong type"));
  for (const char* act : {"gelu_new", "relu", "silu", "gelu_pytorch_tanh", "quick_gelu"}) {
    auto j = bert_json();
    j["hidden_act"] = act;
    CHECK_NOTHROW(BertConfig::from_json(j, "c"));
  }
}
