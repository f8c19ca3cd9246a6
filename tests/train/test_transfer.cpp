// Transfer learning in the trainer, on a small random BERT: [model]
// from_trial (through the store), carrying the head over or re-initialising
// it, a pretraining checkpoint's encoder, frozen parameters and layer-wise
// learning-rate decay.
#include <ATen/ATen.h>

#include <fstream>
#include <map>

#include "experiment/experiment.hpp"
#include "experiment/saved_task.hpp"
#include "store/store.hpp"
#include "support.hpp"
#include "tiny_bert.hpp"
#include "tiny_training.hpp"
#include "train/head_transfer.hpp"
#include "train/param_groups.hpp"
#include "train/trainer.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab;
using namespace bertlab::test;
namespace fs = std::filesystem;

namespace {

double max_difference(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

TEST_CASE("transfer: from_trial with the same labels carries the encoder and the head over") {
  test::ScratchDir dir;
  const auto source = source_trial(dir);
  auto e = tiny_experiment(dir, "from_trial = \"src/0\"", {"train.learning_rate=1e-12"});
  CHECK(fs::equivalent(e.model_dir, source));
  auto run = fine_tune(e, kBinary, dir / "target");
  INFO(run.log.size());
  CHECK(logged(run, "model.from_trial src/0: " + source.string()));
  CHECK(logged(run, "encoder and head carried over from " + source.string()));
  // A learning rate of 1e-12 leaves every weight where it started: the source's.
  auto saved = checkpoint::load_model(source);
  for (const auto& [name, tensor] : run.head->state_dict()) {
    CAPTURE(name);
    CHECK(max_difference(tensor, saved.other_tensors.at(name)) < 1e-6);
  }
  auto target = checkpoint::load_model(dir / "target");
  CHECK(max_difference(target.model->embeddings->word_embeddings->weight, saved.model->embeddings->word_embeddings->weight) < 1e-6);
}

TEST_CASE("transfer: from_trial with other labels re-initialises the head and says so") {
  test::ScratchDir dir;
  const auto source = source_trial(dir);
  auto e = tiny_experiment(dir, "from_trial = \"src/0\"", {"train.learning_rate=1e-12"});
  const std::vector<std::string> three{"x", "y", "z"};
  auto run = fine_tune(e, three, dir / "target");
  CHECK(logged(run, "encoder carried over from " + source.string() +
                        ", head re-initialised: labels differ ([neg, pos] (2) saved, [x, y, z] (3) now)"));
  CHECK(run.head->state_dict().at("classifier.weight").size(0) == 3);
  // The encoder is still the source's, not the base model's.
  auto saved = checkpoint::load_model(source);
  auto base = checkpoint::load_model(dir / "base");
  auto target = checkpoint::load_model(dir / "target");
  const auto& words = target.model->embeddings->word_embeddings->weight;
  CHECK(max_difference(words, saved.model->embeddings->word_embeddings->weight) < 1e-6);
  CHECK(max_difference(words, base.model->embeddings->word_embeddings->weight) > 1e-4);
  // A head plugin of another kind is not carried over either.
  HeadContext context;
  context.encoder = model::encoder_info(saved.model->config());
  context.labels = kBinary;
  auto head = classifier();
  head->build(context);
  auto other = train::transfer_head(*head, "token-classification", kBinary, saved, source);
  CHECK_FALSE(other.carried_over);
  CHECK(other.reason == "head plugin differs ('sequence-classification' saved, 'token-classification' now)");
}

TEST_CASE("transfer: a pretraining checkpoint (bert.* and cls.* tensors) gives the encoder and a fresh head") {
  test::ScratchDir dir;
  checkpoint::SaveOptions pretrained;
  pretrained.head_tensors = {{"cls.predictions.bias", at::zeros({100})},
                             {"cls.seq_relationship.weight", at::zeros({2, 32})}};
  test::save_tiny_bert(dir / "pretrained", 99, 3, pretrained);
  record_trial(dir / "h.db", "pre", dir / "pretrained");
  auto e = tiny_experiment(dir, "from_trial = \"pre/0\"", {"train.learning_rate=1e-12"});
  auto run = fine_tune(e, kBinary, dir / "target");
  CHECK(logged(run, "head initialised fresh (the checkpoint has no bertlab task head)"));
  auto target = checkpoint::load_model(dir / "target");
  CHECK(max_difference(target.model->embeddings->word_embeddings->weight,
                       test::tiny_bert(99)->embeddings->word_embeddings->weight) < 1e-6);
}

TEST_CASE("transfer: from_trial errors name the key and what is missing") {
  test::ScratchDir dir;
  auto error_of = [&](const std::string& model) {
    try {
      tiny_experiment(dir, model);
    } catch (const experiment::ExperimentError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("from_trial = \"src/0\"").find("key 'model.from_trial': the store") != std::string::npos);
  test::save_tiny_bert(dir / "base");
  record_trial(dir / "h.db", "src", dir / "base");
  CHECK(error_of("from_trial = \"src/5\"").find("e.toml:2: key 'model.from_trial': study 'src' has no trial 5") != std::string::npos);
  CHECK(error_of("from_trial = \"nope/0\"").find("key 'model.from_trial': no study named 'nope'") != std::string::npos);
  CHECK(error_of("from_trial = \"src/1\"").find("key 'model.from_trial': trial src/1 (FAILED: diverged) saved no model") != std::string::npos);
  CHECK(error_of("from_trial = \"src\"").find("key 'model.from_trial': expected \"STUDY/NUMBER\", got 'src'") != std::string::npos);
  CHECK(error_of("from_trial = \"src/0\"\npath = \"base\"").find("give one of [model] path and from_trial") != std::string::npos);
  CHECK(error_of("").find("key 'model.path': required") != std::string::npos);
  CHECK(error_of("from_trial = \"src/0\"") == "no error");
}

TEST_CASE("transfer: frozen embeddings and lowest layers stay as they were while the rest trains") {
  test::ScratchDir dir;
  test::save_tiny_bert(dir / "base");
  auto e = tiny_experiment(dir, "path = \"base\"", {"train.freeze_embeddings=true", "train.freeze_layers=1"});
  fine_tune(e, kBinary, dir / "out");
  auto before = checkpoint::load_model(dir / "base").model->named_parameters();
  auto after = checkpoint::load_model(dir / "out").model->named_parameters();
  int frozen = 0, trained = 0;
  for (const auto& item : before) {
    const auto& name = item.key();
    CAPTURE(name);
    const bool should_freeze = name.rfind("embeddings.", 0) == 0 || name.rfind("encoder.layer.0.", 0) == 0;
    const double change = max_difference(item.value(), after[name]);
    if (should_freeze) {
      CHECK(change == 0.0);
      ++frozen;
    } else if (name.find("LayerNorm") == std::string::npos && name.find("bias") == std::string::npos) {
      CHECK(change > 0.0);  // biases may start and stay near zero; weights must move
      ++trained;
    }
  }
  CHECK(frozen == 5 + 16);
  CHECK(trained > 10);
  auto too_many = tiny_experiment(dir, "path = \"base\"", {"train.freeze_layers=4"});
  CHECK_THROWS_WITH(fine_tune(too_many, kBinary, dir / "out2"),
                    doctest::Contains("key 'train.freeze_layers': 4 exceeds the model's 3 encoder layers"));
}

TEST_CASE("transfer: layer_lr_decay gives each layer lr * xi^(L - l), the embeddings xi^L, pooler and head lr") {
  test::ScratchDir dir;
  auto bert = test::tiny_bert();
  auto head = classifier();
  HeadContext context;
  context.encoder = model::encoder_info(bert->config());
  context.labels = kBinary;
  head->build(context);
  experiment::TrainSection t;
  t.layer_lr_decay = 0.5;
  t.weight_decay = 0.01;
  auto groups = train::param_groups(bert, head->module(), t);
  std::map<std::string, double> scale;
  std::size_t params = 0;
  for (const auto& g : groups) {
    scale[g.name] = g.lr_scale;
    params += g.params.size();
    CHECK(g.weight_decay == (g.name.ends_with("+decay") ? 0.01 : 0.0));
  }
  CHECK(groups.size() == 10);  // embeddings, 3 layers, top; each with and without decay
  CHECK(params == bert->parameters().size() + head->module().parameters().size());
  CHECK(scale.at("embeddings+decay") == 0.125);
  CHECK(scale.at("embeddings-decay") == 0.125);
  CHECK(scale.at("layer 1+decay") == 0.25);
  CHECK(scale.at("layer 2-decay") == 0.5);
  CHECK(scale.at("layer 3+decay") == 1.0);
  CHECK(scale.at("top+decay") == 1.0);
  // Frozen parameters are in no group.
  t.freeze_embeddings = true;
  t.freeze_layers = 2;
  train::freeze(bert, t);
  groups = train::param_groups(bert, head->module(), t);
  CHECK(groups.size() == 4);
  CHECK(groups.front().name == "layer 3+decay");
  // Validation of the keys.
  test::save_tiny_bert(dir / "base");
  for (const char* bad : {"train.layer_lr_decay=0", "train.layer_lr_decay=1.5", "train.freeze_layers=-1",
                          "train.freeze_embeddings=1"}) {
    CAPTURE(bad);
    const std::string key = "key '" + std::string(bad).substr(0, std::string(bad).find('=')) + "'";
    CHECK_THROWS_WITH(tiny_experiment(dir, "path = \"base\"", {bad}), doctest::Contains(key.c_str()));
  }
}
