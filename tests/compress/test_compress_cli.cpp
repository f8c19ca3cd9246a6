// `bertlab compress` end to end: a short fine-tune of all-MiniLM-L6-v2 on
// SST-2, then int8, head pruning and bf16 compressions of its trial, each
// recorded in the store as a trial of "<study>/compress" that `bertlab
// predict --trial` uses like any other.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support.hpp"

using bertlab::test::run_bertlab;
using nlohmann::json;

namespace {

std::filesystem::path write_experiment(const bertlab::test::ScratchDir& dir) {
  const std::string data = BERTLAB_SHARED_DATA;
  std::ofstream(dir / "sst2.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                                   << "[tokenizer]\nmax_length = 64\n"
                                   << "[data]\ntrain = \"" << data << "/sst2/train.tsv\"\n"
                                   << "eval = \"" << data << "/sst2/dev.tsv\"\n"
                                   << "train_limit = 256\neval_limit = 96\n"
                                   << "[train]\nepochs = 1\nbatch_size = 16\nlearning_rate = 1e-4\nseed = 3\n";
  return dir / "sst2.toml";
}

}  // namespace

TEST_CASE("compress: int8, heads and bf16 of a trial are evaluated, recorded and predicted with") {
  bertlab::test::ScratchDir dir;
  const auto db = (dir / "h.db").string();
  auto run = run_bertlab({"run", write_experiment(dir).string(), "--store", db});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  auto int8 = run_bertlab({"compress", "--store", db, "--trial", "sst2/0", "--method", "int8", "--out",
                           (dir / "int8").string(), "--repeats", "1", "--json"});
  INFO(int8.err);
  REQUIRE(int8.exit_code == 0);
  auto report = json::parse(int8.out);
  CHECK(report["trial"] == "sst2/compress/0");
  CHECK(report["source_trial"] == "sst2/0");
  // int8 encoder layers, float embeddings: about 0.64 of the float file.
  CHECK(report["compressed"]["file_bytes"].get<double>() < 0.7 * report["source"]["file_bytes"].get<double>());
  CHECK(std::abs(report["metric_change"].get<double>()) < 0.05);
  CHECK(report["compressed"]["latency_ms_batch1"].get<double>() > 0);
  CHECK(report["threads"].get<int>() >= 1);

  auto heads = run_bertlab({"compress", "--store", db, "--trial", "sst2/0", "--method", "heads", "--amount", "0.5",
                            "--importance-rows", "64", "--out", (dir / "heads").string(), "--repeats", "1", "--report"});
  INFO(heads.err);
  REQUIRE(heads.exit_code == 0);
  CHECK(heads.out.find("sst2/0 -> sst2/compress/1") != std::string::npos);
  CHECK(heads.out.find("latency batch 1 (ms)") != std::string::npos);
  const auto config = json::parse(bertlab::test::read_file(dir / "heads" / "config.json"));
  std::size_t pruned = 0;
  for (const auto& [layer, list] : config["pruned_heads"].items()) pruned += list.size();
  CHECK(pruned == 36);  // half of 6 x 12

  auto bf16 = run_bertlab({"compress", "--store", db, "--trial", "sst2/0", "--method", "bf16", "--out",
                           (dir / "bf16").string(), "--repeats", "1", "--json"});
  INFO(bf16.err);
  REQUIRE(bf16.exit_code == 0);
  CHECK(std::abs(json::parse(bf16.out)["metric_change"].get<double>()) < 0.05);

  auto trials = json::parse(run_bertlab({"trials", "sst2/compress", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 3);
  for (const auto& trial : trials) {
    CHECK(trial["state"] == "COMPLETE");
    CHECK(trial["params"]["source"] == "sst2/0");
    CHECK(trial["attributes"]["source_trial"] == "sst2/0");
    CHECK(trial["artifacts"].size() == 1);
  }
  CHECK(trials[0]["params"]["method"] == "int8");

  // The compressed models load like any other.
  std::ofstream(dir / "rows.tsv") << "sentence\tlabel\nan utterly charming film\t1\na tedious mess\t0\n";
  for (const std::string trial : {"sst2/compress/0", "sst2/compress/1", "sst2/compress/2"}) {
    auto predict = run_bertlab({"predict", "--store", db, "--trial", trial, "--input", (dir / "rows.tsv").string()});
    INFO(trial, predict.err);
    CHECK(predict.exit_code == 0);
    CHECK(bertlab::test::lines_of(predict.out).size() == 2);
  }
}

TEST_CASE("compress: a failure is recorded as a FAILED trial with its reason") {
  bertlab::test::ScratchDir dir;
  const auto db = (dir / "h.db").string();
  auto run = run_bertlab({"run", write_experiment(dir).string(), "--store", db, "--set", "train.max_steps=2"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::filesystem::create_directories(dir / "int8");
  std::ofstream(dir / "int8" / "keep.txt") << "not empty\n";
  auto refused = run_bertlab({"compress", "--store", db, "--trial", "sst2/0", "--method", "int8", "--out", (dir / "int8").string()});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("is not empty") != std::string::npos);

  // The trial's model made unreadable: the compression fails and says why.
  const auto model_dir = json::parse(run_bertlab({"show", "sst2/0", "--store", db, "--json"}).out)["artifacts"][0]["path"].get<std::string>();
  std::ofstream(model_dir + "/model.safetensors", std::ios::trunc) << "garbage";
  auto failed = run_bertlab({"compress", "--store", db, "--trial", "sst2/0", "--method", "int8", "--out", (dir / "q").string()});
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("model.safetensors") != std::string::npos);
  auto trials = json::parse(run_bertlab({"trials", "sst2/compress", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 1);
  CHECK(trials[0]["state"] == "FAILED");
  CHECK(trials[0]["error"].get<std::string>().find("model.safetensors") != std::string::npos);
}
