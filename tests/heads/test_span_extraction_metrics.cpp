// The span-extraction head's metrics against the official scorers' logic
// (squad_reference.hpp, run in Python) on the same predictions: hand-made
// tricky cases, then every question of SQuAD v1.1 dev and CMRC 2018 dev
// with predictions derived from the gold answers.
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "bertlab/head.hpp"
#include "data/dataset.hpp"
#include "plugin/plugin_host.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include "run_python.hpp"
#include "squad_reference.hpp"

using namespace bertlab;
using nlohmann::json;

namespace {

std::shared_ptr<Head> make_head(Table options = {}) {
  static const auto host = [] {
    auto h = std::make_unique<plugin::PluginHost>();
    h->load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
    return h;
  }();
  auto head = host->create<Head>("span-extraction", Options(std::move(options), "head"));
  HeadContext context;
  context.encoder.hidden_size = 8;
  head->build(context);
  return head;
}

// One article holding `questions` (each {id, question, answers[, is_impossible]}) over `context`.
json dataset_of(const std::string& context, const json& questions) {
  return {{"version", "1.1"}, {"data", json::array({{{"title", "t"}, {"paragraphs", json::array({{{"context", context}, {"qas", questions}}})}}})}};
}

json question(const std::string& id, const std::vector<std::string>& answers, const std::string& context) {
  json list = json::array();
  for (const auto& a : answers) {
    const auto at = context.find(a);
    // answer_start counts code points: count the UTF-8 lead bytes before it.
    std::int64_t start = 0;
    for (std::size_t i = 0; i < (at == std::string::npos ? 0 : at); ++i)
      start += (static_cast<unsigned char>(context[i]) & 0xC0) != 0x80 ? 1 : 0;
    list.push_back({{"text", a}, {"answer_start", at == std::string::npos ? -1 : start}});
  }
  return {{"id", id}, {"question", "q " + id}, {"answers", list}};
}

// bertlab's metrics and the Python reference's on the same files.
std::pair<Metrics, json> score_both(const json& dataset, const json& predictions, const std::string& mode,
                                    Table options = {}) {
  test::ScratchDir dir;
  std::ofstream(dir / "data.json") << dataset.dump();
  std::ofstream(dir / "predictions.json") << predictions.dump();
  auto data = data::read_dataset(dir / "data.json", {"squad", "", "", ""}, 0, false);
  std::vector<Prediction> mine;
  for (const auto& example : data.examples) mine.push_back({{"text", predictions.at(example.id).get<std::string>()}});
  auto metrics = make_head(std::move(options))->evaluate(data.examples, mine);
  auto reference = test::run_python(test::kOfficialScorers,
                                    {(dir / "data.json").string(), (dir / "predictions.json").string(), mode});
  return {metrics, reference};
}

void check_equal(const Metrics& metrics, const json& reference) {
  REQUIRE(metrics.size() == reference.size());
  for (const auto& [name, value] : reference.items()) {
    INFO(name);
    REQUIRE(metrics.contains(name));
    CHECK(metrics.at(name) == doctest::Approx(value.get<double>()).epsilon(1e-12));
  }
}

}  // namespace

TEST_CASE("span-extraction metrics: SQuAD v1.1 EM/F1 equal the official script's on tricky answers") {
  const std::string context =
      "The Denver Broncos beat the Carolina Panthers 24\xE2\x80\x93" "10 at Levi's Stadium in Santa Clara, California. "
      "An apple a day; the \xC3\x89" "cole Normale and \xC4\xB0stanbul's theatre, 1,000 fans\xC2\xA0"
      "cheered. Thea and the\xC3\xA9 are words.";
  json questions = json::array({question("q1", {"Denver Broncos", "Broncos", "The Denver Broncos"}, context),
                                question("q2", {"Levi's Stadium"}, context),
                                question("q3", {"Santa Clara, California"}, context),
                                question("q4", {"An apple a day"}, context),
                                question("q5", {"\xC3\x89" "cole Normale"}, context),
                                question("q6", {"\xC4\xB0stanbul's theatre"}, context),
                                question("q7", {"1,000 fans"}, context),
                                question("q8", {"24\xE2\x80\x93" "10"}, context),
                                question("q9", {"Thea and the\xC3\xA9"}, context),
                                question("q10", {"Carolina Panthers", "the Panthers"}, context)});
  json predictions = {{"q1", "the broncos!"},
                      {"q2", "Levis  Stadium"},
                      {"q3", "Santa Clara"},
                      {"q4", "apple day"},
                      {"q5", "\xC3\xA9" "cole normale"},
                      {"q6", "i\xCC\x87stanbuls theatre"},
                      {"q7", "1000\xC2\xA0" "fans"},
                      {"q8", ""},
                      {"q9", "thea and"},
                      {"q10", "Panthers Carolina Panthers"}};
  auto [metrics, reference] = score_both(dataset_of(context, questions), predictions, "v1", {{"metric_language", "en"}});
  check_equal(metrics, reference);
  // Not all perfect and not all wrong: the cases do test something.
  CHECK(metrics.at("exact_match") > 20);
  CHECK(metrics.at("exact_match") < 90);
  CHECK(metrics.at("f1") > metrics.at("exact_match"));
}

TEST_CASE("span-extraction metrics: SQuAD v2.0 HasAns/NoAns split equals the official script's") {
  const std::string context = "Normans came from Normandy in the 10th and 11th centuries. The a an.";
  json questions = json::array({question("h1", {"Normandy"}, context), question("h2", {"10th and 11th centuries"}, context),
                                question("h3", {"the"}, context),  // normalizes to nothing: gold becomes ""
                                question("n1", {}, context), question("n2", {}, context), question("n3", {}, context)});
  for (auto& q : questions) q["is_impossible"] = q["answers"].empty();
  json predictions = {{"h1", "Normandy"}, {"h2", "11th centuries"}, {"h3", ""},
                      {"n1", ""},         {"n2", "Normans"},        {"n3", "the"}};
  auto dataset = dataset_of(context, questions);
  dataset["version"] = "v2.0";
  auto [metrics, reference] = score_both(dataset, predictions, "v2");
  check_equal(metrics, reference);
  CHECK(metrics.at("HasAns_total") == 3);
  CHECK(metrics.at("NoAns_total") == 3);
}

TEST_CASE("span-extraction metrics: CMRC 2018 character F1 / EM equal the official logic, Chinese mixed with English and digits") {
  const std::string context =
      "《战国无双3》（）是由光荣和ω-force开发的战国无双系列的正统第三续作，于2010年发售。尚恩·菲南（Shane Filan，）"
      "是爱尔兰歌手。价格是1,000元。";
  json questions = json::array({question("c1", {"光荣和ω-force", "光荣"}, context),
                                question("c2", {"2010年"}, context),
                                question("c3", {"尚恩·菲南（Shane Filan，）"}, context),
                                question("c4", {"战国无双系列的正统第三续作"}, context),
                                question("c5", {"1,000元"}, context),
                                question("c6", {"《战国无双3》"}, context)});
  json predictions = {{"c1", "光荣和ω force"}, {"c2", "2010"}, {"c3", "shane filan"},
                      {"c4", "正统第三续作，于2010年"}, {"c5", ""}, {"c6", "战国无双3"}};
  auto [metrics, reference] = score_both(dataset_of(context, questions), predictions, "zh");
  check_equal(metrics, reference);
  CHECK(metrics.at("f1") > 30);
  CHECK(metrics.at("exact_match") < 100);
}

namespace {

// A prediction near the gold answer, varied by question: the answer, with an
// article, cut short, run on into the context, or empty.
json derived_predictions(const std::vector<Example>& examples) {
  json predictions = json::object();
  for (std::size_t i = 0; i < examples.size(); ++i) {
    const auto& answer = examples[i].label.as_array().front().as_table();
    const std::string text = answer.at("text").as_string();
    const auto& context = examples[i].text_pair;
    std::string prediction;
    switch (i % 5) {
      case 0: prediction = text; break;
      case 1: prediction = "The " + text + "."; break;
      case 2: prediction = text.substr(0, text.size() / 2); break;
      case 3: {
        const auto at = context.find(text);
        prediction = at == std::string::npos ? text : context.substr(at, text.size() + 12);
        break;
      }
      default: prediction = ""; break;
    }
    // Cut at a character boundary so that the prediction stays valid UTF-8.
    while (!prediction.empty() && (static_cast<unsigned char>(prediction.back()) & 0x80) != 0) {
      std::size_t start = prediction.size() - 1;
      while (start > 0 && (static_cast<unsigned char>(prediction[start]) & 0xC0) == 0x80) --start;
      const auto lead = static_cast<unsigned char>(prediction[start]);
      const std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (prediction.size() - start == need) break;
      prediction.resize(start);
    }
    predictions[examples[i].id] = prediction;
  }
  return predictions;
}

void check_whole_file(const std::string& file, const std::string& mode) {
  auto data = data::read_dataset(file, {"squad", "", "", ""}, 0, true);
  auto predictions = derived_predictions(data.examples);
  test::ScratchDir dir;
  std::ofstream(dir / "predictions.json") << predictions.dump();
  std::vector<Prediction> mine;
  for (const auto& example : data.examples) mine.push_back({{"text", predictions.at(example.id).get<std::string>()}});
  auto metrics = make_head()->evaluate(data.examples, mine);
  auto reference = test::run_python(test::kOfficialScorers, {file, (dir / "predictions.json").string(), mode});
  check_equal(metrics, reference);
}

}  // namespace

TEST_CASE("span-extraction metrics: all 10,570 questions of SQuAD v1.1 dev score as the official script scores them") {
  check_whole_file(std::string(BERTLAB_SHARED_DATA) + "/squad_v1.1/dev-v1.1.json", "v1");
}

TEST_CASE("span-extraction metrics: all 3,219 questions of CMRC 2018 dev score as the official logic scores them") {
  check_whole_file(std::string(BERTLAB_SHARED_DATA) + "/cmrc2018/cmrc2018_dev.json", "zh");
}
