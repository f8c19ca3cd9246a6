// SQuAD-style JSON: SQuAD v1.1 dev as published, v2.0's is_impossible, the
// CMRC 2018 offset repair, article slices, and errors that name the file.
#include "data/dataset.hpp"
#include "data/squad.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

#include <fstream>

#include "support.hpp"

using bertlab::data::Columns;
using bertlab::data::DataError;
using bertlab::data::read_dataset;

namespace {

Columns squad(std::string articles = "") {
  Columns columns{"squad", "", "", ""};
  columns.articles = std::move(articles);
  return columns;
}

std::filesystem::path write(const bertlab::test::ScratchDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name, std::ios::binary) << text;
  return dir / name;
}

std::string error_of(const std::filesystem::path& file, const Columns& columns, bool require_labels = true) {
  try {
    read_dataset(file, columns, 0, require_labels);
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

const std::string kSquadDev = std::string(BERTLAB_SHARED_DATA) + "/squad_v1.1/dev-v1.1.json";
const std::string kCmrcDev = std::string(BERTLAB_SHARED_DATA) + "/cmrc2018/cmrc2018_dev.json";

}  // namespace

TEST_CASE("squad reader: SQuAD v1.1 dev as published, one example per question") {
  auto dev = read_dataset(kSquadDev, squad(), 0, true);
  REQUIRE(dev.examples.size() == 10570);
  const auto& first = dev.examples.front();
  CHECK(first.id == "56be4db0acb8001400a502ec");
  CHECK(first.text == "Which NFL team represented the AFC at Super Bowl 50?");
  CHECK(first.text_pair.rfind("Super Bowl 50 was an American football game", 0) == 0);
  CHECK(first.is_pair);
  CHECK(first.fields.at("title").as_string() == "Super_Bowl_50");
  REQUIRE(first.label.as_array().size() == 3);
  CHECK(first.label.as_array()[0].as_table().at("text").as_string() == "Denver Broncos");
  CHECK(first.label.as_array()[0].as_table().at("answer_start").as_int() == 177);
  CHECK(dev.repaired_answers == 0);  // all 34,726 offsets of the official file are right
  CHECK(dev.unlocated_answers == 0);
  std::size_t answers = 0;
  for (const auto& e : dev.examples) answers += e.label.as_array().size();
  CHECK(answers == 34726);
}

TEST_CASE("squad reader: answer_start counts code points, as Python's str offsets") {
  bertlab::test::ScratchDir dir;
  // "é" is two bytes, "€" three, "😀" four, each one code point.
  auto file = write(dir, "u.json",
                    R"({"data": [{"title": "u", "paragraphs": [{"context": "é€😀 Zürich is here",
                        "qas": [{"id": "a", "question": "Where?", "answers": [{"text": "Zürich", "answer_start": 4}]}]}]}]})");
  auto data = read_dataset(file, squad(), 0, true);
  CHECK(data.repaired_answers == 0);
  CHECK(data.examples[0].label.as_array()[0].as_table().at("answer_start").as_int() == 4);
}

TEST_CASE("squad reader: CMRC 2018 dev offsets are repaired and counted") {
  auto dev = read_dataset(kCmrcDev, squad(), 0, true);
  CHECK(dev.examples.size() == 3219);
  // 200 of the 9,657 answers do not sit at their answer_start: 7 are a
  // character or two off and are moved; 193 (answer_start -1) are not in
  // their context at all.
  CHECK(dev.repaired_answers == 7);
  CHECK(dev.unlocated_answers == 193);
  std::size_t answers = 0, checked = 0;
  for (const auto& e : dev.examples) {
    for (const auto& item : e.label.as_array()) {
      ++answers;
      const auto& answer = item.as_table();
      const auto start = answer.at("answer_start").as_int();
      if (start < 0) continue;
      // The repaired offset points at the text (counting code points).
      std::size_t byte = 0;
      for (std::int64_t cp = 0; cp < start; ++cp) {
        ++byte;
        while (byte < e.text_pair.size() && (static_cast<unsigned char>(e.text_pair[byte]) & 0xC0) == 0x80) ++byte;
      }
      CHECK(e.text_pair.compare(byte, answer.at("text").as_string().size(), answer.at("text").as_string()) == 0);
      ++checked;
    }
  }
  CHECK(answers == 9657);
  CHECK(checked == 9657 - 193);
}

TEST_CASE("squad reader: v2.0 unanswerable questions") {
  bertlab::test::ScratchDir dir;
  auto file = write(dir, "v2.json",
                    R"({"version": "v2.0", "data": [{"title": "n", "paragraphs": [{"context": "Normans came from Normandy.",
                        "qas": [{"id": "a", "question": "From where?", "answers": [{"text": "Normandy", "answer_start": 18}], "is_impossible": false},
                                {"id": "b", "question": "When?", "answers": [], "plausible_answers": [{"text": "Normans", "answer_start": 0}], "is_impossible": true}]}]}]})");
  auto data = read_dataset(file, squad(), 0, true);
  REQUIRE(data.examples.size() == 2);
  CHECK(data.examples[0].fields.at("is_impossible").as_bool() == false);
  CHECK(data.examples[1].fields.at("is_impossible").as_bool() == true);
  CHECK(data.examples[1].label.is_array());
  CHECK(data.examples[1].label.as_array().empty());
}

TEST_CASE("squad reader: article slices split a file by article") {
  auto train = read_dataset(kSquadDev, squad("0:38"), 0, true);
  auto eval = read_dataset(kSquadDev, squad("38:"), 0, true);
  auto all = read_dataset(kSquadDev, squad(), 0, true);
  CHECK(train.examples.size() == 8582);
  CHECK(eval.examples.size() == 1988);
  CHECK(train.examples.size() + eval.examples.size() == all.examples.size());
  CHECK(train.examples.back().id == all.examples[8581].id);
  CHECK(eval.examples.front().id == all.examples[8582].id);
  CHECK(train.examples.back().fields.at("title").as_string() != eval.examples.front().fields.at("title").as_string());
  auto ten = read_dataset(kSquadDev, squad("38:48"), 0, true);
  CHECK(ten.examples.size() == 1988);
  CHECK(read_dataset(kSquadDev, squad(":1"), 0, true).examples.size() ==
        read_dataset(kSquadDev, squad("0:1"), 0, true).examples.size());
  CHECK(read_dataset(kSquadDev, squad("2:3"), 5, true).examples.size() == 5);  // limit: the first questions

  CHECK(error_of(kSquadDev, squad("40:60")).find("dev-v1.1.json: articles \"40:60\" lie outside the file's 48 articles") !=
        std::string::npos);
  CHECK(error_of(kSquadDev, squad("5:2")).find("expected a slice of articles") != std::string::npos);
  CHECK(error_of(kSquadDev, squad("a:b")).find("expected a slice of articles") != std::string::npos);
  std::string message;
  CHECK_FALSE(bertlab::data::parse_article_range("12", message).has_value());
  CHECK_FALSE(bertlab::data::parse_article_range(":", message).has_value());
  CHECK_FALSE(bertlab::data::parse_article_range("-1:3", message).has_value());
  auto range = bertlab::data::parse_article_range("3:7", message);
  REQUIRE(range.has_value());
  CHECK(range->begin == 3);
  CHECK(*range->end == 7);
}

TEST_CASE("squad reader: malformed files name the file and what was expected") {
  bertlab::test::ScratchDir dir;
  const std::string not_json = error_of(write(dir, "broken.json", "{\"data\": [\n{\"title\": \"x\",,}]}"), squad());
  CHECK(not_json.find("broken.json: not valid JSON:") != std::string::npos);
  CHECK(not_json.find("line 2") != std::string::npos);  // nlohmann's position
  CHECK(error_of(write(dir, "a.json", R"({"version": "1.1"})"), squad()).find("a.json: top level: no key 'data'") !=
        std::string::npos);
  CHECK(error_of(write(dir, "b.json", R"({"data": [{"title": "t"}]})"), squad()).find("b.json: data[0]: no key 'paragraphs'") !=
        std::string::npos);
  CHECK(error_of(write(dir, "c.json", R"({"data": [{"paragraphs": [{"context": "x", "qas": [{"id": "q", "answers": []}]}]}]})"),
                 squad())
            .find("c.json: data[0].paragraphs[0].qas[0]: no key 'question'") != std::string::npos);
  CHECK(error_of(write(dir, "d.json", R"({"data": [{"paragraphs": [{"context": 5, "qas": []}]}]})"), squad())
            .find("d.json: data[0].paragraphs[0].context: expected a string, got number") != std::string::npos);
  CHECK(error_of(write(dir, "e.json",
                       R"({"data": [{"paragraphs": [{"context": "x", "qas": [{"id": "q", "question": "?", "answers": [{"text": "x"}]}]}]}]})"),
                 squad())
            .find("e.json: data[0].paragraphs[0].qas[0].answers[0]: no key 'answer_start'") != std::string::npos);
  auto unlabelled = write(dir, "f.json", R"({"data": [{"paragraphs": [{"context": "x", "qas": [{"id": "q", "question": "?"}]}]}]})");
  CHECK(error_of(unlabelled, squad()).find("f.json: data[0].paragraphs[0].qas[0]: no key 'answers'") != std::string::npos);
  auto data = read_dataset(unlabelled, squad(), 0, false);  // prediction input: no answers needed
  CHECK(data.examples[0].label.is_null());
}
