// `bertlab vocab extend` on a few ChnSentiCorp rows with all-MiniLM-L6-v2,
// whose uncased English vocabulary writes many Chinese characters as [UNK].
#include <doctest/doctest.h>

#include <algorithm>
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

const std::string kModel = BERTLAB_MINILM_DIR;
const std::filesystem::path kChnSentiCorp = std::filesystem::path(BERTLAB_SHARED_DATA) / "chnsenticorp" / "train.tsv";

// The header and the first `rows` rows of ChnSentiCorp's train.tsv.
void write_corpus(const std::filesystem::path& file, int rows) {
  std::ifstream in(kChnSentiCorp);
  REQUIRE(in);
  std::ofstream out(file, std::ios::binary);
  std::string line;
  for (int i = 0; i <= rows && std::getline(in, line); ++i) out << line << '\n';
}

json extend(const ScratchDir& scratch, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"vocab", "extend", "--model", kModel, "--corpus", (scratch / "corpus.tsv").string(),
                                "--column", "text_a", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_bertlab(args);
  INFO("stderr: ", result.err);
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

// Checks the written model with transformers: it loads with the new size,
// the new rows are what the brief specifies (computed here from the old
// checkpoint and the old tokenizer, not by bertlab), and HF's tokenizers give
// bertlab's ids and [UNK] counts.
const char* kCheckScript = R"PY(
import json, subprocess, sys
import torch
from safetensors.torch import load_file
from transformers import BertModel, BertTokenizer, BertTokenizerFast

old_dir, new_dir, corpus, bertlab, init = sys.argv[1:6]
old_tok = BertTokenizer.from_pretrained(old_dir)
new_slow = BertTokenizer.from_pretrained(new_dir)
new_fast = BertTokenizerFast.from_pretrained(new_dir)
model = BertModel.from_pretrained(new_dir)
old_vocab = [l.rstrip("\n") for l in open(f"{old_dir}/vocab.txt", encoding="utf-8")]
new_vocab = [l.rstrip("\n") for l in open(f"{new_dir}/vocab.txt", encoding="utf-8")]

def word_embeddings(path):
    tensors = load_file(path)
    return next(t for name, t in tensors.items() if name.endswith("embeddings.word_embeddings.weight"))

old_rows = word_embeddings(f"{old_dir}/model.safetensors")
new_rows = word_embeddings(f"{new_dir}/model.safetensors")
old_ids = {t: i for i, t in enumerate(old_vocab)}

# Greedy longest-match-first WordPiece of one word with the old vocabulary
# (transformers 5 has no slow tokenizer whose wordpiece step we could call).
def old_pieces(word):
    pieces, start = [], 0
    while start < len(word):
        end, piece = len(word), None
        while start < end:
            candidate = ("##" if start > 0 else "") + word[start:end]
            if candidate in old_ids:
                piece = candidate
                break
            end -= 1
        if piece is None:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces

worst = 0.0
for i in range(len(old_vocab), len(new_vocab)):
    token = new_vocab[i]
    bare = token[2:] if token.startswith("##") and len(token) > 2 else token
    sources = []
    if init == "mean-of-pieces":
        sources = [old_ids[p] for p in old_pieces(bare) if p != "[UNK]"]
        if not sources and len(bare) == 1:
            other = bare if token != bare else "##" + bare
            sources = [old_ids[other]] if other in old_ids else []
    expected = old_rows[sources].mean(0) if sources else old_rows.mean(0)
    worst = max(worst, (new_rows[i] - expected).abs().max().item())

texts = [l.split("\t", 1)[1].rstrip("\n") for l in open(corpus, encoding="utf-8").readlines()[1:]]
def unk(tok):
    pieces = [p for t in texts for p in tok.tokenize(t)]
    return len(pieces), sum(p == "[UNK]" for p in pieces)

# The first text whose tokens change: it has new tokens.
sentence = next(t for t in texts if old_tok.tokenize(t) != new_fast.tokenize(t))
out = subprocess.run([bertlab, "tokenize", "--model", new_dir, "--json", sentence], capture_output=True,
                     text=True, check=True).stdout
print(json.dumps({
    "model_vocab_size": model.config.vocab_size,
    "embedding_rows": model.embeddings.word_embeddings.num_embeddings,
    "old_rows_equal": bool(torch.equal(new_rows[:len(old_vocab)], old_rows)),
    "worst_row_difference": worst,
    "fast_ids": new_fast(sentence)["input_ids"],
    "slow_ids": new_slow(sentence)["input_ids"],
    "bertlab_ids": json.loads(out)["ids"],
    "sentence_has_new_token": any(i >= len(old_vocab) for i in new_fast(sentence)["input_ids"]),
    "unk_before": unk(old_tok), "unk_after": unk(new_fast),
}))
)PY";

}  // namespace

TEST_CASE("vocab extend: old ids kept, new characters used, the model loads in transformers with the new size") {
  ScratchDir scratch;
  write_corpus(scratch / "corpus.tsv", 60);
  const auto out_dir = scratch / "extended";
  const auto summary = extend(scratch, {"--out", out_dir.string()});

  const auto old_vocab = lines_of(read_file(std::filesystem::path(kModel) / "vocab.txt"));
  const auto new_vocab = lines_of(read_file(out_dir / "vocab.txt"));
  const auto added = summary["added"].get<std::size_t>();
  REQUIRE(added > 0);
  CHECK(summary["old_vocab_size"] == old_vocab.size());
  CHECK(summary["new_vocab_size"] == old_vocab.size() + added);
  REQUIRE(new_vocab.size() == old_vocab.size() + added);
  CHECK(std::equal(old_vocab.begin(), old_vocab.end(), new_vocab.begin()));  // every old token keeps its id
  // New tokens: by count, then text; each seen at least --min-count (2) times; none already in the vocabulary.
  const std::set<std::string> old_set(old_vocab.begin(), old_vocab.end());
  for (std::size_t i = 0; i < added; ++i) {
    const auto& token = summary["new_tokens"][i];
    CHECK(token["token"] == new_vocab[old_vocab.size() + i]);
    CHECK(token["count"].get<int>() >= 2);
    CHECK(old_set.count(token["token"].get<std::string>()) == 0);
    if (i > 0) {
      const auto& previous = summary["new_tokens"][i - 1];
      CHECK((previous["count"] > token["count"] ||
             (previous["count"] == token["count"] && previous["token"] < token["token"])));
    }
  }
  CHECK(!std::filesystem::exists(out_dir / "tokenizer.json"));  // it would hold the old vocabulary

  const auto check = run_python(kCheckScript, {kModel, out_dir.string(), (scratch / "corpus.tsv").string(),
                                               BERTLAB_EXE, "mean-of-pieces"});
  CHECK(check["model_vocab_size"] == new_vocab.size());
  CHECK(check["embedding_rows"] == new_vocab.size());
  CHECK(check["old_rows_equal"] == true);
  CHECK(check["worst_row_difference"].get<double>() < 1e-6);
  CHECK(check["sentence_has_new_token"] == true);
  CHECK(check["bertlab_ids"] == check["fast_ids"]);
  CHECK(check["bertlab_ids"] == check["slow_ids"]);
  // bertlab's [UNK] counts are HF's, and fall.
  CHECK(summary["unk_before"]["tokens"] == check["unk_before"][0]);
  CHECK(summary["unk_before"]["unk"] == check["unk_before"][1]);
  CHECK(summary["unk_after"]["tokens"] == check["unk_after"][0]);
  CHECK(summary["unk_after"]["unk"] == check["unk_after"][1]);
  CHECK(summary["unk_after"]["unk"].get<int>() < summary["unk_before"]["unk"].get<int>() / 2);
}

TEST_CASE("vocab extend: --init mean, --max-new and --min-count") {
  ScratchDir scratch;
  write_corpus(scratch / "corpus.tsv", 60);
  const auto all = extend(scratch, {"--out", (scratch / "all").string(), "--min-count", "1"});
  const auto capped = extend(scratch, {"--out", (scratch / "capped").string(), "--min-count", "1", "--max-new", "5",
                                       "--init", "mean"});
  const auto frequent = extend(scratch, {"--out", (scratch / "frequent").string(), "--min-count", "3"});
  REQUIRE(all["added"].get<int>() > 5);
  CHECK(capped["added"] == 5);
  for (int i = 0; i < 5; ++i) CHECK(capped["new_tokens"][i] == all["new_tokens"][i]);  // the most frequent
  CHECK(frequent["added"].get<int>() < all["added"].get<int>());
  const auto& kept = frequent["new_tokens"];
  for (const auto& token : all["new_tokens"])
    if (token["count"].get<int>() >= 3) CHECK(std::find(kept.begin(), kept.end(), token) != kept.end());
  CHECK(all["below_min_count"] == 0);
  CHECK(frequent["below_min_count"].get<int>() + frequent["added"].get<int>() == all["added"].get<int>());

  const auto check = run_python(kCheckScript, {kModel, (scratch / "capped").string(),
                                               (scratch / "corpus.tsv").string(), BERTLAB_EXE, "mean"});
  CHECK(check["embedding_rows"] == capped["new_vocab_size"]);
  CHECK(check["worst_row_difference"].get<double>() < 1e-6);
  CHECK(check["bertlab_ids"] == check["fast_ids"]);
}

TEST_CASE("vocab extend: a plain text corpus and errors that name the file") {
  ScratchDir scratch;
  std::ofstream(scratch / "corpus.txt") << "我喜欢这家酒店的龘龘。\n\n龘龘很好！\n";
  auto result = run_bertlab({"vocab", "extend", "--model", kModel, "--corpus", (scratch / "corpus.txt").string(),
                             "--out", (scratch / "out").string(), "--json"});
  INFO("stderr: ", result.err);
  REQUIRE(result.exit_code == 0);
  const auto summary = json::parse(result.out);
  CHECK(summary["texts"] == 2);
  REQUIRE(summary["added"] == 1);
  CHECK(summary["new_tokens"][0]["token"] == "龘");
  CHECK(summary["new_tokens"][0]["count"] == 4);
  CHECK(summary["unk_after"]["unk"] < summary["unk_before"]["unk"]);

  result = run_bertlab({"vocab", "extend", "--model", kModel, "--corpus", (scratch / "missing.txt").string(), "--out",
                        (scratch / "out2").string()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("missing.txt") != std::string::npos);
  CHECK(!std::filesystem::exists(scratch / "out2"));

  std::ofstream(scratch / "corpus.tsv") << "label\ttext_a\n1\t好\n";
  result = run_bertlab({"vocab", "extend", "--model", kModel, "--corpus", (scratch / "corpus.tsv").string(),
                        "--column", "sentence", "--out", (scratch / "out3").string()});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("corpus.tsv") != std::string::npos);
  CHECK(result.err.find("sentence") != std::string::npos);

  result = run_bertlab({"vocab", "extend", "--model", kModel, "--corpus", (scratch / "corpus.txt").string(), "--out",
                        kModel});
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("must not be the model directory") != std::string::npos);
}
