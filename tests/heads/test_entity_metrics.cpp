// Entity-level metrics as conlleval computes them: hand-computed cases for
// the tricky parts of its chunk rules, and random taggings checked against
// an independent Python implementation (seqeval's get_entities algorithm,
// which reproduces conlleval, with entity sets intersected).
#include <random>
#include <string>
#include <vector>

#include "../plugins/heads/token_classification/entity_metrics.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include "run_python.hpp"

using bertlab::heads::entity_metrics;
using Sentences = std::vector<std::vector<std::string>>;

TEST_CASE("entity metrics: a wrong type counts as a miss and a false alarm, accuracy is per token") {
  const Sentences gold{{"B-PER", "I-PER", "O", "B-LOC"}}, predicted{{"B-PER", "I-PER", "O", "B-ORG"}};
  auto m = entity_metrics(gold, predicted);
  CHECK(m["precision"] == doctest::Approx(0.5));
  CHECK(m["recall"] == doctest::Approx(0.5));
  CHECK(m["f1"] == doctest::Approx(0.5));
  CHECK(m["accuracy"] == doctest::Approx(0.75));
  CHECK(m["f1_PER"] == doctest::Approx(1.0));
  CHECK(m["f1_LOC"] == 0.0);
  CHECK(m["f1_ORG"] == 0.0);
}

TEST_CASE("entity metrics: an I- without B- starts an entity, tags compared whole for accuracy") {
  const Sentences gold{{"O", "I-PER", "I-PER"}}, predicted{{"O", "B-PER", "I-PER"}};
  auto m = entity_metrics(gold, predicted);
  CHECK(m["f1"] == doctest::Approx(1.0));
  CHECK(m["accuracy"] == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("entity metrics: a sentence end ends an entity, so I- in the next sentence is a new one") {
  const Sentences tags{{"O", "B-PER"}, {"I-PER", "O"}};
  auto m = entity_metrics(tags, tags);
  CHECK(m["f1"] == doctest::Approx(1.0));
  // Two gold entities: with a wrong second one, precision and recall are 1/2.
  const Sentences predicted{{"O", "B-PER"}, {"O", "O"}};
  auto half = entity_metrics(tags, predicted);
  CHECK(half["precision"] == doctest::Approx(1.0));
  CHECK(half["recall"] == doctest::Approx(0.5));
  CHECK(half["f1"] == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("entity metrics: a type change inside a run or a shorter span is not a match") {
  auto changed = entity_metrics(Sentences{{"B-PER", "I-PER"}}, Sentences{{"B-PER", "I-LOC"}});
  CHECK(changed["precision"] == 0.0);
  CHECK(changed["recall"] == 0.0);
  CHECK(changed["f1"] == 0.0);
  auto shorter = entity_metrics(Sentences{{"B-PER", "I-PER", "I-PER"}}, Sentences{{"B-PER", "I-PER", "O"}});
  CHECK(shorter["f1"] == 0.0);
  CHECK(shorter["accuracy"] == doctest::Approx(2.0 / 3.0));
  // Nothing predicted, nothing gold: conlleval prints 0 rather than dividing by zero.
  auto empty = entity_metrics(Sentences{{"O"}}, Sentences{{"O"}});
  CHECK(empty["f1"] == 0.0);
  CHECK(empty["accuracy"] == 1.0);
}

TEST_CASE("entity metrics: random taggings agree with an independent implementation") {
  // Tags with every awkward case: I- without B-, type changes, touching entities.
  const std::vector<std::string> tagset{"O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-MISC", "B-MISC"};
  std::mt19937 random(11);
  nlohmann::json cases = nlohmann::json::array();
  std::vector<std::pair<Sentences, Sentences>> inputs;
  for (int c = 0; c < 20; ++c) {
    Sentences gold, predicted;
    const int sentences = 1 + static_cast<int>(random() % 6);
    for (int s = 0; s < sentences; ++s) {
      const auto length = 1 + random() % 9;
      std::vector<std::string> g, p;
      for (std::size_t i = 0; i < length; ++i) {
        g.push_back(tagset[random() % tagset.size()]);
        // Mostly right, sometimes anything: realistic and not trivial.
        p.push_back(random() % 3 == 0 ? tagset[random() % tagset.size()] : g.back());
      }
      gold.push_back(g);
      predicted.push_back(p);
    }
    cases.push_back({{"gold", gold}, {"predicted", predicted}});
    inputs.emplace_back(gold, predicted);
  }
  bertlab::test::ScratchDir dir;
  std::ofstream(dir / "cases.json") << cases.dump();
  auto expected = bertlab::test::run_python(R"(
import json, sys

def split(tag):
    return (tag, "") if tag == "O" else (tag[0], tag[2:])

def end_of_chunk(prev_tag, tag, prev_type, type_):
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag != "O" and prev_type != type_

def start_of_chunk(prev_tag, tag, prev_type, type_):
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag != "O" and prev_type != type_

def entities(sentences):
    found = set()
    for s, tags in enumerate(sentences):
        prev_tag, prev_type, begin = "O", "", 0
        for i, chunk in enumerate(tags + ["O"]):
            tag, type_ = split(chunk)
            if end_of_chunk(prev_tag, tag, prev_type, type_):
                found.add((prev_type, s, begin, i - 1))
            if start_of_chunk(prev_tag, tag, prev_type, type_):
                begin = i
            prev_tag, prev_type = tag, type_
    return found

def prf(gold, guess):
    hit = len(gold & guess)
    p = hit / len(guess) if guess else 0.0
    r = hit / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

out = []
for case in json.load(open(sys.argv[1])):
    gold, guess = entities(case["gold"]), entities(case["predicted"])
    p, r, f = prf(gold, guess)
    pairs = [(g, q) for gs, qs in zip(case["gold"], case["predicted"]) for g, q in zip(gs, qs)]
    result = {"precision": p, "recall": r, "f1": f, "accuracy": sum(g == q for g, q in pairs) / len(pairs)}
    for t in {e[0] for e in gold | guess}:
        result["f1_" + t] = prf({e for e in gold if e[0] == t}, {e for e in guess if e[0] == t})[2]
    out.append(result)
print(json.dumps(out))
)",
                                            {(dir / "cases.json").string()});
  REQUIRE(expected.size() == inputs.size());
  for (std::size_t c = 0; c < inputs.size(); ++c) {
    auto m = entity_metrics(inputs[c].first, inputs[c].second);
    INFO("case ", c, ": ", cases[c].dump());
    CHECK(m.size() == expected[c].size());
    for (const auto& [name, value] : expected[c].items()) CHECK(m[name] == doctest::Approx(value.get<double>()));
  }
}
