// Loading and saving Hugging Face model directories, through the library and
// through `bertlab convert` as a user runs it.
#include <fstream>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "checkpoint/hf_model.hpp"
#include "support.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

namespace fs = std::filesystem;
using bertlab::test::run_bertlab;

namespace {

void copy_model(const fs::path& to) {
  fs::create_directories(to);
  for (const char* name : {"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors"})
    fs::copy_file(fs::path(BERTLAB_MINILM_DIR) / name, to / name);
}

void truncate_file(const fs::path& file, std::uintmax_t size) { fs::resize_file(file, size); }

}  // namespace

TEST_CASE("model files: all-MiniLM-L6-v2 loads with every encoder tensor") {
  auto loaded = bertlab::checkpoint::load_model(BERTLAB_MINILM_DIR);
  CHECK(loaded.missing.empty());
  CHECK(loaded.model->config().num_hidden_layers == 6);
  CHECK(loaded.model->config().hidden_size == 384);
  CHECK(loaded.other_tensors.empty());  // position_ids is derived, not reported
}

TEST_CASE("model files: save then load gives the same outputs, with a head and a bert. prefix") {
  bertlab::test::ScratchDir dir;
  auto loaded = bertlab::checkpoint::load_model(BERTLAB_MINILM_DIR);
  bertlab::checkpoint::SaveOptions options;
  options.tokenizer_dir = BERTLAB_MINILM_DIR;
  options.head_tensors = {{"classifier.weight", at::randn({2, 384})}, {"classifier.bias", at::zeros({2})}};
  options.extra_config = {{"architectures", {"BertForSequenceClassification"}}, {"num_labels", 2}};
  bertlab::checkpoint::save_model(dir.path(), loaded.model, options);
  CHECK(fs::exists(dir / "vocab.txt"));

  auto reloaded = bertlab::checkpoint::load_model(dir.path());
  CHECK(reloaded.other_tensors.size() == 2);
  CHECK(bertlab::checkpoint::describe_unused(reloaded).find("classifier.bias, classifier.weight") != std::string::npos);
  CHECK(bertlab::checkpoint::describe_unused(loaded).empty());
  CHECK(at::equal(reloaded.other_tensors.at("classifier.weight"), options.head_tensors.at("classifier.weight")));
  c10::InferenceMode guard;
  auto ids = at::randint(1000, 2000, {2, 9}, at::kLong);
  loaded.model->eval();
  reloaded.model->eval();
  CHECK(at::equal(loaded.model(ids, at::zeros_like(ids), at::ones_like(ids)).last_hidden_state,
                  reloaded.model(ids, at::zeros_like(ids), at::ones_like(ids)).last_hidden_state));
}

TEST_CASE("model files: bad model directories give one line naming the file") {
  bertlab::test::ScratchDir dir;
  const auto model = dir / "model";
  copy_model(model);
  const auto out = (dir / "out").string();

  SUBCASE("a truncated safetensors file") {
    truncate_file(model / "model.safetensors", 1000);
    auto result = run_bertlab({"convert", "--model", model.string(), "--output", out});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("model.safetensors") != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  }
  SUBCASE("a config that is not BERT") {
    std::ofstream(model / "config.json") << R"({"model_type": "gpt2", "n_layer": 12})";
    auto result = run_bertlab({"convert", "--model", model.string(), "--output", out});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("model_type is 'gpt2'") != std::string::npos);
  }
  SUBCASE("a config whose sizes do not match the weights") {
    std::ofstream(model / "config.json")
        << R"({"model_type": "bert", "hidden_size": 768, "num_attention_heads": 12, "num_hidden_layers": 6,
              "intermediate_size": 1536, "vocab_size": 30522})";
    auto result = run_bertlab({"convert", "--model", model.string(), "--output", out});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("has shape [30522, 384], the config") != std::string::npos);
  }
  SUBCASE("no weights at all") {
    fs::remove(model / "model.safetensors");
    auto result = run_bertlab({"convert", "--model", model.string(), "--output", out});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("no model.safetensors or pytorch_model.bin") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "out" / "model.safetensors"));
}
