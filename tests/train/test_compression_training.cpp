// Compression during fine-tuning, on a small random BERT: gradual magnitude
// pruning on the cubic schedule (Zhu & Gupta 2017) and knowledge
// distillation from a teacher trial.
#include <ATen/ATen.h>

#include <cmath>
#include <cstdlib>

#include "compress/magnitude_pruning.hpp"
#include "tiny_training.hpp"
#include "train/distillation.hpp"
#include "train/gradual_pruning.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab;
using namespace bertlab::test;
namespace fs = std::filesystem;

TEST_CASE("gradual pruning: the cubic schedule starts at 0, rises fastest early, and is at target from its last step") {
  experiment::TrainSection t;
  t.sparsity = 0.8;
  t.sparsity_begin = 0.2;
  t.sparsity_end = 0.6;
  // 100 steps: the ramp runs from step 20 to step 60.
  CHECK(train::scheduled_sparsity(t, 0, 100) == 0);
  CHECK(train::scheduled_sparsity(t, 20, 100) == 0);
  CHECK(train::scheduled_sparsity(t, 40, 100) == doctest::Approx(0.8 * (1 - 0.125)));
  CHECK(train::scheduled_sparsity(t, 59, 100) < 0.8);
  CHECK(train::scheduled_sparsity(t, 60, 100) == doctest::Approx(0.8));
  CHECK(train::scheduled_sparsity(t, 100, 100) == doctest::Approx(0.8));
  CHECK(train::scheduled_sparsity(t, 30, 100) - train::scheduled_sparsity(t, 20, 100) >
        train::scheduled_sparsity(t, 60, 100) - train::scheduled_sparsity(t, 50, 100));
}

TEST_CASE("gradual pruning: masks follow the schedule every N steps, reach the target at the planned step, and hold") {
  auto bert = tiny_bert(41, 2);
  experiment::TrainSection t;
  t.sparsity = 0.5;
  t.sparsity_begin = 0.0;
  t.sparsity_end = 0.5;
  t.sparsity_every = 4;
  train::GradualPruning pruning(bert, t, 40);  // ramp: steps 0 to 20, masks at 0, 4, ..., 20
  REQUIRE(pruning.end_step() == 20);
  auto weight = (*bert->encoder)[0]->intermediate->dense->weight;
  for (std::int64_t step = 1; step <= 40; ++step) {
    // What an optimizer step does: every weight moves, pruned ones too.
    {
      torch::NoGradGuard no_grad;
      for (auto& [name, w] : compress::linear_weights(bert)) w.add_(0.01);
    }
    pruning.after_step(step);
    const double expected = train::scheduled_sparsity(t, step - step % 4, 40);
    INFO("step ", step);
    if (step < 20) {
      CHECK(pruning.sparsity() == doctest::Approx(expected).epsilon(0.01));
      CHECK(!pruning.at_target());
    } else {
      CHECK(pruning.sparsity() == doctest::Approx(0.5).epsilon(0.001));
      CHECK(pruning.at_target());
    }
  }
}

TEST_CASE("gradual pruning in a trial: the saved best model is at the target sparsity") {
  test::ScratchDir dir;
  save_tiny_bert(dir / "base");
  auto e = tiny_experiment(dir, "path = \"base\"",
                           {"train.max_steps=12", "train.eval_every=3", "train.sparsity=0.6", "train.sparsity_end=0.5",
                            "train.sparsity_every=2"});
  auto head = classifier();
  train::TrainHooks hooks;
  std::vector<double> sparsities;
  hooks.on_evaluation = [&](const train::Evaluation& evaluation) {
    sparsities.push_back(evaluation.metrics.at("sparsity"));
    return false;
  };
  auto result = train::train_trial(e, "accuracy", Direction::maximize, *head, toy_prepared(kBinary), dir / "out", hooks);
  REQUIRE(result.sparsity);
  CHECK(*result.sparsity == doctest::Approx(0.6).epsilon(0.001));
  REQUIRE(sparsities.size() == 4);  // steps 3, 6, 9, 12; the ramp ends at step 6
  CHECK(sparsities[0] < 0.6);
  CHECK(result.best_step >= 6);
  auto saved = checkpoint::load_model(dir / "out");
  auto base = checkpoint::load_model(dir / "base");
  CHECK(compress::sparse_size(saved.model) < compress::sparse_size(base.model));
  std::int64_t zeros = 0, total = 0;
  for (const auto& [name, w] : compress::linear_weights(saved.model)) {
    zeros += w.eq(0).sum().item<std::int64_t>();
    total += w.numel();
  }
  CHECK(static_cast<double>(zeros) / static_cast<double>(total) == doctest::Approx(0.6).epsilon(0.001));
}

TEST_CASE("distillation: student layers are evenly spaced layers of the model, copied exactly") {
  auto bert = tiny_bert(42, 4);
  auto student = train::select_layers(bert, 2);
  CHECK(student->config().num_hidden_layers == 2);
  CHECK((*student->encoder)[0]->output->dense->weight.equal((*bert->encoder)[0]->output->dense->weight));
  CHECK((*student->encoder)[1]->output->dense->weight.equal((*bert->encoder)[2]->output->dense->weight));
  CHECK(student->embeddings->word_embeddings->weight.equal(bert->embeddings->word_embeddings->weight));
  CHECK_THROWS_WITH_AS(train::select_layers(bert, 5), doctest::Contains("1 to 4"), std::invalid_argument);
}

TEST_CASE("distillation: alpha = 0 is plain fine-tuning for the same seed, alpha > 0 learns from the teacher") {
  setenv("BERTLAB_PLUGIN_PATH", BERTLAB_PLUGIN_DIR, 1);  // the teacher's head is loaded as a saved model's is
  test::ScratchDir dir;
  source_trial(dir);  // trial src/0: the teacher
  const auto plain_model = dir / "plain";
  std::vector<double> plain_losses, distilled_losses;
  const auto train_with = [&](const experiment::Experiment& e, const fs::path& out, std::vector<double>& losses) {
    // Dropout on: the same losses then also mean the same random draws.
    auto head = builtin_plugins().create<Head>("sequence-classification", Options(Table{{"dropout", 0.3}}, "head.options"));
    train::TrainHooks hooks;
    hooks.on_step = [&](std::int64_t, std::int64_t, double loss, double) { losses.push_back(loss); };
    return train::train_trial(e, "accuracy", Direction::maximize, *head, toy_prepared(kBinary), out, hooks);
  };
  train_with(tiny_experiment(dir, "path = \"base\"", {"train.max_steps=6"}), plain_model, plain_losses);
  std::ofstream(dir / "e.toml", std::ios::app) << "[distill]\nteacher = \"src/0\"\nalpha = 0.0\n";
  auto zero_alpha = experiment::load(dir / "e.toml", {"train.max_steps=6"});
  REQUIRE(zero_alpha.distill);
  train_with(zero_alpha, dir / "distilled", distilled_losses);
  CHECK(plain_losses == distilled_losses);
  auto plain = checkpoint::load_model(plain_model), distilled = checkpoint::load_model(dir / "distilled");
  CHECK(plain.model->encoder->parameters()[0].equal(distilled.model->encoder->parameters()[0]));

  // With the soft targets, and a 1-layer student of the 3-layer base: the loss differs and the student is smaller.
  auto soft = experiment::load(dir / "e.toml", {"train.max_steps=6", "distill.alpha=0.7", "distill.temperature=3.0",
                                                "distill.student_layers=1", "distill.hidden_weight=0.5"});
  std::vector<double> soft_losses;
  train_with(soft, dir / "student", soft_losses);
  CHECK(soft_losses != plain_losses);
  for (double loss : soft_losses) CHECK(std::isfinite(loss));
  CHECK(checkpoint::load_model(dir / "student").model->config().num_hidden_layers == 1);
}

TEST_CASE("distillation: a teacher trained on other labels is refused by name") {
  setenv("BERTLAB_PLUGIN_PATH", BERTLAB_PLUGIN_DIR, 1);
  test::ScratchDir dir;
  source_trial(dir);
  std::ofstream(dir / "e2.toml") << "[model]\npath = \"base\"\n[data]\ntrain = \"t.tsv\"\neval = \"e.tsv\"\n"
                                 << "[train]\nmax_steps = 2\nbatch_size = 8\n[store]\npath = \"h.db\"\n"
                                 << "[distill]\nteacher = \"src/0\"\n";
  auto e = experiment::load(dir / "e2.toml");
  auto head = classifier();
  CHECK_THROWS_WITH(train::train_trial(e, "accuracy", Direction::maximize, *head, toy_prepared({"a", "b", "c"}),
                                       dir / "out", {}),
                    doctest::Contains("other labels"));
  CHECK_THROWS_WITH(experiment::load(dir / "e2.toml", {"distill.teacher=nope"}), doctest::Contains("STUDY/NUMBER"));
}
