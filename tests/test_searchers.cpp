// The built-in grid and random searchers, loaded through the plugin host as
// bertlab loads them.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "bertlab/searcher.hpp"
#include "builtin_plugins.hpp"
#include "plugin/plugin_host.hpp"

using bertlab::Distribution;
using bertlab::SearchSpace;
using bertlab::StudyView;
using bertlab::Table;
using bertlab::TrialView;
using bertlab::test::searcher;

namespace {

Distribution uniform(double low, double high) {
  Distribution d;
  d.kind = Distribution::Kind::uniform;
  d.low = low;
  d.high = high;
  return d;
}
Distribution log_uniform(double low, double high) {
  Distribution d = uniform(low, high);
  d.kind = Distribution::Kind::log_uniform;
  return d;
}
Distribution int_range(double low, double high, double step = 1) {
  Distribution d = uniform(low, high);
  d.kind = Distribution::Kind::int_uniform;
  d.step = step;
  return d;
}
Distribution choice(bertlab::Array choices) {
  Distribution d;
  d.kind = Distribution::Kind::categorical;
  d.choices = std::move(choices);
  return d;
}

SearchSpace bert_space() {
  SearchSpace space;
  space.params.emplace_back("learning_rate", log_uniform(1e-5, 1e-4));
  space.params.emplace_back("warmup_ratio", uniform(0.0, 0.2));
  space.params.emplace_back("batch_size", choice({16, 32, 64}));
  space.params.emplace_back("epochs", int_range(1, 5));
  space.params.emplace_back("scheduler", choice({"linear", "cosine"}));
  Distribution cycles = uniform(0.5, 2.0);
  cycles.parent = "scheduler";
  cycles.parent_values = {"cosine"};
  space.params.emplace_back("cosine_cycles", cycles);
  return space;
}

}  // namespace

TEST_CASE("random searcher: reproducible per seed and trial, inside the space") {
  SearchSpace space = bert_space();
  StudyView study;
  study.seed = 7;
  study.space = &space;
  auto random = searcher("random");

  std::set<std::string> schedulers;
  std::vector<double> learning_rates;
  for (int n = 0; n < 2000; ++n) {
    Table params = *random->ask(study, n);
    CHECK(params == *searcher("random")->ask(study, n));  // a fresh instance, same answer
    double lr = params.at("learning_rate").as_double();
    CHECK(lr >= 1e-5);
    CHECK(lr <= 1e-4);
    learning_rates.push_back(lr);
    double warmup = params.at("warmup_ratio").as_double();
    CHECK((warmup >= 0.0 && warmup <= 0.2));
    auto batch = params.at("batch_size").as_int();
    CHECK((batch == 16 || batch == 32 || batch == 64));
    REQUIRE(params.at("epochs").is_int());
    CHECK((params.at("epochs").as_int() >= 1 && params.at("epochs").as_int() <= 5));
    const std::string& scheduler = params.at("scheduler").as_string();
    schedulers.insert(scheduler);
    CHECK(params.contains("cosine_cycles") == (scheduler == "cosine"));
  }
  CHECK(schedulers.size() == 2);
  // Log-uniform: about half the draws fall below the geometric mean of the range.
  auto below = std::count_if(learning_rates.begin(), learning_rates.end(),
                             [](double lr) { return lr < std::sqrt(1e-5 * 1e-4); });
  CHECK(below > 900);
  CHECK(below < 1100);

  StudyView other = study;
  other.seed = 8;
  CHECK(*random->ask(study, 0) != *random->ask(other, 0));
  CHECK(*random->ask(study, 0) != *random->ask(study, 1));
}

TEST_CASE("random searcher: int steps and a bad log range") {
  SearchSpace space;
  space.params.emplace_back("max_length", int_range(64, 256, 64));
  StudyView study;
  study.space = &space;
  auto random = searcher("random");
  std::set<std::int64_t> seen;
  for (int n = 0; n < 200; ++n) seen.insert(random->ask(study, n)->at("max_length").as_int());
  CHECK(seen == std::set<std::int64_t>{64, 128, 192, 256});

  SearchSpace bad;
  bad.params.emplace_back("lr", log_uniform(0.0, 1.0));
  study.space = &bad;
  CHECK_THROWS_WITH_AS(random->ask(study, 0), doctest::Contains("'lr'"), std::invalid_argument);
  CHECK_THROWS_AS(searcher("random", {{"sead", 1}}), bertlab::plugin::PluginError);
}

TEST_CASE("grid searcher: every point once, skipping taken points, then exhausted") {
  SearchSpace space;
  space.params.emplace_back("learning_rate", log_uniform(1e-5, 1e-3));
  space.params.back().second.grid_steps = 3;
  space.params.emplace_back("batch_size", choice({16, 32}));
  StudyView study;
  study.space = &space;
  auto grid = searcher("grid");
  CHECK(grid->capacity(space) == 6);

  std::vector<Table> seen;
  for (int n = 0; n < 6; ++n) {
    auto params = grid->ask(study, n);
    REQUIRE(params.has_value());
    for (const auto& earlier : seen) CHECK(earlier != *params);
    seen.push_back(*params);
    TrialView trial;
    trial.number = n;
    trial.params = *params;
    trial.state = n % 2 ? bertlab::TrialState::failed : bertlab::TrialState::running;
    study.trials.push_back(trial);
  }
  CHECK_FALSE(grid->ask(study, 6).has_value());
  // Order: the last parameter varies fastest; log steps are geometric with exact ends.
  CHECK(seen[0].at("learning_rate").as_double() == 1e-5);
  CHECK(seen[0].at("batch_size").as_int() == 16);
  CHECK(seen[1].at("batch_size").as_int() == 32);
  CHECK(seen[2].at("learning_rate").as_double() == doctest::Approx(1e-4));
  CHECK(seen[5].at("learning_rate").as_double() == 1e-3);
}

TEST_CASE("grid searcher: conditional parameters, int ranges, continuous ranges need steps") {
  SearchSpace space;
  space.params.emplace_back("scheduler", choice({"linear", "cosine"}));
  Distribution cycles = int_range(1, 3);
  cycles.parent = "scheduler";
  cycles.parent_values = {"cosine"};
  space.params.emplace_back("cycles", cycles);
  auto grid = searcher("grid");
  CHECK(grid->capacity(space) == 4);  // linear, cosine x {1, 2, 3}
  StudyView study;
  study.space = &space;
  auto first = *grid->ask(study, 0);
  CHECK(first.at("scheduler").as_string() == "linear");
  CHECK_FALSE(first.contains("cycles"));

  SearchSpace continuous;
  continuous.params.emplace_back("dropout", uniform(0.0, 0.3));
  study.space = &continuous;
  CHECK_THROWS_WITH_AS(grid->ask(study, 0), doctest::Contains("needs `steps`"), std::invalid_argument);
  auto stepped = searcher("grid", {{"steps", 4}});
  CHECK(stepped->capacity(continuous) == 4);
  CHECK(stepped->ask(study, 0)->at("dropout").as_double() == 0.0);
}
