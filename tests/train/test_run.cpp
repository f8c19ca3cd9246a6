// `bertlab run` end to end on SST-2 with all-MiniLM-L6-v2: a real fine-tune,
// a short random search recorded in the store, reproducibility, and errors.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "run_python.hpp"
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
    CHECK(trial["intermediate_values"].size() == 2 * 7);  // steps 2 and 4: loss, epoch, elapsed, 4 metrics
    CHECK(trial["artifacts"].size() == 1);
    const auto& attributes = trial["attributes"];
    CHECK(attributes["steps"] == 4);
    CHECK(attributes["tokens_per_second"].get<double>() > 0);
    CHECK(attributes["precision"] == "fp32");
    // Resident memory of the process when the trial ended: a model's worth, not a few bytes.
    CHECK(attributes["rss_mib"].get<double>() > 100);
    CHECK(attributes["peak_rss_mib"].get<double>() >= attributes["rss_mib"].get<double>());
  }
  CHECK(trials[0]["params"] != trials[1]["params"]);
}

TEST_CASE("run: --workers 2 share one study, and enqueue queues params that --resume runs first") {
  bertlab::test::ScratchDir dir;
  auto db = (dir / "h.db").string();
  auto experiment = write_experiment(dir,
                                     "max_steps = 2\neval_every = 2\n"
                                     "[search]\ntrials = 2\n"
                                     "[search.space]\n\"train.learning_rate\" = { type = \"log_uniform\", low = 1e-5, "
                                     "high = 1e-4 }\n");
  const std::vector<std::string> small{"--set", "data.train_limit=64", "--set", "data.eval_limit=32"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), small.begin(), small.end());
    return run_bertlab(args);
  };
  auto result = with({"run", experiment.string(), "--store", db, "--workers", "2", "--json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(last_json_line(result.out)["trials"] == 2);
  CHECK(result.err.find("bertlab[w1]: trial") != std::string::npos);
  CHECK(result.err.find("bertlab[w2]: trial") != std::string::npos);

  auto again = with({"run", experiment.string(), "--store", db});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("study 'sst2' already exists") != std::string::npos);

  auto outside = run_bertlab({"enqueue", "sst2", "--set", "train.batch_size=8", "--store", db});
  CHECK(outside.exit_code == 2);
  CHECK(outside.err.find("'train.batch_size' is not a parameter of the study's search space") != std::string::npos);
  auto queued = run_bertlab({"enqueue", "sst2", "--set", "train.learning_rate=3e-5", "--store", db});
  INFO(queued.err);
  REQUIRE(queued.exit_code == 0);

  auto resumed = with({"run", experiment.string(), "--store", db, "--resume", "--set", "search.trials=3", "--json"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(last_json_line(resumed.out)["trials"] == 1);
  auto trials = json::parse(run_bertlab({"trials", "sst2", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 3);
  for (const auto& trial : trials) CHECK(trial["state"] == "COMPLETE");
  CHECK(trials[2]["params"]["train.learning_rate"] == 3e-5);
  CHECK(trials[2]["attributes"]["queued"] == "enqueue");
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

TEST_CASE("run: a NaN loss fails its trial with the reason, and the next trial still runs") {
  bertlab::test::ScratchDir dir;
  auto db = (dir / "h.db").string();
  // The fixture head is the real classifier whose loss turns NaN at its third step when nan_loss = true.
  auto experiment = write_experiment(dir,
                                     "max_steps = 4\n"
                                     "[study]\nplugin_paths = [\"" BERTLAB_FIXTURE_HEAD_DIR "\"]\n"
                                     "[head]\nplugin = \"fixture-nan-loss\"\n"
                                     "[search]\nsearcher = { plugin = \"grid\" }\ntrials = 2\n"
                                     "[search.space]\n\"head.options.nan_loss\" = { type = \"choice\", values = [true, "
                                     "false] }\n");
  auto result = run_bertlab({"run", experiment.string(), "--store", db, "--set", "data.eval_limit=32", "--json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(last_json_line(result.out)["trials"] == 2);
  auto trials = json::parse(run_bertlab({"trials", "sst2", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 2);
  CHECK(trials[0]["params"]["head.options.nan_loss"] == true);
  CHECK(trials[0]["state"] == "FAILED");
  CHECK(trials[0]["error"] == "loss is nan at step 2");
  CHECK(trials[0]["artifacts"].empty());
  CHECK(trials[1]["params"]["head.options.nan_loss"] == false);
  CHECK(trials[1]["state"] == "COMPLETE");
  CHECK(result.err.find("trial 0 FAILED") != std::string::npos);
}

TEST_CASE("run: SIGINT fails the running trial as interrupted, keeps the store consistent and exits 130") {
  bertlab::test::ScratchDir dir;
  auto db = (dir / "h.db").string();
  auto experiment = write_experiment(dir, "max_steps = 100000\n[search]\ntrials = 3\n");
  // Waits for the first training step, then interrupts, as Ctrl-C would.
  const std::string script =
      bertlab::test::shell_quote(BERTLAB_EXE) + " run " + bertlab::test::shell_quote(experiment.string()) +
      " --store " + bertlab::test::shell_quote(db) + " --set data.eval_limit=32 2>" +
      bertlab::test::shell_quote((dir / "err").string()) + " >/dev/null & pid=$!\n" +
      "for i in $(seq 600); do grep -q 'step 1/' " + bertlab::test::shell_quote((dir / "err").string()) +
      " && break; sleep 0.1; done\nkill -INT $pid\nwait $pid\necho $? >" +
      bertlab::test::shell_quote((dir / "rc").string()) + "\n";
  std::ofstream(dir / "interrupt.sh") << script;
  REQUIRE(std::system(("bash " + bertlab::test::shell_quote((dir / "interrupt.sh").string())).c_str()) == 0);
  INFO(bertlab::test::read_file(dir / "err"));
  CHECK(bertlab::test::read_file(dir / "rc") == "130\n");
  auto trials = json::parse(run_bertlab({"trials", "sst2", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 1);  // the study stopped: no second trial started
  CHECK(trials[0]["state"] == "FAILED");
  CHECK(trials[0]["error"] == "interrupted");
  CHECK_FALSE(trials[0]["finished_at"].is_null());
  auto integrity = run_bertlab({"query", "PRAGMA integrity_check", "--store", db, "--json"});
  CHECK(integrity.out.find("\"ok\"") != std::string::npos);
}

TEST_CASE("predict: a trial's model on 10 dev rows gives the metric the trial recorded, and transformers agrees") {
  bertlab::test::ScratchDir dir;
  auto db = (dir / "h.db").string();
  {
    std::ifstream dev(std::string(BERTLAB_SHARED_DATA) + "/sst2/dev.tsv");
    std::ofstream rows(dir / "dev10.tsv");
    std::string line;
    for (int i = 0; i < 11 && std::getline(dev, line); ++i) rows << line << '\n';
  }
  auto experiment = write_experiment(dir, "max_steps = 30\neval_every = 10\nprecision = \"fp32\"\n");
  auto run = run_bertlab({"run", experiment.string(), "--store", db, "--set",
                          "data.eval=" + json((dir / "dev10.tsv").string()).dump(), "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const double recorded = last_json_line(run.out)["best"]["value"].get<double>();

  auto predicted = run_bertlab({"predict", "--store", db, "--trial", "sst2/0", "--input", (dir / "dev10.tsv").string(),
                                "--output", (dir / "predictions.jsonl").string()});
  INFO(predicted.err);
  REQUIRE(predicted.exit_code == 0);
  std::ifstream lines(dir / "predictions.jsonl");
  std::ifstream dev(dir / "dev10.tsv");
  std::string line, row;
  std::getline(dev, row);  // header
  int count = 0, correct = 0;
  json probabilities = json::array();
  while (std::getline(lines, line)) {
    auto prediction = json::parse(line);
    REQUIRE(std::getline(dev, row));
    const auto gold = row.substr(row.rfind('\t') + 1);
    correct += prediction["label"] == gold ? 1 : 0;
    CHECK(prediction["probabilities"].size() == 2);
    probabilities.push_back({prediction["probabilities"]["0"], prediction["probabilities"]["1"]});
    ++count;
  }
  CHECK(count == 10);
  CHECK(correct / 10.0 == doctest::Approx(recorded));

  // The same model in transformers: the same probabilities.
  std::ofstream(dir / "expected.json") << probabilities.dump();
  auto compared = bertlab::test::run_python(R"(
import csv, json, os, sys, torch
os.environ["HF_HUB_OFFLINE"] = "1"
from transformers import AutoModelForSequenceClassification, AutoTokenizer
model_dir, rows_file, expected_file = sys.argv[1:4]
model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
tokenizer = AutoTokenizer.from_pretrained(model_dir)
rows = list(csv.DictReader(open(rows_file), delimiter="\t", quoting=csv.QUOTE_NONE))
batch = tokenizer([r["sentence"] for r in rows], padding=True, truncation=True, max_length=64, return_tensors="pt")
with torch.no_grad():
    probabilities = torch.softmax(model(**batch).logits, -1)
expected = torch.tensor(json.load(open(expected_file)))
print(json.dumps({"max_diff": (probabilities - expected).abs().max().item(), "labels": model.config.id2label}))
)",
                                            {(dir / "models/sst2/0").string(), (dir / "dev10.tsv").string(),
                                             (dir / "expected.json").string()});
  CHECK(compared["max_diff"].get<double>() < 1e-4);
  CHECK(compared["labels"]["1"] == "1");
}
