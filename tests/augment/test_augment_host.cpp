// The host's side: example-level augmentations from [[augment.plugins]] with
// their probability, per-original seeding, and augment.<plugin>.<option> keys.
#include <fstream>

#include "augment/augmenter.hpp"
#include "augment_support.hpp"
#include "experiment/experiment.hpp"
#include "support.hpp"

// After LibTorch (through the SDK headers), whose CHECK macro would otherwise replace doctest's.
#include <doctest/doctest.h>

using namespace bertlab;

namespace {

std::vector<experiment::PluginRef> entries(double probability) {
  return {{"eda", {{"alpha_rd", 0.2}, {"num_aug", std::int64_t{2}}, {"probability", probability}}},
          {"synonym", {{"rate", 0.2}}}};
}

std::filesystem::path write_experiment(const test::ScratchDir& dir, const std::string& augment) {
  const std::string data = BERTLAB_SHARED_DATA;
  std::ofstream(dir / "exp.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                                  << "[data]\ntrain = \"" << data << "/sst2/train.tsv\"\n"
                                  << "eval = \"" << data << "/sst2/dev.tsv\"\n"
                                  << augment;
  return dir / "exp.toml";
}

}  // namespace

TEST_CASE("augment host: entries in order, probability 0 adds nothing, an original's augmentations do not depend on the rows before it") {
  const auto& host = test::augmentation_plugins();
  const auto examples = test::movie_sentences();
  auto all = augment::example_augmentations(host, entries(1.0));
  REQUIRE(all.size() == 2);
  CHECK(all[0].plugin == "eda");
  CHECK(all[0].version == "1.0.0");
  const auto added = augment::augment_examples(examples, all, 42);
  CHECK(augment::describe_added(added, all).rfind("eda +16, synonym +", 0) == 0);
  // The last original alone, seeded as the 8th row: the same augmentations as in the full run.
  const auto last = augment::augment_examples(std::span(examples).subspan(7), all, 42, 7);
  std::vector<std::string> from_full, from_last;
  for (const auto& a : added)
    if (a.original == 7) from_full.push_back(a.example.text);
  for (const auto& a : last) from_last.push_back(a.example.text);
  CHECK(!from_last.empty());
  CHECK(from_full == from_last);
  CHECK(augment::augment_examples(examples, all, 43).size() > 0);

  auto none = augment::example_augmentations(host, entries(0.0));
  std::size_t eda_made = 0;
  for (const auto& a : augment::augment_examples(examples, none, 42)) eda_made += a.step == 0;
  CHECK(eda_made == 0);
  // About half the originals with probability 0.5.
  auto half = augment::example_augmentations(host, entries(0.5));
  std::vector<Example> many;
  for (int k = 0; k < 25; ++k)
    for (const auto& e : examples) many.push_back(e);
  std::size_t eda_half = 0;
  for (const auto& a : augment::augment_examples(many, half, 1)) eda_half += a.step == 0;
  CHECK(eda_half / 2 == doctest::Approx(100).epsilon(0.2));

  CHECK_THROWS_WITH(augment::example_augmentations(host, {{"eda", {{"probability", 2.0}}}}),
                    doctest::Contains("augment.eda.probability"));
}

TEST_CASE("experiment: augment.<plugin>.<option> sets the entry's option, from --set and from a search space") {
  test::ScratchDir dir;
  const auto file = write_experiment(dir, "[[augment.plugins]]\nplugin = \"eda\"\noptions = { alpha_rd = 0.1 }\n"
                                          "[[augment.plugins]]\nplugin = \"synonym\"\n"
                                          "[search.space]\n\"augment.eda.alpha_rd\" = { type = \"choice\", values = [0.1, 0.3] }\n"
                                          "\"augment.synonym.probability\" = { type = \"uniform\", low = 0.2, high = 1.0 }\n");
  auto e = experiment::load(file, {"augment.eda.num_aug=8"});
  REQUIRE(e.augment.size() == 2);
  CHECK(e.augment[0].options.at("num_aug") == Value(8));
  CHECK(e.augment[0].options.at("alpha_rd") == Value(0.1));
  auto trial = experiment::with_params(e, {{"augment.eda.alpha_rd", Value(0.3)}, {"augment.synonym.probability", Value(0.5)}});
  CHECK(trial.augment[0].options.at("alpha_rd") == Value(0.3));
  CHECK(trial.augment[1].options.at("probability") == Value(0.5));
  CHECK_THROWS_WITH(experiment::with_params(e, {{"augment.mixup.alpha", Value(0.4)}}),
                    doctest::Contains("'augment.mixup.alpha': no [[augment.plugins]] entry has plugin = \"mixup\""));
  // A search space naming an absent entry fails when the experiment loads.
  const auto bad = write_experiment(dir, "[search.space]\n\"augment.eda.alpha_rd\" = { type = \"choice\", values = [0.1] }\n");
  CHECK_THROWS_WITH(experiment::load(bad), doctest::Contains("augment.eda.alpha_rd"));
}
