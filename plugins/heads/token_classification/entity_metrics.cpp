#include "entity_metrics.hpp"

#include <map>
#include <stdexcept>
#include <string_view>

namespace bertlab::heads {

namespace {

// conlleval splits a tag at its first '-': "B-PER" is ("B", "PER"), "O" is ("O", "").
struct Tag {
  std::string_view prefix;
  std::string_view type;
};

Tag parse(std::string_view tag) {
  const auto dash = tag.find('-');
  if (dash == std::string_view::npos) return {tag, {}};
  return {tag.substr(0, dash), tag.substr(dash + 1)};
}

// conlleval's endOfChunk: did a chunk end between `previous` and `current`?
bool ends_chunk(const Tag& previous, const Tag& current) {
  const auto p = previous.prefix, c = current.prefix;
  if ((p == "B" || p == "I") && (c == "B" || c == "O")) return true;
  if (p == "E" && (c == "E" || c == "I" || c == "O")) return true;
  if (p != "O" && p != "." && previous.type != current.type) return true;
  return p == "]" || p == "[";
}

// conlleval's startOfChunk: did a chunk start at `current`?
bool starts_chunk(const Tag& previous, const Tag& current) {
  const auto p = previous.prefix, c = current.prefix;
  if (c == "B" && (p == "B" || p == "I" || p == "O")) return true;
  if (p == "O" && (c == "I" || c == "E")) return true;
  if (p == "E" && (c == "E" || c == "I")) return true;
  if (c != "O" && c != "." && previous.type != current.type) return true;
  return c == "[" || c == "]";
}

double ratio(double numerator, double denominator) { return denominator == 0 ? 0.0 : numerator / denominator; }

double f1_of(double precision, double recall) {
  return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
}

struct Counts {
  double correct = 0, gold = 0, predicted = 0;
};

}  // namespace

Metrics entity_metrics(std::span<const std::vector<std::string>> gold,
                       std::span<const std::vector<std::string>> predicted) {
  if (gold.size() != predicted.size()) throw std::invalid_argument("entity_metrics: sentence counts differ");
  Counts total;
  std::map<std::string, Counts, std::less<>> by_type;
  double tokens = 0, correct_tokens = 0;
  const Tag outside{"O", {}};
  for (std::size_t s = 0; s < gold.size(); ++s) {
    if (gold[s].size() != predicted[s].size())
      throw std::invalid_argument("entity_metrics: sentence " + std::to_string(s) + " has " +
                                  std::to_string(gold[s].size()) + " gold tags but " +
                                  std::to_string(predicted[s].size()) + " predicted");
    Tag last_gold = outside, last_guess = outside;
    bool in_correct = false;  // inside a chunk that so far matches in both
    // The sentence's tags, then the boundary conlleval reads as an O line.
    for (std::size_t i = 0; i <= gold[s].size(); ++i) {
      const bool boundary = i == gold[s].size();
      const Tag g = boundary ? outside : parse(gold[s][i]);
      const Tag p = boundary ? outside : parse(predicted[s][i]);
      const bool gold_ends = ends_chunk(last_gold, g), guess_ends = ends_chunk(last_guess, p);
      if (in_correct) {
        if (gold_ends && guess_ends && last_guess.type == last_gold.type) {
          in_correct = false;
          total.correct += 1;
          by_type[std::string(last_gold.type)].correct += 1;
        } else if (gold_ends != guess_ends || g.type != p.type) {
          in_correct = false;
        }
      }
      const bool gold_starts = starts_chunk(last_gold, g), guess_starts = starts_chunk(last_guess, p);
      if (gold_starts && guess_starts && g.type == p.type) in_correct = true;
      if (gold_starts) {
        total.gold += 1;
        by_type[std::string(g.type)].gold += 1;
      }
      if (guess_starts) {
        total.predicted += 1;
        by_type[std::string(p.type)].predicted += 1;
      }
      if (!boundary) {
        tokens += 1;
        if (g.prefix == p.prefix && g.type == p.type) correct_tokens += 1;
      }
      last_gold = g;
      last_guess = p;
    }
    // After the boundary (an O) no chunk can still be open: in_correct is false here.
  }
  const double precision = ratio(total.correct, total.predicted), recall = ratio(total.correct, total.gold);
  Metrics out{{"precision", precision},
              {"recall", recall},
              {"f1", f1_of(precision, recall)},
              {"accuracy", ratio(correct_tokens, tokens)}};
  for (const auto& [type, counts] : by_type)
    out["f1_" + type] = f1_of(ratio(counts.correct, counts.predicted), ratio(counts.correct, counts.gold));
  return out;
}

}  // namespace bertlab::heads
