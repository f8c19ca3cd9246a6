// `bertlab augment --show` and a short `bertlab run` whose trials augment
// their training data and record the augmentation parameters they searched.
#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "support.hpp"

using bertlab::test::run_bertlab;
using nlohmann::json;

namespace {

std::filesystem::path write_experiment(const bertlab::test::ScratchDir& dir, const std::string& extra) {
  const std::string data = BERTLAB_SHARED_DATA;
  std::ofstream(dir / "aug.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                                  << "[tokenizer]\nmax_length = 48\n"
                                  << "[data]\ntrain = \"" << data << "/sst2/train.tsv\"\n"
                                  << "eval = \"" << data << "/sst2/dev.tsv\"\n"
                                  << "train_limit = 24\neval_limit = 32\n"
                                  << "[train]\nmax_steps = 2\nbatch_size = 8\nseed = 5\n"
                                  << "[[augment.plugins]]\nplugin = \"eda\"\n"
                                  << "options = { alpha_sr = 0.1, alpha_ri = 0.1, alpha_rs = 0.1, alpha_rd = 0.1, num_aug = 2 }\n"
                                  << extra;
  return dir / "aug.toml";
}

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> rows;
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) rows.push_back(json::parse(out.substr(start, end - start)));
    start = end + 1;
  }
  return rows;
}

}  // namespace

TEST_CASE("augment --show: each original row followed by its augmentations, --json, repeatable, --seed") {
  bertlab::test::ScratchDir dir;
  const auto file = write_experiment(dir, "").string();
  auto shown = run_bertlab({"augment", file, "--show", "3"});
  INFO(shown.err);
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find("#1 train.tsv:2 label \"0\"\n  original   hide new secretions from the parental units") == 0);
  CHECK(shown.out.find("#3 train.tsv:4") != std::string::npos);
  CHECK(shown.out.find("#4") == std::string::npos);
  CHECK(shown.out.find("\n  eda        ") != std::string::npos);
  CHECK(shown.err.find("augmentation added 6 (eda +6)") != std::string::npos);

  auto as_json = run_bertlab({"augment", file, "--show", "3", "--json"});
  REQUIRE(as_json.exit_code == 0);
  auto rows = json_lines(as_json.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["original"] == "hide new secretions from the parental units ");  // SST-2's row, trailing space kept
  REQUIRE(rows[0]["augmented"].size() == 2);
  CHECK(rows[0]["augmented"][0]["plugin"] == "eda");
  CHECK(rows[0]["augmented"][0]["text"] != rows[0]["original"]);
  CHECK(run_bertlab({"augment", file, "--show", "3", "--json"}).out == as_json.out);
  CHECK(run_bertlab({"augment", file, "--show", "3", "--json", "--seed", "6"}).out != as_json.out);
  // --set reaches the entry's options; a bad one names the key.
  auto rd_only = run_bertlab({"augment", file, "--show", "2", "--set", "augment.eda.probability=0.0"});
  CHECK(rd_only.err.find("augmentation added 0") != std::string::npos);
  auto bad = run_bertlab({"augment", file, "--set", "augment.synonym.rate=0.2"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("augment.synonym.rate") != std::string::npos);
}

TEST_CASE("run: trials train on augmented data and record the augmentation parameters they searched") {
  bertlab::test::ScratchDir dir;
  const auto file = write_experiment(dir, "[search]\ntrials = 2\nsearcher = { plugin = \"grid\" }\n"
                                          "[search.space]\n\"augment.eda.alpha_rd\" = { type = \"choice\", values = [0.1, 0.3] }\n");
  const auto db = (dir / "h.db").string();
  auto result = run_bertlab({"run", file.string(), "--store", db, "--json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("augmentation added 48 training examples to 24 (eda +48)") != std::string::npos);
  auto trials = json::parse(run_bertlab({"trials", "aug", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 2);
  std::set<double> rates;
  for (const auto& trial : trials) {
    CHECK(trial["state"] == "COMPLETE");
    rates.insert(trial["params"]["augment.eda.alpha_rd"].get<double>());
    CHECK(trial["attributes"]["augmented_examples"] == 48);
    CHECK(trial["plugins"].contains("augmentation/eda"));
  }
  CHECK(rates == std::set<double>{0.1, 0.3});
}
