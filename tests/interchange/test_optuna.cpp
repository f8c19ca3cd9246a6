// `bertlab export optuna` and `bertlab import optuna` checked with the real
// `optuna` package (5.0.0, in .venv): what Optuna reads from an exported
// study, and a study made by Optuna going through import and export.
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "experiment/experiment.hpp"
#include "run_python.hpp"
#include "search/warm_start.hpp"
#include "store/store.hpp"
#include "support.hpp"

// After LibTorch (through the SDK's head.hpp): c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab;
using nlohmann::json;
using test::run_bertlab;
using test::run_python;

namespace {

constexpr const char* kSpace =
    "[search.space]\n"
    "\"train.learning_rate\" = { type = \"log_uniform\", low = 1e-5, high = 1e-4 }\n"
    "\"train.warmup_ratio\" = { type = \"uniform\", low = 0.0, high = 0.2 }\n"
    "\"train.batch_size\" = { type = \"int\", low = 8, high = 32, step = 8 }\n"
    "\"train.precision\" = { type = \"choice\", values = [\"fp32\", \"bf16\"] }\n";

// An SST-2-like study whose trials cover every state, a queued trial, a
// param outside the space, and the details Optuna has no column for.
void fill_store(const test::ScratchDir& dir, const std::string& db) {
  const auto file = dir / "sst2.toml";
  std::ofstream(file) << "[study]\nname = \"sst2\"\n[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                      << "[data]\ntrain = \"train.tsv\"\neval = \"dev.tsv\"\n[search]\ntrials = 8\n" << kSpace;
  const auto e = experiment::load(file);
  auto store = store::open_store(db);
  auto study = store->get_or_create_study("sst2", e.text, "eval_accuracy", Direction::maximize, file.string());
  store->set_study_attribute(study.id, "dataset", "SST-2");
  auto add = [&](json params) {
    return store->create_trial(study.id, [&](const auto&, const auto&) {
      store::TrialInit init;
      init.params = std::move(params);
      init.seed = 42;
      init.plugins = {{"searcher/tpe", "1.0.0"}};
      init.data_fingerprint = "abc123";
      return init;
    });
  };
  auto t0 = add({{"train.learning_rate", 2e-5}, {"train.warmup_ratio", 0.1}, {"train.batch_size", 16},
                 {"train.precision", "fp32"}});
  store->report_intermediate(t0.id, 50, {{"eval_accuracy", 0.75}, {"train_loss", 0.5}});
  store->report_intermediate(t0.id, 100, {{"eval_accuracy", 0.81}, {"train_loss", 0.4}});
  store->set_attribute(t0.id, "tokens_per_second", 512.5);
  store->add_artifact(t0.id, "model", "/models/sst2/0");
  store->finish_trial(t0.id, TrialState::complete, 0.81, "");
  auto t1 = add({{"train.learning_rate", 5e-5}, {"train.warmup_ratio", 0.0}, {"train.batch_size", 32},
                 {"train.precision", "bf16"}});
  store->report_intermediate(t1.id, 50, {{"eval_accuracy", 0.86}});
  store->finish_trial(t1.id, TrialState::complete, 0.86, "");
  auto t2 = add({{"train.learning_rate", 9e-5}, {"train.warmup_ratio", 0.2}, {"train.batch_size", 8},
                 {"train.precision", "fp32"}});
  store->report_intermediate(t2.id, 50, {{"eval_accuracy", 0.5}});
  store->finish_trial(t2.id, TrialState::pruned, 0.5, "pruned at step 50");
  auto t3 = add({{"train.learning_rate", 1e-5}, {"train.weight_decay", 0.01}});
  store->finish_trial(t3.id, TrialState::failed, std::nullopt, "loss is NaN at step 12");
  add({{"train.learning_rate", 3e-5}});  // still running
  store->enqueue_trial(study.id, {{"train.learning_rate", 4e-5}}, "enqueue");
}

// The study as Optuna sees it, as JSON.
constexpr const char* kDescribe = R"py(
import json, math, sys
import optuna
from optuna.distributions import distribution_to_json
optuna.logging.set_verbosity(optuna.logging.WARNING)

def number(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

def describe(storage, name):
    study = optuna.load_study(study_name=name, storage=storage)
    trials = []
    for t in study.get_trials(deepcopy=False):
        trials.append({
            "number": t.number, "state": t.state.name, "params": t.params,
            "distributions": {k: json.loads(distribution_to_json(d)) for k, d in t.distributions.items()},
            "value": number(t.value), "intermediate": {str(k): number(v) for k, v in t.intermediate_values.items()},
            "user_attrs": t.user_attrs, "system_attrs": t.system_attrs,
            "start": t.datetime_start.isoformat() if t.datetime_start else None,
            "complete": t.datetime_complete.isoformat() if t.datetime_complete else None})
    best = study.best_trial
    return {"direction": study.direction.name, "user_attrs": study.user_attrs, "trials": trials,
            "best": {"number": best.number, "value": best.value, "params": best.params}}

print(json.dumps(describe(sys.argv[1], sys.argv[2])))
)py";

json trial_named(const json& study, int number) {
  for (const auto& trial : study["trials"])
    if (trial["number"] == number) return trial;
  FAIL("no trial ", number);
  return {};
}

}  // namespace

TEST_CASE("optuna export: optuna.load_study reads our trials, params, distributions, values and intermediate values") {
  test::ScratchDir dir;
  const std::string db = (dir / "bertlab.db").string();
  const std::string optuna_db = (dir / "optuna.db").string();
  fill_store(dir, db);

  auto exported = run_bertlab({"export", "optuna", "--store", db, "--study", "sst2", "--to", optuna_db, "--json"});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  const auto summary = json::parse(exported.out);
  CHECK(summary["trials"] == 6);
  CHECK(summary["inferred_params"] == json::array({"train.weight_decay"}));
  CHECK(exported.err.find("train.weight_decay") != std::string::npos);

  const auto study = run_python(kDescribe, {"sqlite:///" + optuna_db, "sst2"});
  CHECK(study["direction"] == "MAXIMIZE");
  CHECK(study["best"]["number"] == 1);
  CHECK(study["best"]["value"] == 0.86);
  CHECK(study["best"]["params"]["train.batch_size"] == 32);
  CHECK(study["best"]["params"]["train.precision"] == "bf16");
  CHECK(study["user_attrs"]["dataset"] == "SST-2");
  CHECK(study["user_attrs"]["bertlab.metric"] == "eval_accuracy");
  CHECK(study["trials"].size() == 6);

  const auto t0 = trial_named(study, 0);
  CHECK(t0["state"] == "COMPLETE");
  CHECK(t0["value"] == 0.81);
  CHECK(t0["params"]["train.learning_rate"] == 2e-5);
  CHECK(t0["params"]["train.warmup_ratio"] == 0.1);
  CHECK(t0["distributions"]["train.learning_rate"] ==
        json::parse(R"({"name": "FloatDistribution", "attributes": {"step": null, "low": 1e-05, "high": 0.0001, "log": true}})"));
  CHECK(t0["distributions"]["train.batch_size"] ==
        json::parse(R"({"name": "IntDistribution", "attributes": {"log": false, "step": 8, "low": 8, "high": 32}})"));
  CHECK(t0["distributions"]["train.precision"] ==
        json::parse(R"({"name": "CategoricalDistribution", "attributes": {"choices": ["fp32", "bf16"]}})"));
  CHECK(t0["intermediate"] == json{{"50", 0.75}, {"100", 0.81}});
  CHECK(t0["user_attrs"]["tokens_per_second"] == 512.5);
  CHECK(t0["user_attrs"]["bertlab.seed"] == 42);
  CHECK(t0["user_attrs"]["bertlab.intermediate_values"]["train_loss"]["100"] == 0.4);
  CHECK(t0["user_attrs"]["bertlab.artifacts"][0]["path"] == "/models/sst2/0");
  CHECK(t0["start"].is_string());
  CHECK(t0["complete"].is_string());

  const auto t2 = trial_named(study, 2);
  CHECK(t2["state"] == "PRUNED");
  CHECK(t2["value"] == 0.5);
  CHECK(t2["user_attrs"]["bertlab.error"] == "pruned at step 50");
  const auto t3 = trial_named(study, 3);
  CHECK(t3["state"] == "FAIL");
  CHECK(t3["value"].is_null());
  CHECK(t3["user_attrs"]["bertlab.error"] == "loss is NaN at step 12");
  CHECK(t3["distributions"]["train.weight_decay"]["name"] == "CategoricalDistribution");
  CHECK(trial_named(study, 4)["state"] == "RUNNING");
  const auto waiting = trial_named(study, 5);
  CHECK(waiting["state"] == "WAITING");
  CHECK(waiting["system_attrs"]["fixed_params"] == json{{"train.learning_rate", 4e-5}});

  // optuna-dashboard's server (its WSGI app, called directly) lists and shows the study.
  const auto dashboard = run_python(R"py(
import io, json, sys
from optuna_dashboard import wsgi
app = wsgi(sys.argv[1])
def get(path):
    status = {}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(), "wsgi.url_scheme": "http"}
    body = b"".join(app(environ, lambda s, headers, exc_info=None: status.update(code=s)))
    return {"status": status["code"], "body": json.loads(body)}
print(json.dumps({"studies": get("/api/studies"), "study": get("/api/studies/1"),
                  "importances": get("/api/studies/1/param_importances")}))
)py",
                                    {"sqlite:///" + optuna_db});
  CHECK(dashboard["studies"]["status"] == "200 OK");
  CHECK(dashboard["studies"]["body"]["study_summaries"][0]["study_name"] == "sst2");
  CHECK(dashboard["study"]["status"] == "200 OK");
  CHECK(dashboard["study"]["body"]["trials"].size() == 6);
  CHECK(dashboard["study"]["body"]["best_trials"][0]["number"] == 1);
  CHECK(dashboard["importances"]["status"] == "200 OK");

  // A second export to the same name is refused and leaves the file as it was.
  auto again = run_bertlab({"export", "optuna", "--store", db, "--study", "sst2", "--to", optuna_db});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("exists already") != std::string::npos);
  CHECK(run_python(kDescribe, {"sqlite:///" + optuna_db, "sst2"})["trials"].size() == 6);
  auto missing = run_bertlab({"export", "optuna", "--store", db, "--study", "nope", "--to", optuna_db});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no study 'nope'") != std::string::npos);
}

TEST_CASE("optuna import: a study made by Optuna round-trips through import and export") {
  test::ScratchDir dir;
  const std::string source = (dir / "made-by-optuna.db").string();
  const std::string db = (dir / "bertlab.db").string();
  const std::string back = (dir / "exported-again.db").string();
  run_python(R"py(
import sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(study_name="lr-search", storage="sqlite:///" + sys.argv[1], direction="minimize")
study.set_user_attr("owner", {"team": "nlp", "budget": 3})
def objective(trial):
    lr = trial.suggest_float("train.learning_rate", 1e-5, 1e-3, log=True)
    wd = trial.suggest_float("train.weight_decay", 0.0, 0.1, step=0.01)
    layers = trial.suggest_int("layers", 1, 12)
    pooling = trial.suggest_categorical("pooling", ["cls", "mean", 3])
    trial.set_user_attr("note", "trial %d" % trial.number)
    for step in range(3):
        trial.report(lr * 100 + layers + step, step)
    if trial.number == 2:
        raise optuna.TrialPruned()
    if trial.number == 3:
        raise ValueError("diverged")
    return lr * 1000 + wd + layers + (0 if pooling == "cls" else 1)
study.optimize(objective, n_trials=6, catch=(ValueError,))
study.enqueue_trial({"train.learning_rate": 2e-4, "train.weight_decay": 0.05, "layers": 4, "pooling": "mean"})
print("{}")
)py",
             {source});

  auto imported = run_bertlab({"import", "optuna", "--from", source, "--study", "lr-search", "--store", db,
                               "--metric", "eval_loss", "--json"});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  const auto summary = json::parse(imported.out);
  CHECK(summary["trials"] == 6);
  CHECK(summary["queued"] == 1);
  CHECK(summary["metric"] == "eval_loss");

  {
    auto store = store::open_store(db);
    const auto study = store->find_study("lr-search");
    REQUIRE(study);
    CHECK(study->direction == Direction::minimize);
    CHECK(study->attributes["owner"]["team"] == "nlp");
    CHECK(study->attributes["bertlab.imported_from"]["study"] == "lr-search");
    const auto trials = store->trials(study->id);
    REQUIRE(trials.size() == 6);
    CHECK(trials[2].state == TrialState::pruned);
    CHECK(trials[3].state == TrialState::failed);
    CHECK(trials[0].params["layers"].is_number_integer());
    CHECK(trials[0].intermediate_values.size() == 3);
    CHECK(trials[0].intermediate_values[0].name == "eval_loss");
    CHECK(store->queued_trials(study->id).size() == 1);

    // Its finished trials warm-start a bertlab study over the same parameters.
    const auto file = dir / "warm.toml";
    std::ofstream(file) << "[study]\nname = \"warm\"\n[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                        << "[data]\ntrain = \"train.tsv\"\neval = \"dev.tsv\"\n[search]\ntrials = 4\n"
                        << "metric = \"eval_loss\"\ndirection = \"minimize\"\nwarm_start = [\"lr-search\"]\n" << kSpace;
    const auto e = experiment::load(file);
    const auto warm = store->get_or_create_study("warm", e.text, "eval_loss", Direction::minimize);
    const auto history = search::warm_start_history(*store, e, warm, {});
    CHECK(history.size() == 4);  // the COMPLETE ones
  }

  auto exported = run_bertlab({"export", "optuna", "--store", db, "--study", "lr-search", "--to", back});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  const auto original = run_python(kDescribe, {"sqlite:///" + source, "lr-search"});
  const auto again = run_python(kDescribe, {"sqlite:///" + back, "lr-search"});
  CHECK(again["direction"] == original["direction"]);
  CHECK(again["best"] == original["best"]);
  auto without_ours = [](json attributes) {
    for (auto it = attributes.begin(); it != attributes.end();)
      it = it.key().rfind("bertlab.", 0) == 0 ? attributes.erase(it) : std::next(it);
    return attributes;
  };
  CHECK(without_ours(again["user_attrs"]) == original["user_attrs"]);
  REQUIRE(again["trials"].size() == original["trials"].size());
  for (std::size_t i = 0; i < original["trials"].size(); ++i) {
    const auto& a = original["trials"][i];
    const auto& b = again["trials"][i];
    INFO("trial ", i);
    CHECK(b["number"] == a["number"]);
    CHECK(b["state"] == a["state"]);
    CHECK(b["params"] == a["params"]);
    CHECK(b["distributions"] == a["distributions"]);
    CHECK(b["value"] == a["value"]);
    CHECK(b["intermediate"] == a["intermediate"]);
    CHECK(without_ours(b["user_attrs"]) == a["user_attrs"]);
    // The store keeps milliseconds.
    if (a["start"].is_string()) CHECK(b["start"].get<std::string>().substr(0, 23) == a["start"].get<std::string>().substr(0, 23));
  }
  CHECK(again["trials"][6]["system_attrs"]["fixed_params"] == original["trials"][6]["system_attrs"]["fixed_params"]);
}

TEST_CASE("optuna import: another schema version, a missing study, two objectives and a taken name are refused") {
  test::ScratchDir dir;
  const std::string source = (dir / "o.db").string();
  const std::string db = (dir / "bertlab.db").string();
  run_python(R"py(
import sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.create_study(study_name="one", storage="sqlite:///" + sys.argv[1])
s.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
m = optuna.create_study(study_name="two", storage="sqlite:///" + sys.argv[1], directions=["minimize", "maximize"])
m.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=1)
print("{}")
)py",
             {source});

  auto missing = run_bertlab({"import", "optuna", "--from", source, "--study", "three", "--store", db});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no Optuna study 'three' (the file has: one, two)") != std::string::npos);
  auto multi = run_bertlab({"import", "optuna", "--from", source, "--study", "two", "--store", db});
  CHECK(multi.exit_code == 1);
  CHECK(multi.err.find("2 objectives") != std::string::npos);
  auto nofile = run_bertlab({"import", "optuna", "--from", (dir / "none.db").string(), "--study", "one", "--store", db});
  CHECK(nofile.exit_code == 1);
  CHECK(nofile.err.find("no such Optuna storage file") != std::string::npos);
  auto server = run_bertlab({"import", "optuna", "--from", "postgresql://u@h/db", "--study", "one", "--store", db});
  CHECK(server.exit_code == 1);
  CHECK(server.err.find("only Optuna storages in SQLite files") != std::string::npos);

  REQUIRE(run_bertlab({"import", "optuna", "--from", source, "--study", "one", "--store", db}).exit_code == 0);
  auto taken = run_bertlab({"import", "optuna", "--from", source, "--study", "one", "--store", db});
  CHECK(taken.exit_code == 1);
  CHECK(taken.err.find("exists already") != std::string::npos);
  CHECK(run_bertlab({"import", "optuna", "--from", source, "--study", "one", "--store", db, "--as", "one-again"})
            .exit_code == 0);

  run_python(R"py(
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.execute("UPDATE version_info SET schema_version = 11")
print("{}")
)py",
             {source});
  auto old = run_bertlab({"import", "optuna", "--from", source, "--study", "one", "--store", db, "--as", "x"});
  CHECK(old.exit_code == 1);
  CHECK(old.err.find("schema version 11") != std::string::npos);
  CHECK(old.err.find("version 12") != std::string::npos);
  CHECK(old.err.find("optuna storage upgrade") != std::string::npos);
}
