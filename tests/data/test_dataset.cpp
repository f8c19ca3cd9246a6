// Task data files: GLUE-style TSV, RFC 4180 CSV, JSON Lines, limits, and
// errors that name the file and the line.
#include "data/dataset.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

#include <fstream>

#include "support.hpp"

using bertlab::data::Columns;
using bertlab::data::DataError;
using bertlab::data::read_dataset;

namespace {

Columns tsv() { return {"tsv", "sentence", "", "label"}; }

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

}  // namespace

TEST_CASE("data: SST-2 dev as published") {
  auto dev = read_dataset(std::string(BERTLAB_SHARED_DATA) + "/sst2/dev.tsv", tsv(), 0, true);
  REQUIRE(dev.examples.size() == 872);
  CHECK(dev.examples[0].text.rfind("it 's a charming and often affecting journey . ", 0) == 0);
  CHECK(dev.examples[0].label.as_string() == "1");
  CHECK(dev.lines[0] == 2);
  CHECK(dev.fingerprint == "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0");
  auto first = read_dataset(std::string(BERTLAB_SHARED_DATA) + "/sst2/dev.tsv", tsv(), 10, true);
  CHECK(first.examples.size() == 10);
}

TEST_CASE("data: CSV quoting, pairs and extra columns") {
  bertlab::test::ScratchDir dir;
  auto file = write(dir, "qa.csv",
                    "id,question,context,label\r\n"
                    "a,\"Who, then?\",\"He said \"\"no\"\"\nand left.\",yes\r\n"
                    "b,Why,Because,no\n");
  auto data = read_dataset(file, {"csv", "question", "context", "label"}, 0, true);
  REQUIRE(data.examples.size() == 2);
  CHECK(data.examples[0].text == "Who, then?");
  CHECK(data.examples[0].text_pair == "He said \"no\"\nand left.");
  CHECK(data.examples[0].is_pair);
  CHECK(data.examples[0].fields.at("id").as_string() == "a");
  CHECK(data.lines[1] == 4);  // the quoted newline counts
}

TEST_CASE("data: JSON Lines with numeric labels and unlabelled rows") {
  bertlab::test::ScratchDir dir;
  auto file = write(dir, "d.jsonl", "{\"text\": \"good\", \"score\": 4.5}\n\n{\"text\": \"bad\"}\n");
  auto data = read_dataset(file, {"jsonl", "text", "", "score"}, 0, false);
  REQUIRE(data.examples.size() == 2);
  CHECK(data.examples[0].label.as_double() == 4.5);
  CHECK(data.examples[1].label.is_null());
  CHECK(error_of(file, {"jsonl", "text", "", "score"}).find("d.jsonl:3: no label field 'score'") != std::string::npos);
}

TEST_CASE("data: bad rows are reported with file and line") {
  bertlab::test::ScratchDir dir;
  CHECK(error_of(write(dir, "a.tsv", "sentence\tlabel\ngood\t1\nbad\n"), tsv()).find("a.tsv:3: expected 2 columns") !=
        std::string::npos);
  CHECK(error_of(write(dir, "b.tsv", "text\tlabel\ngood\t1\n"), tsv()).find("b.tsv:1: no column 'sentence'") !=
        std::string::npos);
  CHECK(error_of(write(dir, "c.tsv", "sentence\tlabel\ngood\t\n"), tsv()).find("c.tsv:2: the label column") !=
        std::string::npos);
  CHECK(error_of(write(dir, "d.jsonl", "{\"text\": \"x\", \"label\": 1}\n{oops\n"), {"jsonl", "text", "", "label"})
            .find("d.jsonl:2: not a JSON object") != std::string::npos);
  CHECK(error_of(write(dir, "e.csv", "sentence,label\n\"open,1\n"), {"csv", "sentence", "", "label"})
            .find("never closed") != std::string::npos);
  CHECK(error_of(dir / "missing.tsv", tsv()).find("cannot open the data file") != std::string::npos);
  CHECK(error_of(write(dir, "f.tsv", "sentence\tlabel\n"), tsv()).find("no rows") != std::string::npos);
}
