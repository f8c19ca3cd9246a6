// `bertlab run` end to end on SST-2 with all-MiniLM-L6-v2: a real fine-tune,
// a short random search recorded in the store, reproducibility, and errors.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support.hpp"

using bertlab::test::run_bertlab;
using nlohmann::json;

namespace {

// A study over the first rows of SST-2; `extra` appends sections or keys.
std::filesystem::path write_experiment(const bertlab::test::ScratchDir& dir, const std::string& extra = "") {
  const std::string data = BERTLAB_SHARED_DATA;
  std::ofstream(dir / "sst2.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                                   << "[tokenizer]\nmax_length = 64\n"
                                   << "[data]\ntrain = \"" << data << "/sst2/train.tsv\"\n"
                                   << "eval = \"" << data << "/sst2/dev.tsv\"\n"
                                   << "train_limit = 2000\n"
                                   << "[train]\nepochs = 1\nbatch_size = 16\nlearning_rate = 5e-5\nseed = 7\n"
                                   << extra;
  return dir / "sst2.toml";
}

json last_json_line(const std::string& out) {
  auto end = out.find_last_not_of('\n');
  auto start = out.rfind('\n', end);
  return json::parse(out.substr(start == std::string::npos ? 0 : start + 1));
}

}  // namespace

TEST_CASE("run: fine-tuning on 2,000 SST-2 examples for one epoch reaches 75% dev accuracy") {
  bertlab::test::ScratchDir dir;
  auto db = (dir / "h.db").string();
  auto result = run_bertlab({"run", write_experiment(dir).string(), "--store", db, "--json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto summary = last_json_line(result.out);
  CHECK(summary["study"] == "sst2");
  CHECK(summary["trials"] == 1);
  CHECK(summary["best"]["value"].get<double>() >= 0.75);
  CHECK(std::filesystem::exists(summary["best"]["model"].get<std::string>() + "/model.safetensors"));
}

TEST_CASE("run: a random search of 3 short trials records 3 COMPLETE trials with intermediate values") {
  bertlab::test::ScratchDir dir;
  auto db = (dir / "h.db").string();
  auto experiment = write_experiment(dir,
                                     "max_steps = 4\neval_every = 2\n"
                                     "[search]\ntrials = 3\n"
                                     "[search.space]\n\"train.learning_rate\" = { type = \"log_uniform\", low = 1e-5, "
                                     "high = 1e-4 }\n\"train.batch_size\" = { type = \"choice\", values = [8, 16] }\n");
  auto result = run_bertlab({"run", experiment.string(), "--store", db, "--set", "data.eval_limit=64", "--json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto trials = json::parse(run_bertlab({"trials", "sst2", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 3);
  for (const auto& trial : trials) {
    CHECK(trial["state"] == "COMPLETE");
    CHECK(trial["params"].contains("train.learning_rate"));
    CHECK(trial["intermediate_values"].size() >= 2 * 6);  // steps 2 and 4: loss, epoch and 4 metrics
    CHECK(trial["artifacts"].size() == 1);
  }
  CHECK(trials[0]["params"] != trials[1]["params"]);
}

TEST_CASE("run: the same seed gives the same metrics") {
  bertlab::test::ScratchDir dir;
  auto experiment = write_experiment(dir, "max_steps = 6\n");
  std::vector<double> values;
  for (const char* name : {"a.db", "b.db"}) {
    auto result = run_bertlab({"run", experiment.string(), "--store", (dir / name).string(), "--set",
                               "data.eval_limit=128", "--json"});
    REQUIRE(result.exit_code == 0);
    values.push_back(last_json_line(result.out)["best"]["value"].get<double>());
  }
  CHECK(values[0] == values[1]);
}

TEST_CASE("run: a bad key is reported with its name and line, and nothing runs") {
  bertlab::test::ScratchDir dir;
  auto db = dir / "h.db";
  auto result = run_bertlab({"run", write_experiment(dir, "learning_rat = 1e-5\n").string(), "--store", db.string()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("sst2.toml:14: key 'train.learning_rat': unknown key") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(db));

  auto overridden = run_bertlab({"run", write_experiment(dir).string(), "--store", db.string(), "--set", "train.batch_size=0"});
  CHECK(overridden.exit_code == 1);
  CHECK(overridden.err.find("key 'train.batch_size': expected an integer in [1,") != std::string::npos);
}
