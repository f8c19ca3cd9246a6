// `bertlab vocab train` on a few hundred SST-2 sentences: the vocabulary's
// shape (size, special tokens, alphabet), determinism, agreement with
// Hugging Face tokenizers' WordPieceTrainer, and its errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "run_python.hpp"
#include "support.hpp"

using bertlab::test::lines_of;
using bertlab::test::read_file;
using bertlab::test::run_bertlab;
using bertlab::test::run_python;
using bertlab::test::ScratchDir;
using nlohmann::json;

namespace {

const std::filesystem::path kSst2 = std::filesystem::path(BERTLAB_SHARED_DATA) / "sst2" / "train.tsv";

// The first `rows` sentences of SST-2's train.tsv, one per line.
void write_sentences(const std::filesystem::path& file, int rows) {
  std::ifstream in(kSst2);
  REQUIRE(in);
  std::ofstream out(file, std::ios::binary);
  std::string line;
  std::getline(in, line);  // header
  for (int i = 0; i < rows && std::getline(in, line); ++i) out << line.substr(0, line.find('\t')) << '\n';
}

std::size_t code_points(const std::string& text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

// HF's trainer on the same file; its vocabulary by id.
const char* kHfScript = R"PY(
import json, sys
from tokenizers import BertWordPieceTokenizer
corpus, size = sys.argv[1], int(sys.argv[2])
tokenizer = BertWordPieceTokenizer(lowercase=True)
tokenizer.train([corpus], vocab_size=size, min_frequency=2, limit_alphabet=1000, show_progress=False,
                special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
vocab = tokenizer.get_vocab()
print(json.dumps(sorted(vocab, key=vocab.get)))
)PY";

}  // namespace

TEST_CASE("vocab train: the requested size, special tokens first, then the alphabet and deterministic") {
  ScratchDir scratch;
  write_sentences(scratch / "corpus.txt", 400);
  auto train = [&](const std::string& out) {
    const auto result = run_bertlab({"vocab", "train", "--corpus", (scratch / "corpus.txt").string(), "--size", "600",
                                     "--out", (scratch / out).string(), "--json"});
    INFO("stderr: ", result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  };
  const auto summary = train("a.txt");
  train("b.txt");
  const auto vocab = lines_of(read_file(scratch / "a.txt"));
  CHECK(read_file(scratch / "a.txt") == read_file(scratch / "b.txt"));
  REQUIRE(vocab.size() == 600);
  CHECK(summary["size"] == 600);
  CHECK(std::vector<std::string>(vocab.begin(), vocab.begin() + 5) ==
        std::vector<std::string>{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"});
  CHECK(std::set<std::string>(vocab.begin(), vocab.end()).size() == vocab.size());
  // The alphabet: single characters in code point order (UTF-8 byte order is the same).
  const auto alphabet = summary["alphabet"].get<std::size_t>();
  REQUIRE(alphabet > 20);
  for (std::size_t i = 5; i < 5 + alphabet; ++i) {
    CHECK(code_points(vocab[i]) == 1);
    if (i > 5) CHECK(vocab[i - 1] < vocab[i]);
  }
  for (std::size_t i = 5 + alphabet; i < vocab.size(); ++i) CHECK(code_points(vocab[i]) > 1);
  CHECK(vocab[5 + alphabet].rfind("##", 0) == 0);  // the "##" forms follow the alphabet

  // Hugging Face's trainer on the same corpus: the same special tokens and
  // alphabet, and nearly the same merges (ties between pairs of equal count
  // are broken by ids that HF assigns in hash-map order).
  const auto hf = run_python(kHfScript, {(scratch / "corpus.txt").string(), "600"}).get<std::vector<std::string>>();
  REQUIRE(hf.size() == vocab.size());
  CHECK(std::vector<std::string>(hf.begin(), hf.begin() + 5 + static_cast<std::ptrdiff_t>(alphabet)) ==
        std::vector<std::string>(vocab.begin(), vocab.begin() + 5 + static_cast<std::ptrdiff_t>(alphabet)));
  const std::set<std::string> ours(vocab.begin(), vocab.end());
  std::size_t shared = 0;
  for (const auto& token : hf) shared += ours.count(token);
  INFO("shared tokens: ", shared, " of ", vocab.size());
  CHECK(static_cast<double>(shared) >= 0.97 * static_cast<double>(vocab.size()));
}

TEST_CASE("vocab train: --limit-alphabet, --cased and a csv column") {
  ScratchDir scratch;
  std::ofstream(scratch / "corpus.csv") << "id,text\n1,Hello World\n2,hello world again\n3,WORLD hello\n";
  auto result = run_bertlab({"vocab", "train", "--corpus", (scratch / "corpus.csv").string(), "--column", "text",
                             "--size", "40", "--cased", "--out", (scratch / "cased.txt").string(), "--json"});
  INFO("stderr: ", result.err);
  REQUIRE(result.exit_code == 0);
  auto vocab = lines_of(read_file(scratch / "cased.txt"));
  CHECK(std::find(vocab.begin(), vocab.end(), "H") != vocab.end());
  CHECK(std::find(vocab.begin(), vocab.end(), "W") != vocab.end());

  result = run_bertlab({"vocab", "train", "--corpus", (scratch / "corpus.csv").string(), "--column", "text", "--size",
                        "30", "--limit-alphabet", "4", "--out", (scratch / "limited.txt").string(), "--json"});
  REQUIRE(result.exit_code == 0);
  const auto summary = json::parse(result.out);
  CHECK(summary["alphabet"] == 4);
  vocab = lines_of(read_file(scratch / "limited.txt"));
  // The four most frequent characters of "hello world" x3 + "again": l (9), o (6), then ties of 3 broken
  // towards the smaller code point: d, e (h, r, w also have 3; a, g, i, n fewer).
  CHECK(std::vector<std::string>(vocab.begin() + 5, vocab.begin() + 9) == std::vector<std::string>{"d", "e", "l", "o"});
}

TEST_CASE("vocab train: errors name the file or the size") {
  ScratchDir scratch;
  auto result = run_bertlab({"vocab", "train", "--corpus", (scratch / "missing.txt").string(), "--size", "100",
                             "--out", (scratch / "vocab.txt").string()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("missing.txt") != std::string::npos);

  std::ofstream(scratch / "corpus.txt") << "abcdefghij klmnop\n";
  result = run_bertlab({"vocab", "train", "--corpus", (scratch / "corpus.txt").string(), "--size", "10", "--out",
                        (scratch / "vocab.txt").string()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("--size 10 is below") != std::string::npos);
  CHECK(!std::filesystem::exists(scratch / "vocab.txt"));
}
