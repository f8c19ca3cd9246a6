// The eda and synonym plugins through the plugin host: repeatable for a
// seed, the reference code's rates, stop-words, and tags aligned on CoNLL.
#include <algorithm>
#include <map>
#include <set>

#include "augment_support.hpp"
#include "data/dataset.hpp"

// After LibTorch (through the SDK headers), whose CHECK macro would otherwise replace doctest's.
#include <doctest/doctest.h>

using namespace bertlab;
using bertlab::test::augment_all;
using bertlab::test::augmentation;
using bertlab::test::movie_sentences;
using bertlab::test::split_words;

namespace {

std::vector<std::string> texts_of(const std::vector<Example>& examples) {
  std::vector<std::string> out;
  for (const auto& e : examples) out.push_back(e.text);
  return out;
}

// Sentences of `length` distinct words "w0_k ... wN_k", so every word can be followed.
std::vector<Example> numbered_sentences(std::size_t count, std::size_t length) {
  std::vector<Example> out;
  for (std::size_t k = 0; k < count; ++k) {
    std::string text;
    for (std::size_t i = 0; i < length; ++i) text += (i ? " w" : "w") + std::to_string(i) + "x" + std::to_string(k);
    out.push_back(test::text_example(text, std::to_string(k)));
  }
  return out;
}

std::vector<Example> conll_sample(std::int64_t sentences) {
  data::Columns columns;
  columns.format = "conll";
  return data::read_dataset(std::string(BERTLAB_SHARED_DATA) + "/conll2003/eng.train", columns, sentences, true).examples;
}

// The entities of a tagged example in order: (words, tags) of each maximal non-O run.
std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> entity_runs(const Example& e) {
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> out;
  const auto& tags = e.label.as_array();
  bool open = false;
  for (std::size_t i = 0; i < e.words.size(); ++i) {
    const auto& tag = tags[i].as_string();
    if (tag == "O") {
      open = false;
      continue;
    }
    if (!open || tag.rfind("B-", 0) == 0) out.emplace_back();
    out.back().first.push_back(e.words[i]);
    out.back().second.push_back(tag);
    open = true;
  }
  return out;
}

}  // namespace

TEST_CASE("eda: the same seed gives the same augmentations, another seed others") {
  auto eda = augmentation("eda", {{"alpha_sr", 0.1}, {"alpha_ri", 0.1}, {"alpha_rs", 0.1}, {"alpha_rd", 0.1},
                                  {"num_aug", std::int64_t{4}}});
  const auto examples = movie_sentences();
  const auto first = texts_of(augment_all(*eda, examples, 7));
  CHECK(first.size() == examples.size() * 4);
  CHECK(first == texts_of(augment_all(*eda, examples, 7)));
  CHECK(first != texts_of(augment_all(*eda, examples, 8)));
  // Labels and ids follow their originals.
  auto made = augment_all(*eda, {examples[0]}, 7);
  REQUIRE(!made.empty());
  CHECK(made[0].label == examples[0].label);
  CHECK(made[0].id == examples[0].id + "#aug1");
}

TEST_CASE("synonym: the same seed gives the same augmentations, another seed others") {
  auto synonym = augmentation("synonym", {{"rate", 0.3}, {"num_aug", std::int64_t{2}}});
  const auto examples = movie_sentences();
  const auto first = texts_of(augment_all(*synonym, examples, 3));
  CHECK(first.size() >= examples.size());
  CHECK(first == texts_of(augment_all(*synonym, examples, 3)));
  CHECK(first != texts_of(augment_all(*synonym, examples, 4)));
  // Each new example differs from its original (the id says which).
  for (const auto& made : augment_all(*synonym, examples, 3)) {
    const auto original = std::stoul(made.id.substr(0, made.id.find('#')));
    CHECK(made.text != examples.at(original).text);
  }
}

TEST_CASE("eda: random deletion removes each word with probability alpha_rd and keeps the order") {
  auto eda = augmentation("eda", {{"alpha_sr", 0.0}, {"alpha_ri", 0.0}, {"alpha_rs", 0.0}, {"alpha_rd", 0.3},
                                  {"num_aug", std::int64_t{1}}});
  const auto examples = numbered_sentences(400, 20);
  std::mt19937_64 rng(11);
  std::size_t kept = 0;
  for (const auto& e : examples) {
    auto made = eda->augment(e, rng);
    REQUIRE(made.size() == 1);
    auto words = split_words(made[0].text), original = split_words(e.text);
    CHECK(!words.empty());
    // A subsequence of the original: deleted words only.
    std::size_t j = 0;
    for (const auto& w : original)
      if (j < words.size() && words[j] == w) ++j;
    CHECK(j == words.size());
    kept += words.size();
  }
  const double deleted = 1.0 - static_cast<double>(kept) / (400.0 * 20.0);
  CHECK(deleted == doctest::Approx(0.3).epsilon(0.1));  // 8,000 draws: the standard error is 0.005
}

TEST_CASE("eda: random swap makes max(1, int(alpha_rs * words)) swaps, insertion adds synonyms") {
  auto swap = augmentation("eda", {{"alpha_sr", 0.0}, {"alpha_ri", 0.0}, {"alpha_rs", 0.2}, {"alpha_rd", 0.0},
                                   {"num_aug", std::int64_t{1}}});
  std::mt19937_64 rng(5);
  for (const auto& e : numbered_sentences(50, 10)) {
    auto words = split_words(swap->augment(e, rng).at(0).text), original = split_words(e.text);
    REQUIRE(words.size() == original.size());
    std::size_t moved = 0;
    for (std::size_t i = 0; i < words.size(); ++i) moved += words[i] != original[i];
    CHECK(moved <= 4);  // 2 swaps move at most 4 words
    std::sort(words.begin(), words.end());
    std::sort(original.begin(), original.end());
    CHECK(words == original);
  }
  auto insert = augmentation("eda", {{"alpha_sr", 0.0}, {"alpha_ri", 0.2}, {"alpha_rs", 0.0}, {"alpha_rd", 0.0},
                                     {"num_aug", std::int64_t{1}}});
  const auto e = test::text_example("good movie with great actors and happy music");
  auto words = split_words(insert->augment(e, rng).at(0).text), original = split_words(e.text);
  CHECK(words.size() > original.size());  // 1 insertion of a (possibly multi-word) synonym
  std::size_t j = 0;
  for (const auto& w : words)
    if (j < original.size() && w == original[j]) ++j;
  CHECK(j == original.size());  // the original words, in order, around it
}

TEST_CASE("synonym with source = embeddings: neighbours in the model's input embeddings, repeatable") {
  auto synonym = augmentation("synonym", {{"source", "embeddings"},
                                          {"model", BERTLAB_MINILM_DIR},
                                          {"neighbours", std::int64_t{3}},
                                          {"rate", 1.0},
                                          {"num_aug", std::int64_t{3}}});
  const auto e = test::text_example("a terrible movie");
  const auto first = texts_of(augment_all(*synonym, {e}, 5));
  REQUIRE(!first.empty());
  CHECK(first == texts_of(augment_all(*synonym, {e}, 5)));
  // all-MiniLM-L6-v2's three nearest whole words: movie -> movies, film, films;
  // terrible -> horrible, awful, dreadful.
  const std::set<std::string> movie{"movies", "film", "films"}, terrible{"horrible", "awful", "dreadful"};
  for (const auto& text : first) {
    const auto words = split_words(text);
    REQUIRE(words.size() == 3);
    CHECK(words[0] == "a");
    CHECK(terrible.count(words[1]) == 1);
    CHECK(movie.count(words[2]) == 1);
  }
  CHECK_THROWS_WITH(augmentation("synonym", {{"source", "embeddings"}}), doctest::Contains("augment.synonym.model"));
}

TEST_CASE("synonym: stop-words are never replaced, content words are") {
  auto synonym = augmentation("synonym", {{"rate", 1.0}, {"num_aug", std::int64_t{5}}});
  const auto e = test::text_example("it is not a good film but the actors are quick and happy");
  const auto stopwords = std::set<std::string>{"it", "is", "not", "a", "but", "the", "are", "and"};
  std::mt19937_64 rng(1);
  auto made = synonym->augment(e, rng);
  REQUIRE(!made.empty());
  const auto original = split_words(e.text);
  for (const auto& m : made) {
    auto words = split_words(m.text);
    std::map<std::string, int> count;
    for (const auto& w : words) ++count[w];
    for (const auto& w : original) {
      if (stopwords.count(w)) CHECK_MESSAGE(count[w] >= 1, w, " vanished from: ", m.text);
      else CHECK_MESSAGE(count[w] == 0, w, " was not replaced in: ", m.text);  // rate 1: every word with synonyms
    }
  }
}

TEST_CASE("eda and synonym on CoNLL 2003: only O words change, entities and their tags stay, tags aligned") {
  const auto sentences = conll_sample(60);
  REQUIRE(sentences.size() == 60);
  for (const auto& [name, options] :
       std::vector<std::pair<std::string, Table>>{{"eda", {{"alpha_sr", 0.2}, {"alpha_ri", 0.2}, {"alpha_rs", 0.2},
                                                           {"alpha_rd", 0.2}, {"num_aug", std::int64_t{4}}}},
                                                  {"synonym", {{"rate", 0.5}, {"num_aug", std::int64_t{2}}}}}) {
    CAPTURE(name);
    auto a = augmentation(name, options);
    std::mt19937_64 rng(2);
    std::size_t changed = 0, made_count = 0;
    for (const auto& s : sentences) {
      for (const auto& m : a->augment(s, rng)) {
        ++made_count;
        REQUIRE(m.label.is_array());
        REQUIRE(m.words.size() == m.label.as_array().size());
        CHECK(entity_runs(m) == entity_runs(s));
        std::string joined;
        for (const auto& w : m.words) joined += (joined.empty() ? "" : " ") + w;
        CHECK(m.text == joined);
        changed += m.words != s.words;
      }
    }
    CHECK(made_count > 30);
    CHECK(changed > made_count / 2);
  }
}

TEST_CASE("eda and synonym: bad options name the option, QA examples are refused") {
  CHECK_THROWS_WITH(augmentation("eda", {{"alpha_xx", 0.1}}), doctest::Contains("augment.eda.alpha_xx"));
  CHECK_THROWS_WITH(augmentation("eda", {{"alpha_rd", 1.5}}), doctest::Contains("augment.eda.alpha_rd"));
  CHECK_THROWS_WITH(augmentation("synonym", {{"source", "dictionary"}}), doctest::Contains("augment.synonym.dictionary"));
  CHECK_THROWS_WITH(augmentation("synonym", {{"source", "thesaurus"}}), doctest::Contains("augment.synonym.source"));
  Example qa;
  qa.text = "who?";
  qa.text_pair = "nobody";
  qa.label = Value(Array{Value(Table{{"text", Value("nobody")}, {"answer_start", Value(0)}})});
  std::mt19937_64 rng(1);
  CHECK_THROWS_WITH(augmentation("eda")->augment(qa, rng), doctest::Contains("question answering"));
}
