// mixup of hidden states: the plugin as bertlab loads it, the trainer's
// loss combination (lambda * loss(y) + (1 - lambda) * loss(y[perm])), TMix
// at an encoder layer, and the search keys augment.mixup.<option>.
#include <ATen/ATen.h>

#include <cmath>
#include <fstream>

#include "bertlab/augmentation.hpp"
#include "builtin_plugins.hpp"
#include "experiment/experiment.hpp"
#include "support.hpp"
#include "tiny_bert.hpp"
#include "train/hidden_mixing.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab;

namespace {

const std::vector<std::string> kLabels{"a", "b", "c"};

std::shared_ptr<Head> classifier(const model::BertModel& bert) {
  auto head = test::builtin_plugins().create<Head>("sequence-classification", Options(Table{{"dropout", 0.0}}, "head.options"));
  HeadContext context;
  context.encoder = model::encoder_info(bert->config());
  context.labels = kLabels;
  context.seed = 3;
  head->build(context);
  return head;
}

train::HiddenStateMixer mixer(Table options) {
  auto layer = train::mixing_layer(options, "augment.plugins[0].options");
  return {test::builtin_plugins().create<Augmentation>("mixup", Options(options, "augment.plugins[0].options")), layer,
          "mixup"};
}

// Every gradient of the model and the head, flattened, after one backward of `loss`.
at::Tensor gradients(model::BertModel& bert, Head& head, const at::Tensor& loss) {
  for (auto& p : bert->parameters()) p.mutable_grad() = at::Tensor();
  for (auto& p : head.module().parameters()) p.mutable_grad() = at::Tensor();
  loss.backward();
  std::vector<at::Tensor> flat;
  for (auto& p : bert->parameters()) flat.push_back(p.grad().defined() ? p.grad().flatten() : at::zeros({p.numel()}));
  for (auto& p : head.module().parameters()) flat.push_back(p.grad().flatten());
  return at::cat(flat);
}

}  // namespace

TEST_CASE("mixup: lambda = 1 gives the loss and the gradients of no mixup") {
  auto bert = test::tiny_bert();
  auto head = classifier(bert);
  auto batch = test::tiny_batch(6, 9, /*padded=*/true, 3);
  std::mt19937_64 rng(5);
  auto plain = train::training_loss(bert, *head, batch, nullptr, rng);
  auto plain_grads = gradients(bert, *head, plain);
  auto one = mixer({{"lambda", 1.0}});
  auto mixed = train::training_loss(bert, *head, batch, &one, rng);
  auto mixed_grads = gradients(bert, *head, mixed);
  CHECK(mixed.item<double>() == doctest::Approx(plain.item<double>()).epsilon(1e-7));
  CHECK((mixed_grads - plain_grads).abs().max().item<double>() < 1e-6);
  CHECK(plain_grads.abs().max().item<double>() > 1e-4);  // the comparison is of real gradients
}

TEST_CASE("mixup: lambda = 0.5 is the cross-entropy on the interpolated soft labels, computed independently") {
  auto bert = test::tiny_bert();
  auto head = classifier(bert);
  auto batch = test::tiny_batch(6, 9, /*padded=*/true, 3);
  std::mt19937_64 rng(11);
  auto replay = rng;  // the same draws, to learn the permutation the plugin will use
  auto half = mixer({{"lambda", 0.5}});
  auto loss = train::training_loss(bert, *head, batch, &half, rng).item<double>();

  EncoderOutputs probe{at::zeros({6, 1, 1}), at::zeros({6, 1}), {}};
  auto mix = mixer({{"lambda", 0.5}}).plugin->mix(probe, batch, replay);
  REQUIRE(mix);
  CHECK(mix->lambda == 0.5);
  const auto perm = mix->permutation;
  CHECK(std::get<0>(at::sort(perm)).equal(at::arange(6, at::kLong)));

  at::NoGradGuard no_grad;
  auto pooled = bert->forward(batch.input_ids, batch.token_type_ids, batch.attention_mask).pooler_output;
  auto mixed = pooled * 0.5 + pooled.index_select(0, perm) * 0.5;
  auto weights = head->state_dict();
  auto logits = at::matmul(mixed, weights.at("classifier.weight").t()) + weights.at("classifier.bias");
  auto y = batch.labels.at("labels");
  auto soft = at::one_hot(y, 3).to(at::kFloat) * 0.5 + at::one_hot(y.index_select(0, perm), 3).to(at::kFloat) * 0.5;
  const double expected = (-(soft * at::log_softmax(logits, 1)).sum(1)).mean().item<double>();
  CHECK(loss == doctest::Approx(expected).epsilon(1e-5));
  // Not trivially the unmixed loss.
  CHECK(std::abs(loss - train::training_loss(bert, *head, batch, nullptr, rng).item<double>()) > 1e-4);
}

TEST_CASE("mixup: the same seed mixes the same way, another seed does not") {
  auto bert = test::tiny_bert();
  auto head = classifier(bert);
  auto batch = test::tiny_batch(8, 9, /*padded=*/true, 3);
  auto run = [&](std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto m = mixer({{"alpha", 0.4}});
    std::vector<double> losses;
    for (int i = 0; i < 4; ++i) losses.push_back(train::training_loss(bert, *head, batch, &m, rng).item<double>());
    return losses;
  };
  CHECK(run(1) == run(1));
  CHECK(run(1) != run(2));
  // The plugin's own draws: permutation and lambda.
  auto draws = [&](std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    EncoderOutputs outputs{at::zeros({8, 1, 1}), at::zeros({8, 1}), {}};
    auto mix = mixer({{"alpha", 0.4}}).plugin->mix(outputs, batch, rng);
    return std::pair{mix->permutation.contiguous(), mix->lambda};
  };
  auto [perm_a, lambda_a] = draws(9);
  auto [perm_b, lambda_b] = draws(9);
  CHECK(perm_a.equal(perm_b));
  CHECK(lambda_a == lambda_b);
  CHECK(lambda_a >= 0.0);
  CHECK(lambda_a <= 1.0);
}

TEST_CASE("mixup: Beta(alpha, alpha) draws have its mean and variance, keep_original_majority keeps lambda >= 0.5") {
  auto batch = test::tiny_batch(4, 3, false, 2);
  auto sample = [&](Table options, int n) {
    auto m = mixer(std::move(options));
    std::mt19937_64 rng(21);
    std::vector<double> out;
    for (int i = 0; i < n; ++i) {
      EncoderOutputs outputs{at::zeros({4, 1, 1}), at::zeros({4, 1}), {}};
      out.push_back(m.plugin->mix(outputs, batch, rng)->lambda);
    }
    return out;
  };
  const double alpha = 0.4;
  auto lambdas = sample({{"alpha", alpha}}, 20000);
  double mean = 0, square = 0;
  for (double l : lambdas) mean += l / static_cast<double>(lambdas.size());
  for (double l : lambdas) square += (l - mean) * (l - mean) / static_cast<double>(lambdas.size());
  CHECK(mean == doctest::Approx(0.5).epsilon(0.02));
  CHECK(square == doctest::Approx(1.0 / (4 * (2 * alpha + 1))).epsilon(0.05));  // Var Beta(a,a) = 1/(4(2a+1))
  for (double l : sample({{"alpha", alpha}, {"keep_original_majority", true}}, 500)) CHECK(l >= 0.5);
  // probability: the share of batches mixed.
  auto m = mixer({{"probability", 0.25}});
  std::mt19937_64 rng(4);
  int mixed = 0;
  for (int i = 0; i < 4000; ++i) {
    EncoderOutputs outputs{at::zeros({4, 1, 1}), at::zeros({4, 1}), {}};
    mixed += m.plugin->mix(outputs, batch, rng).has_value() ? 1 : 0;
  }
  CHECK(mixed / 4000.0 == doctest::Approx(0.25).epsilon(0.1));
}

TEST_CASE("mixup: TMix at layer k runs the upper layers on the mixed states") {
  auto bert = test::tiny_bert();
  auto head = classifier(bert);
  std::mt19937_64 rng(3);
  // Unpadded, lambda = 1: the split forward (layers 1..k, mix, k+1..L) is the plain forward.
  auto unpadded = test::tiny_batch(6, 9, /*padded=*/false, 3);
  const double plain = train::training_loss(bert, *head, unpadded, nullptr, rng).item<double>();
  for (std::int64_t k : {0, 1, 3}) {
    CAPTURE(k);
    auto identity = mixer({{"lambda", 1.0}, {"layer", k}});
    CHECK(train::training_loss(bert, *head, unpadded, &identity, rng).item<double>() == doctest::Approx(plain).epsilon(1e-6));
  }
  // lambda = 0.5 at layer 2 of a padded batch: runs and changes the loss.
  auto padded = test::tiny_batch(6, 9, /*padded=*/true, 3);
  const double padded_plain = train::training_loss(bert, *head, padded, nullptr, rng).item<double>();
  auto tmix = mixer({{"lambda", 0.5}, {"layer", 2}});
  auto loss = train::training_loss(bert, *head, padded, &tmix, rng);
  CHECK(std::isfinite(loss.item<double>()));
  CHECK(std::abs(loss.item<double>() - padded_plain) > 1e-4);
  auto grads = gradients(bert, *head, loss);
  CHECK(grads.abs().max().item<double>() > 0);
  // A layer past the encoder is refused, naming the option.
  auto too_deep = mixer({{"lambda", 0.5}, {"layer", 4}});
  CHECK_THROWS_WITH(train::training_loss(bert, *head, padded, &too_deep, rng),
                    doctest::Contains("option 'layer' is 4, but the encoder has 3 layers"));
}

TEST_CASE("mixup: bad options name the option") {
  CHECK_THROWS_WITH(mixer({{"alpha", -1.0}}), doctest::Contains("augment.plugins[0].options.alpha"));
  CHECK_THROWS_WITH(mixer({{"probabilty", 0.5}}), doctest::Contains("unknown option"));
  CHECK_THROWS_WITH(mixer({{"layer", "top"}}), doctest::Contains("augment.plugins[0].options.layer"));
  CHECK_THROWS_WITH(mixer({{"lambda", 2.0}}), doctest::Contains("augment.plugins[0].options.lambda"));
}

TEST_CASE("mixup: augment.mixup.<option> search keys set the options of the mixup entry") {
  test::ScratchDir dir;
  std::ofstream(dir / "e.toml") << "[model]\npath = \"m\"\n[data]\ntrain = \"t.tsv\"\n"
                                << "[[augment.plugins]]\nplugin = \"mixup\"\noptions = { alpha = 0.4 }\n"
                                << "[search.space]\n\"augment.mixup.alpha\" = { type = \"uniform\", low = 0.1, high = 1.0 }\n"
                                << "\"augment.mixup.layer\" = { type = \"choice\", values = [\"pooled\", 2] }\n";
  auto e = experiment::load(dir / "e.toml");
  auto trial = experiment::with_params(e, Table{{"augment.mixup.alpha", 0.7}, {"augment.mixup.layer", std::int64_t{2}}});
  REQUIRE(trial.augment.size() == 1);
  CHECK(trial.augment[0].options.at("alpha").as_double() == 0.7);
  CHECK(trial.augment[0].options.at("layer").as_int() == 2);
  CHECK_THROWS_WITH(experiment::with_params(e, Table{{"augment.synonym.probability", 0.1}}),
                    doctest::Contains("no [[augment.plugins]] entry has plugin = \"synonym\""));
  // Two hidden-state augmentations in one experiment are refused.
  trial.augment.push_back(trial.augment[0]);
  CHECK_THROWS_WITH(train::make_hidden_state_mixers(test::builtin_plugins(), trial),
                    doctest::Contains("at most one hidden-state augmentation"));
}
