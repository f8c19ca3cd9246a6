// `bertlab tokenize` as users and scripts call it: the table, JSON Lines,
// input files, model directories, and the exit codes of its errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support.hpp"
#include "tokenizer_support.hpp"

using bertlab::test::lines_of;
using bertlab::test::run_bertlab;
using bertlab::test::ScratchDir;
using nlohmann::json;

namespace {

const std::string kModel = BERTLAB_MINILM_DIR;

void write(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

}  // namespace

TEST_CASE("tokenize command: a table of token, id, type id and the text each token covers") {
  auto result = run_bertlab({"tokenize", "--model", kModel, "Hello, Café!", "Fine."});
  REQUIRE(result.exit_code == 0);
  const auto lines = lines_of(result.out);
  REQUIRE(lines.size() == 11);
  CHECK(lines[0] == "token  id    type id  text");
  CHECK(lines[1] == "-----  ----  -------  -----");
  CHECK(lines[2] == "[CLS]  101   0");
  CHECK(lines[3] == "hello  7592  0        Hello");
  CHECK(lines[5] == "cafe   7668  0        Café");
  CHECK(lines[8] == "fine   2986  1        Fine");
  CHECK(result.err.empty());
}

TEST_CASE("tokenize command: --json prints one object per input in HF's shape") {
  auto result = run_bertlab({"tokenize", "--model", kModel, "--json", "Hello \"there\""});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out ==
        "{\"tokens\": [\"[CLS]\", \"hello\", \"\\\"\", \"there\", \"\\\"\", \"[SEP]\"], "
        "\"ids\": [101, 7592, 1000, 2045, 1000, 102], \"type_ids\": [0, 0, 0, 0, 0, 0], "
        "\"offsets\": [[0, 0], [0, 5], [6, 7], [7, 12], [12, 13], [0, 0]]}\n");
}

TEST_CASE("tokenize command: --input reads one text per line, --pairs one A<TAB>B pair per line") {
  ScratchDir dir;
  write(dir / "texts.txt", "first line\n\nthird\r\n");
  auto result = run_bertlab({"tokenize", "--model", kModel, "--input", (dir / "texts.txt").string(), "--json"});
  REQUIRE(result.exit_code == 0);
  const auto lines = lines_of(result.out);
  REQUIRE(lines.size() == 3);
  CHECK(json::parse(lines[1])["tokens"] == json{"[CLS]", "[SEP]"});
  CHECK(json::parse(lines[2])["offsets"] == json{{0, 0}, {0, 5}, {0, 0}});  // the \r stays, as whitespace

  write(dir / "pairs.txt", "who?\tnobody\nwhy?\tno\treason\n");
  result = run_bertlab({"tokenize", "--model", kModel, "--pairs", "--input", (dir / "pairs.txt").string(), "--json"});
  REQUIRE(result.exit_code == 0);
  const auto pairs = lines_of(result.out);
  REQUIRE(pairs.size() == 2);
  CHECK(json::parse(pairs[1])["tokens"] == json{"[CLS]", "why", "?", "[SEP]", "no", "reason", "[SEP]"});
  CHECK(json::parse(pairs[1])["type_ids"] == json{0, 0, 0, 0, 1, 1, 1});

  write(dir / "bad.txt", "who?\tnobody\nno tab here\n");
  result = run_bertlab({"tokenize", "--model", kModel, "--pairs", "--input", (dir / "bad.txt").string()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("bad.txt:2: expected a pair") != std::string::npos);
}

TEST_CASE("tokenize command: --max-length truncates longest first, 0 does not") {
  auto tokens = [](const std::string& max_length) {
    auto result = run_bertlab({"tokenize", "--model", kModel, "--json", "--max-length", max_length, "a b c d e", "x y"});
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out)["tokens"];
  };
  CHECK(tokens("7") == json{"[CLS]", "a", "b", "[SEP]", "x", "y", "[SEP]"});
  CHECK(tokens("0").size() == 10);
}

TEST_CASE("tokenize command: --vocab with --lowercase and --strip-accents, --model reads tokenizer_config.json") {
  const auto vocab = bertlab::test::uncased_vocab();
  auto first_token = [](const std::vector<std::string>& args) {
    auto result = run_bertlab(args);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out)["tokens"][1].get<std::string>();
  };
  CHECK(first_token({"tokenize", "--vocab", vocab, "--json", "Café"}) == "cafe");
  CHECK(first_token({"tokenize", "--vocab", vocab, "--lowercase", "false", "--json", "Café"}) == "[UNK]");
  CHECK(first_token({"tokenize", "--vocab", vocab, "--strip-accents", "false", "--json", "Café"}) == "[UNK]");

  ScratchDir dir;
  std::filesystem::copy_file(vocab, dir / "vocab.txt");
  CHECK(first_token({"tokenize", "--model", dir.path().string(), "--json", "Hello"}) == "hello");
  write(dir / "tokenizer_config.json", R"({"do_lower_case": false, "strip_accents": null})");
  CHECK(first_token({"tokenize", "--model", dir.path().string(), "--json", "Hello"}) == "[UNK]");
}

TEST_CASE("tokenize command: usage errors exit 2, unusable files exit 1 naming the file") {
  const auto vocab = bertlab::test::uncased_vocab();
  CHECK(run_bertlab({"tokenize", "hello"}).exit_code == 2);
  CHECK(run_bertlab({"tokenize", "--model", kModel, "--vocab", vocab, "hello"}).exit_code == 2);
  CHECK(run_bertlab({"tokenize", "--model", kModel, "--lowercase", "false", "hello"}).exit_code == 2);
  CHECK(run_bertlab({"tokenize", "--vocab", vocab, "--lowercase", "maybe", "hello"}).exit_code == 2);
  CHECK(run_bertlab({"tokenize", "--vocab", vocab}).exit_code == 2);
  CHECK(run_bertlab({"tokenize", "--vocab", vocab, "a", "b", "c"}).exit_code == 2);
  CHECK(run_bertlab({"tokenize", "--vocab", vocab, "--max-length", "-1", "a"}).exit_code == 2);
  CHECK(run_bertlab({"tokenize", "--vocab", vocab, "--pairs", "a"}).exit_code == 2);

  auto missing = run_bertlab({"tokenize", "--vocab", "/no/such/vocab.txt", "hello"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("/no/such/vocab.txt") != std::string::npos);
  auto no_model = run_bertlab({"tokenize", "--model", "/no/such/model", "hello"});
  CHECK(no_model.exit_code == 1);
  CHECK(no_model.err.find("/no/such/model/vocab.txt") != std::string::npos);
  auto no_input = run_bertlab({"tokenize", "--vocab", vocab, "--input", "/no/such/input.txt"});
  CHECK(no_input.exit_code == 1);
  CHECK(no_input.err.find("/no/such/input.txt") != std::string::npos);
}
