// Experiment files: defaults, paths, overrides, search spaces, and errors that
// name the file, the line and the key.
#include <doctest/doctest.h>

#include <fstream>

#include "experiment/experiment.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using bertlab::experiment::ExperimentError;

namespace {

constexpr const char* kMinimal = R"(
[model]
path = "models/minilm"

[data]
train = "data/train.tsv"
eval = "/abs/dev.tsv"
)";

constexpr const char* kFull = R"(
[study]
name = "sst2-search"

[model]
path = "m"

[tokenizer]
max_length = 64
[tokenizer.options]
lowercase = false

[data]
format = "csv"
train = "train.csv"
text_column = "question"
text_pair_column = "context"
labels = ["neg", "pos"]
train_limit = 2000

[head]
plugin = "sequence-classification"
options = { dropout = 0.2 }

[train]
epochs = 1
batch_size = 16
learning_rate = 3e-5
precision = "bf16"
eval_every = 200
early_stopping_patience = 2

[[augment.plugins]]
plugin = "synonyms"
options = { rate = 0.1 }

[search]
trials = 5
metric = "accuracy"
direction = "maximize"
searcher = { plugin = "grid", options = { steps = 3 } }
pruner = { plugin = "median" }

[search.space]
"train.learning_rate" = { type = "log_uniform", low = 1e-5, high = 1e-4, steps = 3 }
"train.batch_size" = { type = "choice", values = [16, 32] }
"train.epochs" = { type = "int", low = 1, high = 3 }

[store]
path = "runs/history.db"
)";

fs::path write(const bertlab::test::ScratchDir& dir, const std::string& text, const std::string& name = "exp.toml") {
  std::ofstream(dir / name) << text;
  return dir / name;
}

std::string error_of(const fs::path& file, const std::vector<std::string>& overrides = {}) {
  try {
    bertlab::experiment::load(file, overrides);
  } catch (const ExperimentError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("experiment: defaults, and paths relative to the file") {
  bertlab::test::ScratchDir dir;
  auto e = bertlab::experiment::load(write(dir, kMinimal, "sst2.toml"));
  CHECK(e.study_name == "sst2");
  CHECK(e.model_dir == dir / "models/minilm");
  CHECK(e.data.train == dir / "data/train.tsv");
  CHECK(e.data.eval == "/abs/dev.tsv");
  CHECK(e.data.test.empty());
  CHECK(e.tokenizer.plugin == "wordpiece");
  CHECK(e.head.plugin == "sequence-classification");
  CHECK(e.train.learning_rate == 5e-5);
  CHECK(e.search.trials == 1);
  CHECK(e.store == "bertlab.db");
}

TEST_CASE("experiment: every section read") {
  bertlab::test::ScratchDir dir;
  auto e = bertlab::experiment::load(write(dir, kFull));
  CHECK(e.study_name == "sst2-search");
  CHECK(e.max_length == 64);
  CHECK(e.tokenizer.options.at("lowercase").as_bool() == false);
  CHECK(e.data.format == "csv");
  CHECK(e.data.labels == std::vector<std::string>{"neg", "pos"});
  CHECK(e.head.options.at("dropout").as_double() == 0.2);
  CHECK(e.train.precision == "bf16");
  CHECK(e.train.eval_every == 200);
  REQUIRE(e.augment.size() == 1);
  CHECK(e.augment[0].plugin == "synonyms");
  CHECK(e.search.searcher.plugin == "grid");
  CHECK(e.search.searcher.options.at("steps").as_int() == 3);
  REQUIRE(e.search.pruner.has_value());
  CHECK(e.search.pruner->plugin == "median");
  REQUIRE(e.search.space.params.size() == 3);
  const auto* lr = e.search.space.find("train.learning_rate");
  REQUIRE(lr != nullptr);
  CHECK(lr->kind == bertlab::Distribution::Kind::log_uniform);
  CHECK(lr->grid_steps == 3);
  CHECK(e.search.space.find("train.batch_size")->choices.size() == 2);
  CHECK(e.store == dir / "runs/history.db");
}

TEST_CASE("experiment: --set overrides any key, typed as TOML") {
  bertlab::test::ScratchDir dir;
  auto e = bertlab::experiment::load(write(dir, kMinimal),
                                     {"train.learning_rate=3e-5", "train.precision=bf16", "data.train_limit=100",
                                      "head.options.dropout=0.3", "study.name=\"quoted\""});
  CHECK(e.train.learning_rate == 3e-5);
  CHECK(e.train.precision == "bf16");
  CHECK(e.data.train_limit == 100);
  CHECK(e.head.options.at("dropout").as_double() == 0.3);
  CHECK(e.study_name == "quoted");
  CHECK(e.text.find("learning_rate = 3.0000000000000001e-05") != std::string::npos);  // recorded with the override
  CHECK(error_of(write(dir, kMinimal), {"train.learning_rat=1"}).find("key 'train.learning_rat': unknown key") !=
        std::string::npos);
  CHECK(error_of(write(dir, kMinimal), {"novalue"}).find("expected key=value") != std::string::npos);
}

TEST_CASE("experiment: a trial's parameters apply as overrides") {
  bertlab::test::ScratchDir dir;
  auto base = bertlab::experiment::load(write(dir, kFull));
  auto trial = bertlab::experiment::with_params(
      base, {{"train.learning_rate", 2e-5}, {"train.batch_size", 32}, {"train.epochs", std::int64_t{2}}});
  CHECK(trial.train.learning_rate == 2e-5);
  CHECK(trial.train.batch_size == 32);
  CHECK(trial.train.epochs == 2);
  CHECK(trial.model_dir == base.model_dir);
}

TEST_CASE("experiment: errors name the file, the line and the key") {
  bertlab::test::ScratchDir dir;
  auto message = error_of(write(dir, std::string(kMinimal) + "\n[train]\nlearning_rat = 3e-5\n"));
  CHECK(message.find("exp.toml:10: key 'train.learning_rat': unknown key") != std::string::npos);
  CHECK(message.find("learning_rate") != std::string::npos);  // the known keys are listed

  message = error_of(write(dir, std::string(kMinimal) + "\n[train]\nbatch_size = \"big\"\n"));
  CHECK(message.find("exp.toml:10: key 'train.batch_size': expected an integer, got a string") != std::string::npos);

  message = error_of(write(dir, std::string(kMinimal) + "\n[train]\nwarmup_ratio = 1.5\n"));
  CHECK(message.find("key 'train.warmup_ratio': expected a number in [0, 1], got 1.5") != std::string::npos);

  message = error_of(write(dir, std::string(kMinimal) + "\n[train]\nprecision = \"fp8\"\n"));
  CHECK(message.find("expected one of fp32, bf16, fp16, auto, got 'fp8'") != std::string::npos);

  message = error_of(write(dir, "[model]\npath = \"m\"\n[data\ntrain = 1\n"));
  CHECK(message.find("exp.toml:3:") != std::string::npos);
  CHECK(message.find("not valid TOML") != std::string::npos);

  message = error_of(write(dir, "[model]\npath = \"m\"\n"));
  CHECK(message.find("key 'data': required") != std::string::npos);

  message = error_of(write(dir, std::string(kMinimal) + "\n[search.space]\n\"train.learnin_rate\" = { type = \"uniform\", low = 0, high = 1 }\n"));
  CHECK(message.find("[search.space] does not fit the experiment") != std::string::npos);
  CHECK(message.find("train.learnin_rate") != std::string::npos);

  message = error_of(write(dir, std::string(kMinimal) + "\n[search.space]\nx = { type = \"log_uniform\", low = 0, high = 1 }\n"));
  CHECK(message.find("a log range needs low > 0") != std::string::npos);

  CHECK(error_of(dir / "missing.toml").find("cannot open the experiment file") != std::string::npos);
}
