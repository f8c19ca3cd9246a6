// `bertlab run` and `bertlab predict` with the span-extraction head: a short
// fine-tune of all-MiniLM-L6-v2 on a few SQuAD dev articles, scored on
// questions of other articles, well above a trivial baseline; predict's
// {id: answer} file scores (by the official logic, in Python) what the trial
// recorded.
#include <fstream>

#include <nlohmann/json.hpp>

#include "run_python.hpp"
#include "squad_reference.hpp"
#include "support.hpp"

using bertlab::test::run_bertlab;
using nlohmann::json;

namespace {

const std::string kSquadDev = std::string(BERTLAB_SHARED_DATA) + "/squad_v1.1/dev-v1.1.json";

json last_json_line(const std::string& out) {
  auto end = out.find_last_not_of('\n');
  auto start = out.rfind('\n', end);
  return json::parse(out.substr(start == std::string::npos ? 0 : start + 1));
}

// Articles `articles` of SQuAD dev as a file of their own (predict reads whole files).
std::filesystem::path write_articles(const bertlab::test::ScratchDir& dir, const std::vector<int>& articles) {
  std::ifstream in(kSquadDev);
  const auto dev = json::parse(in);
  json out = {{"version", dev["version"]}, {"data", json::array()}};
  for (int a : articles) out["data"].push_back(dev["data"][static_cast<std::size_t>(a)]);
  std::ofstream(dir / "eval.json") << out.dump();
  return dir / "eval.json";
}

// The first sentence of the context as the answer: what a model that learned
// nothing about questions might say.
constexpr const char* kFirstSentence = R"(
import json, sys
data = json.load(open(sys.argv[1]))["data"]
print(json.dumps({qa["id"]: p["context"].split(". ")[0] for a in data for p in a["paragraphs"] for qa in p["qas"]}))
)";

}  // namespace

TEST_CASE("span-extraction run: a short SQuAD fine-tune beats the baseline; predict's answers score what the trial recorded") {
  bertlab::test::ScratchDir dir;
  const auto eval = write_articles(dir, {38});  // Intergovernmental_Panel_on_Climate_Change: 104 questions
  std::ofstream(dir / "squad.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                                    << "[tokenizer]\nmax_length = 128\n"
                                    << "[data]\nformat = \"squad\"\n"
                                    << "train = \"" << kSquadDev << "\"\ntrain_articles = \"1:3\"\n"
                                    << "eval = \"" << eval.string() << "\"\n"
                                    << "[head]\nplugin = \"span-extraction\"\noptions = { doc_stride = 64 }\n"
                                    << "[train]\nmax_steps = 60\neval_every = 60\nbatch_size = 16\nlearning_rate = 3e-4\n"
                                    << "warmup_ratio = 0.1\nseed = 3\n";
  const auto db = (dir / "h.db").string();
  auto run = run_bertlab({"run", (dir / "squad.toml").string(), "--store", db, "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const double recorded = last_json_line(run.out)["best"]["value"].get<double>();

  auto predicted = run_bertlab({"predict", "--store", db, "--trial", "squad/0", "--input", eval.string(), "--output",
                                (dir / "predictions.json").string()});
  INFO(predicted.err);
  REQUIRE(predicted.exit_code == 0);
  // One JSON object {question id: answer text} for the whole file.
  std::ifstream predictions_file(dir / "predictions.json");
  const auto predictions = json::parse(predictions_file);
  REQUIRE(predictions.is_object());
  CHECK(predictions.size() == 104);
  CHECK(predictions.begin().value().is_string());

  auto official = bertlab::test::run_python(bertlab::test::kOfficialScorers,
                                            {eval.string(), (dir / "predictions.json").string(), "v1"});
  CHECK(official["f1"].get<double>() == doctest::Approx(recorded).epsilon(1e-9));

  auto first_sentence = bertlab::test::run_python(kFirstSentence, {eval.string()});
  std::ofstream(dir / "baseline.json") << first_sentence.dump();
  auto baseline = bertlab::test::run_python(bertlab::test::kOfficialScorers,
                                            {eval.string(), (dir / "baseline.json").string(), "v1"});
  MESSAGE("F1 ", recorded, " (EM ", official["exact_match"].get<double>(), "); first-sentence baseline F1 ",
          baseline["f1"].get<double>());
  CHECK(recorded > baseline["f1"].get<double>() + 15);
}
