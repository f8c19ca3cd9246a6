// The bertlab executable as users and scripts call it, on a small store.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bertlab/plugin.hpp"
#include "postgres_server.hpp"
#include "store/store.hpp"
#include "support.hpp"

using bertlab::TrialState;
using bertlab::test::run_bertlab;
using nlohmann::json;

namespace {

// sst2: trials 0 (0.81), 1 (0.86), 2 pruned, 3 failed, 4 running; ner: one trial.
void fill_store(const std::string& path) {
  auto store = bertlab::store::open_store(path);
  auto sst2 = store->get_or_create_study("sst2", "[train]\nepochs = 1\n", "accuracy", bertlab::Direction::maximize);
  auto add = [&](std::int64_t study_id, double lr) {
    return store->create_trial(study_id, [&](const auto&, const auto&) {
      bertlab::store::TrialInit init;
      init.params = {{"learning_rate", lr}, {"batch_size", 32}};
      init.seed = 42;
      init.plugins = {{"searcher/random", "1.0.0"}};
      return init;
    });
  };
  auto t0 = add(sst2.id, 2e-5);
  store->report_intermediate(t0.id, 100, {{"accuracy", 0.75}, {"train_loss", 0.5}});
  store->report_intermediate(t0.id, 200, {{"accuracy", 0.81}, {"train_loss", 0.4}});
  store->add_artifact(t0.id, "model", "/models/sst2/0");
  store->finish_trial(t0.id, TrialState::complete, 0.81, "");
  auto t1 = add(sst2.id, 5e-5);
  store->set_attribute(t1.id, "tokens_per_second", 5120.5);
  store->finish_trial(t1.id, TrialState::complete, 0.86, "");
  auto t2 = add(sst2.id, 1e-3);
  store->finish_trial(t2.id, TrialState::pruned, 0.5, "pruned at step 100");
  auto t3 = add(sst2.id, 1e-2);
  store->finish_trial(t3.id, TrialState::failed, std::nullopt, "loss is NaN at step 12");
  add(sst2.id, 3e-5);
  auto ner = store->get_or_create_study("conll", "", "f1", bertlab::Direction::maximize);
  auto n0 = add(ner.id, 3e-5);
  store->finish_trial(n0.id, TrialState::complete, 0.9, "");
}

struct Fixture {
  bertlab::test::ScratchDir dir;
  std::string db = (dir / "history.db").string();
  Fixture() { fill_store(db); }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "cli: history lists studies with counts per state and the best value") {
  auto result = run_bertlab({"history", "--store", db, "--json"});
  REQUIRE(result.exit_code == 0);
  json studies = json::parse(result.out);
  REQUIRE(studies.size() == 2);
  json sst2 = studies[0]["study"] == "sst2" ? studies[0] : studies[1];
  CHECK(sst2["trials"] == 5);
  CHECK(sst2["states"]["COMPLETE"] == 2);
  CHECK(sst2["states"]["PRUNED"] == 1);
  CHECK(sst2["states"]["FAILED"] == 1);
  CHECK(sst2["states"]["RUNNING"] == 1);
  CHECK(sst2["best_value"] == 0.86);
  CHECK(sst2["best_trial"] == 1);

  auto table = run_bertlab({"history", "--store", db});
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("sst2") != std::string::npos);
  CHECK(table.out.find("0.86") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "cli: trials as JSON, CSV and the top N") {
  auto result = run_bertlab({"trials", "sst2", "--store", db, "--json"});
  REQUIRE(result.exit_code == 0);
  json trials = json::parse(result.out);
  REQUIRE(trials.size() == 5);
  CHECK(trials[0]["number"] == 0);
  CHECK(trials[0]["params"]["learning_rate"] == 2e-5);
  CHECK(trials[0]["intermediate_values"].size() == 4);
  CHECK(trials[0]["artifacts"][0]["path"] == "/models/sst2/0");
  CHECK(trials[1]["attributes"]["tokens_per_second"] == 5120.5);
  CHECK(trials[3]["state"] == "FAILED");
  CHECK(trials[3]["error"] == "loss is NaN at step 12");
  CHECK(trials[4]["value"].is_null());

  auto top = run_bertlab({"trials", "sst2", "--store", db, "--top", "2", "--json"});
  REQUIRE(top.exit_code == 0);
  json best = json::parse(top.out);
  REQUIRE(best.size() == 2);
  CHECK(best[0]["number"] == 1);
  CHECK(best[1]["number"] == 0);

  auto csv = run_bertlab({"trials", "sst2", "--store", db, "--csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind("number,state,accuracy,duration_s,batch_size,learning_rate,error\n", 0) == 0);
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 6);

  auto missing = run_bertlab({"trials", "nope", "--store", db});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no study named 'nope'") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "cli: show one trial") {
  auto result = run_bertlab({"show", "sst2/0", "--store", db, "--json"});
  REQUIRE(result.exit_code == 0);
  json trial = json::parse(result.out);
  CHECK(trial["study"] == "sst2");
  CHECK(trial["value"] == 0.81);
  auto text = run_bertlab({"show", "sst2/3", "--store", db});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("loss is NaN at step 12") != std::string::npos);
  CHECK(run_bertlab({"show", "sst2/99", "--store", db}).exit_code == 1);
  CHECK(run_bertlab({"show", "sst2", "--store", db}).exit_code == 2);
}

TEST_CASE_FIXTURE(Fixture, "cli: query is read-only") {
  auto count = run_bertlab({"query", "SELECT count(*) AS n FROM trials", "--store", db, "--json"});
  REQUIRE(count.exit_code == 0);
  CHECK(json::parse(count.out)[0]["n"] == 6);

  for (std::string sql : {"DELETE FROM trials", "UPDATE trials SET value = 1", "DROP TABLE trials",
                          "SELECT 1; DELETE FROM trials", "INSERT INTO studies(name) VALUES ('x')"}) {
    CAPTURE(sql);
    auto refused = run_bertlab({"query", sql, "--store", db});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("bertlab: error:") == 0);
  }
  auto after = run_bertlab({"query", "SELECT count(*) AS n FROM trials", "--store", db, "--csv"});
  CHECK(after.out == "n\n6\n");
}

// Everything a store holds about a trial, without the store-wide ids.
json without_ids(std::vector<bertlab::store::TrialRecord> trials) {
  json rows = json::array();
  for (const auto& t : trials) {
    json values = json::array();
    for (const auto& v : t.intermediate_values) values.push_back({v.step, v.name, v.value});
    json artifacts = json::array();
    for (const auto& a : t.artifacts) artifacts.push_back({a.kind, a.path, a.created_at});
    rows.push_back({t.number, bertlab::to_string(t.state), t.params, t.value ? json(*t.value) : json(), t.error,
                    t.started_at, t.finished_at, t.heartbeat_at, t.seed ? json(*t.seed) : json(), t.plugins,
                    t.data_fingerprint, values, t.attributes, artifacts});
  }
  return rows;
}

TEST_CASE_FIXTURE(Fixture, "cli: store copy copies studies with every trial, detail and queued trial") {
  {
    auto store = bertlab::store::open_store(db);
    const auto sst2 = *store->find_study("sst2");
    store->set_study_attribute(sst2.id, "dataset", "SST-2");
    store->enqueue_trial(sst2.id, {{"learning_rate", 4e-5}}, "enqueue");
  }
  const std::string copy = (dir / "copy.db").string();
  auto copied = run_bertlab({"store", "copy", db, copy, "--json"});
  INFO(copied.err);
  REQUIRE(copied.exit_code == 0);
  CHECK(json::parse(copied.out) == json::parse(R"([{"study": "sst2", "trials": 5, "queued": 1},
                                                   {"study": "conll", "trials": 1, "queued": 0}])"));
  auto from = bertlab::store::open_store(db, true);
  auto to = bertlab::store::open_store(copy, true);
  for (const char* name : {"sst2", "conll"}) {
    CAPTURE(name);
    const auto a = *from->find_study(name);
    const auto b = *to->find_study(name);
    CHECK(b.experiment == a.experiment);
    CHECK(b.metric == a.metric);
    CHECK(b.direction == a.direction);
    CHECK(b.attributes == a.attributes);
    CHECK(without_ids(to->trials(b.id)) == without_ids(from->trials(a.id)));
    CHECK(to->queued_trials(b.id).size() == from->queued_trials(a.id).size());
  }
  CHECK(to->find_study("sst2")->attributes["dataset"] == "SST-2");

  // Copying again would duplicate names: refused before anything is written.
  auto again = run_bertlab({"store", "copy", db, copy, "--study", "sst2"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("a study named 'sst2' exists already; nothing was copied") != std::string::npos);
  CHECK(to->trials(to->find_study("sst2")->id).size() == 5);
  auto missing = run_bertlab({"store", "copy", db, (dir / "other.db").string(), "--study", "nope"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no study 'nope'") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "cli: store copy to PostgreSQL and back keeps every trial, and history reads the server") {
  const auto url = bertlab::test::postgres_server().new_database();
  auto to_server = run_bertlab({"store", "copy", db, url});
  INFO(to_server.err);
  REQUIRE(to_server.exit_code == 0);
  const std::string back = (dir / "back.db").string();
  REQUIRE(run_bertlab({"store", "copy", url, back}).exit_code == 0);
  auto from = bertlab::store::open_store(db, true);
  auto server = bertlab::store::open_store(url, true);
  auto returned = bertlab::store::open_store(back, true);
  for (const char* name : {"sst2", "conll"}) {
    CAPTURE(name);
    const auto expected = without_ids(from->trials(from->find_study(name)->id));
    CHECK(without_ids(server->trials(server->find_study(name)->id)) == expected);
    CHECK(without_ids(returned->trials(returned->find_study(name)->id)) == expected);
  }
  auto history = run_bertlab({"history", "--store", url, "--json"});
  REQUIRE(history.exit_code == 0);
  // The same studies, counts and best values; a copied study is created anew (created_at).
  auto without_created = [](json studies) {
    for (auto& study : studies) study.erase("created_at");
    return studies;
  };
  CHECK(without_created(json::parse(history.out)) ==
        without_created(json::parse(run_bertlab({"history", "--store", db, "--json"}).out)));
}

TEST_CASE("cli: errors go to stderr with meaningful exit codes") {
  bertlab::test::ScratchDir dir;
  auto missing = run_bertlab({"history", "--store", (dir / "missing.db").string()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("store not found") != std::string::npos);
  CHECK(missing.out.empty());
  CHECK_FALSE(std::filesystem::exists(dir / "missing.db"));  // reading never creates a store

  CHECK(run_bertlab({"no-such-command"}).exit_code == 2);
  CHECK(run_bertlab({"trials"}).exit_code == 2);
  CHECK(run_bertlab({"plugins", "--kind", "bogus"}).exit_code == 2);
}

TEST_CASE("cli: plugins lists the built-in plugins, bad files are reported and skipped") {
  auto result = run_bertlab({"plugins", "--json"});
  REQUIRE(result.exit_code == 0);
  json plugins = json::parse(result.out);
  auto has = [&](const json& list, const std::string& kind, const std::string& name) {
    return std::any_of(list.begin(), list.end(),
                       [&](const json& p) { return p["kind"] == kind && p["name"] == name; });
  };
  CHECK(has(plugins, "searcher", "grid"));
  CHECK(has(plugins, "searcher", "random"));
  for (const auto& p : plugins) {
    CHECK(p.contains("version"));
    CHECK(p.contains("description"));
    CHECK(p.contains("file"));
  }

  auto with_fixtures = run_bertlab({"plugins", "--json"}, std::string("BERTLAB_PLUGIN_PATH=") + BERTLAB_FIXTURE_DIR);
  REQUIRE(with_fixtures.exit_code == 0);
  json listed = json::parse(with_fixtures.out);
  CHECK(has(listed, "searcher", "grid"));
  CHECK(has(listed, "searcher", "fixture-constant"));
  CHECK_FALSE(has(listed, "searcher", "fixture-future"));
  CHECK(std::count(with_fixtures.err.begin(), with_fixtures.err.end(), '\n') == 4);
  CHECK(with_fixtures.err.find(fmt::format("built for bertlab SDK ABI version {}, this bertlab uses SDK ABI version {}",
                                           bertlab::kSdkAbiVersion + 1, bertlab::kSdkAbiVersion)) != std::string::npos);

  auto searchers = run_bertlab({"plugins", "--kind", "searcher"});
  CHECK(searchers.exit_code == 0);
  CHECK(searchers.out.find("random") != std::string::npos);
}
