// Warm start from history: which earlier studies' trials a new study's
// searcher receives, and how.
#include <fstream>

#include "data/data_signature.hpp"
#include "experiment/experiment.hpp"
#include "search/warm_start.hpp"
#include "store/store.hpp"
#include "support.hpp"

// After LibTorch (through the SDK's head.hpp): c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab;

namespace {

// An experiment over MiniLM searching the learning rate (and `extra` keys).
experiment::Experiment write_experiment(const test::ScratchDir& dir, const std::string& name, const std::string& head,
                                        const std::string& search_extra = "") {
  const auto file = dir / (name + ".toml");
  std::ofstream(file) << "[study]\nname = \"" << name << "\"\n[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                      << "[data]\ntrain = \"train.tsv\"\neval = \"dev.tsv\"\n[head]\nplugin = \"" << head << "\"\n"
                      << "[search]\ntrials = 4\n" << search_extra
                      << "[search.space]\n\"train.learning_rate\" = { type = \"log_uniform\", low = 1e-5, high = 1e-4 }\n"
                      << "\"train.warmup_ratio\" = { type = \"uniform\", low = 0.0, high = 0.2 }\n";
  return experiment::load(file);
}

std::vector<Example> texts(std::initializer_list<const char*> sentences) {
  std::vector<Example> examples;
  for (const char* s : sentences) {
    Example example;
    example.text = s;
    examples.push_back(std::move(example));
  }
  return examples;
}

// A study with finished trials (one FAILED, one with a parameter this space lacks) and a data signature.
store::StudyRecord record_study(store::Store& store, const experiment::Experiment& e,
                                const std::vector<std::uint64_t>& signature, double base = 0.8,
                                const std::string& metric = "accuracy") {
  auto study = store.get_or_create_study(e.study_name, e.text, metric, Direction::maximize, e.file.string());
  auto add = [&](nlohmann::json params, std::optional<double> value) {
    auto trial = store.create_trial(study.id, [&](const auto&, const auto&) {
      store::TrialInit init;
      init.params = params;
      return init;
    });
    store.set_attribute(trial.id, "data_signature", signature);
    store.finish_trial(trial.id, value ? TrialState::complete : TrialState::failed, value, value ? "" : "boom");
  };
  add({{"train.learning_rate", 2e-5}, {"train.warmup_ratio", 0.1}}, base);
  add({{"train.learning_rate", 5e-5}, {"train.batch_size", 16}}, base + 0.1);
  add({{"train.learning_rate", 9e-5}, {"train.warmup_ratio", 0.0}}, std::nullopt);
  add({{"train.batch_size", 32}}, 0.7);  // nothing in common with the new space
  return study;
}

}  // namespace

TEST_CASE("warm start: named studies hand over their finished trials, restricted to this space") {
  test::ScratchDir dir;
  auto store = store::open_store((dir / "h.db").string());
  const auto signature = data::data_signature(texts({"a fine movie", "a dull film"}));
  record_study(*store, write_experiment(dir, "old", "sequence-classification"), signature);
  auto e = write_experiment(dir, "new", "sequence-classification", "warm_start = [\"old\"]\n");
  const auto study = store->get_or_create_study("new", e.text, "accuracy", Direction::maximize);

  const auto history = search::warm_start_history(*store, e, study, signature);
  REQUIRE(history.size() == 2);
  CHECK(history[0].value == 0.8);
  CHECK(history[0].params.size() == 2);
  CHECK(history[1].value == 0.9);
  CHECK(history[1].params.size() == 1);  // batch_size is not searched here
  CHECK(history[1].params.at("train.learning_rate").as_double() == 5e-5);
  for (const auto& trial : history) CHECK(trial.state == TrialState::complete);

  e.search.warm_start = {"missing"};
  CHECK_THROWS_WITH(search::warm_start_history(*store, e, study, signature),
                    doctest::Contains("key 'search.warm_start': no study 'missing'"));
  auto loss = write_experiment(dir, "loss", "sequence-classification");
  record_study(*store, loss, signature, 0.5, "loss");
  e.search.warm_start = {"loss"};
  CHECK_THROWS_WITH(search::warm_start_history(*store, e, study, signature),
                    doctest::Contains("study 'loss' optimises loss (maximize), this one accuracy (maximize)"));
}

TEST_CASE("warm start: \"similar\" picks the study with the same model and head and the most alike data") {
  test::ScratchDir dir;
  auto store = store::open_store((dir / "h.db").string());
  const auto reviews = texts({"a fine movie with a great cast", "a dull film , too long", "the plot is thin"});
  const auto similar_reviews = texts({"a fine movie with a weak cast", "a dull film , too long", "the plot works"});
  const auto news = texts({"stocks fell on monday", "the central bank raised rates", "oil prices climbed"});
  record_study(*store, write_experiment(dir, "news", "sequence-classification"), data::data_signature(news), 0.5);
  record_study(*store, write_experiment(dir, "reviews", "sequence-classification"),
               data::data_signature(similar_reviews), 0.7);
  record_study(*store, write_experiment(dir, "tagging", "token-classification"), data::data_signature(reviews), 0.3);
  CHECK(data::signature_similarity(data::data_signature(reviews), data::data_signature(reviews)) == 1.0);
  CHECK(data::signature_similarity(data::data_signature(reviews), data::data_signature(similar_reviews)) >
        data::signature_similarity(data::data_signature(reviews), data::data_signature(news)));

  auto e = write_experiment(dir, "new", "sequence-classification", "warm_start = \"similar\"\n");
  CHECK(e.search.warm_start_similar);
  const auto study = store->get_or_create_study("new", e.text, "accuracy", Direction::maximize);
  const auto history = search::warm_start_history(*store, e, study, data::data_signature(reviews));
  // The "reviews" study's two usable trials; the tagging study has the same data but another head.
  REQUIRE(history.size() == 2);
  CHECK(history[0].value == 0.7);
  CHECK(history[1].value == doctest::Approx(0.8));

  CHECK_THROWS_WITH(write_experiment(dir, "bad", "sequence-classification", "warm_start = 3\n"),
                    doctest::Contains("key 'search.warm_start': expected \"similar\" or an array of study names"));
}
