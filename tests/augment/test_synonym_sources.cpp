// The synonym sources the plugins share, compiled in from their common
// library: WordNet through libwordnet, a Cilin-format dictionary, text units.
#include <algorithm>
#include <fstream>
#include <random>

#include "sentence.hpp"
#include "support.hpp"
#include "synonym_source.hpp"
#include "text_units.hpp"
#include "word_operations.hpp"

// After LibTorch (through the SDK headers), whose CHECK macro would otherwise replace doctest's.
#include <doctest/doctest.h>

#include "run_python.hpp"

using namespace bertlab;
using namespace bertlab::augment;

namespace {

bool contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

}  // namespace

TEST_CASE("wordnet: lemmas of every synset of the word's base forms, the word itself excluded") {
  auto wordnet = wordnet_source();
  // `wn quick -synsa -synsr`: adjective synsets {quick, speedy}, {flying, quick, fast}, {agile, nimble, quick, spry}.
  auto quick = wordnet->synonyms("quick");
  CHECK(contains(quick, "speedy"));
  CHECK(contains(quick, "fast"));
  CHECK(contains(quick, "nimble"));
  CHECK(contains(quick, "quickly"));  // the adverb synset {promptly, quickly, quick}
  CHECK(!contains(quick, "quick"));
  // Base forms: "movies" is the plural of "movie" ({movie, film, picture, moving picture, ...}).
  auto movies = wordnet->synonyms("Movies");
  CHECK(contains(movies, "film"));
  CHECK(contains(movies, "moving picture"));  // underscores become spaces
  CHECK(wordnet->synonyms("xqzvw").empty());
  CHECK(wordnet->synonyms("quick") == quick);  // a pure lookup (cached)
}

// The reference: numpy's cosine similarities over the same candidates.
const char* kNeighboursScript = R"PY(
import json, sys
import numpy as np
from safetensors.numpy import load_file
model, k, low = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
tensors = load_file(f"{model}/model.safetensors")
weights = next(t for n, t in tensors.items() if n.endswith("embeddings.word_embeddings.weight")).astype(np.float64)
vocab = [l.rstrip("\n") for l in open(f"{model}/vocab.txt", encoding="utf-8")]
def candidate(t):
    if not t or t.startswith("##") or (len(t) > 2 and t[0] == "[" and t[-1] == "]"): return False
    return any(ord(c) >= 0x80 or c.isascii() and c.isalpha() for c in t)
ids = [i for i, t in enumerate(vocab) if candidate(t)]
unit = weights[ids] / np.linalg.norm(weights[ids], axis=1, keepdims=True)
where = {vocab[i]: j for j, i in enumerate(ids)}
out = {}
for word in sys.argv[4:]:
    j = where[word]
    scores = unit @ unit[j]
    order = [o for o in np.argsort(-scores, kind="stable") if o != j and scores[o] >= low][:k]
    out[word] = [vocab[ids[o]] for o in order]
print(json.dumps(out))
)PY";

TEST_CASE("embedding neighbours: the nearest whole words of all-MiniLM-L6-v2's input embeddings, as numpy finds them") {
  const std::string model = BERTLAB_MINILM_DIR;
  const auto neighbours = embedding_neighbours(model, 6, 0.45);
  const std::vector<std::string> words{"movie", "terrible", "quickly", "good"};
  std::vector<std::string> args{model, "6", "0.45"};
  args.insert(args.end(), words.begin(), words.end());
  const auto expected = bertlab::test::run_python(kNeighboursScript, args);
  for (const auto& word : words) {
    INFO(word);
    CHECK(neighbours->synonyms(word) == expected[word].get<std::vector<std::string>>());
  }
  CHECK(contains(neighbours->synonyms("movie"), "film"));
  CHECK(neighbours->synonyms("Movie") == neighbours->synonyms("movie"));  // an uncased vocabulary
  CHECK(neighbours->synonyms("xqzvw").empty());                           // not a vocabulary word
  CHECK(neighbours->synonyms("##s").empty());                             // pieces are not words
  CHECK(embedding_neighbours(model, 50, 0.99)->synonyms("movie").empty());  // min_similarity bounds them

  const test::ScratchDir dir;
  { std::ofstream(dir / "vocab.txt") << "[PAD]\nmovie\n"; }
  { std::ofstream(dir / "model.safetensors") << "not a safetensors file"; }
  CHECK_THROWS_WITH(embedding_neighbours(dir.path(), 5, 0.5), doctest::Contains("model.safetensors"));
  CHECK_THROWS_WITH(embedding_neighbours(dir / "missing", 5, 0.5), doctest::Contains("vocab.txt"));
}

TEST_CASE("cilin dictionary: '=' groups are synonyms, '#' and '@' groups are not, bad lines name file and line") {
  test::ScratchDir dir;
  std::ofstream(dir / "cilin.txt") << "Aa01A01= 人 士 人物\nAa01A02= 人类 全人类\nAa01B03# 良民 顺民\nAa01D01@ 东西\n"
                                      "Ba01A01= 好 良好 人物\n";
  auto dictionary = cilin_dictionary(dir / "cilin.txt");
  CHECK(dictionary->synonyms("人") == std::vector<std::string>{"士", "人物"});
  CHECK(dictionary->synonyms("人物") == std::vector<std::string>{"人", "士", "好", "良好"});
  CHECK(dictionary->synonyms("良民").empty());
  CHECK(dictionary->synonyms("东西").empty());

  std::ofstream(dir / "bad.txt") << "Aa01A01= 人 士\nnot a cilin line\n";
  CHECK_THROWS_WITH(cilin_dictionary(dir / "bad.txt"), doctest::Contains("bad.txt:2"));

  // Chinese text without spaces is edited character by character; a two-character synonym gives two.
  Example e;
  e.id = "1";
  e.text = "这个人很好";
  auto sentence = sentence_of(e);
  CHECK(sentence.characters);
  CHECK(sentence.tokens.size() == 5);
  std::mt19937_64 rng(3);
  CHECK(synonym_replacement(sentence, 5, *dictionary, {}, rng) == 2);  // 人 and 好 have synonyms
  auto made = example_of(e, sentence, 1);
  CHECK(made.text != e.text);
  CHECK(made.text.rfind("这个", 0) == 0);
  CHECK(made.text.find(' ') == std::string::npos);
}

TEST_CASE("text units: words and punctuation, case kept") {
  CHECK(split_units("a  quick\tfox").units == std::vector<std::string>{"a", "quick", "fox"});
  CHECK(split_units("中文abc").characters);
  CHECK(!split_units("english").characters);
  auto affixes = split_affixes("(Quick!");
  CHECK(affixes.prefix == "(");
  CHECK(affixes.core == "Quick");
  CHECK(affixes.suffix == "!");
  CHECK(match_case("Quick", "speedy") == "Speedy");
  CHECK(match_case("QUICK", "moving picture") == "MOVING PICTURE");
  CHECK(match_case("quick", "speedy") == "speedy");
}
