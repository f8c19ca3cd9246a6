#include "postprocess.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "text.hpp"

namespace bertlab::span_extraction {

namespace {

// Where a window's context tokens lie among all context tokens of the
// question, for Google's "max context" rule.
struct WindowPlace {
  std::int64_t first_token = -1;  // in the window's encoding
  std::int64_t count = 0;
  std::int64_t global_begin = 0;  // index of its first context token among all
};

std::vector<WindowPlace> place_windows(std::span<const Feature* const> windows) {
  std::vector<WindowPlace> places;
  std::map<std::int64_t, std::int64_t> global_by_offset;  // a token's begin offset -> its global index
  std::int64_t next = 0;
  for (const Feature* feature : windows) {
    WindowPlace place;
    const auto& encoding = feature->encoding;
    for (std::size_t i = 0; i < encoding.size(); ++i) {
      if (encoding.sequence_ids[i] != 1) continue;
      if (place.first_token < 0) place.first_token = static_cast<std::int64_t>(i);
      ++place.count;
    }
    if (place.count > 0) {
      auto it = global_by_offset.find(encoding.offsets[static_cast<std::size_t>(place.first_token)].begin);
      place.global_begin = it != global_by_offset.end() ? it->second : next;
      for (std::int64_t k = 0; k < place.count; ++k)
        global_by_offset.emplace(encoding.offsets[static_cast<std::size_t>(place.first_token + k)].begin, place.global_begin + k);
      next = std::max(next, place.global_begin + place.count);
    }
    places.push_back(place);
  }
  return places;
}

// _check_is_max_context: whether `window` is, among the windows holding the
// context token `global`, the first with the highest min(left, right) +
// 0.01 * length.
bool is_max_context(const std::vector<WindowPlace>& places, std::size_t window, std::int64_t global) {
  std::optional<double> best_score;
  std::size_t best = 0;
  for (std::size_t w = 0; w < places.size(); ++w) {
    const auto& p = places[w];
    if (p.count == 0 || global < p.global_begin || global >= p.global_begin + p.count) continue;
    const auto left = global - p.global_begin, right = p.global_begin + p.count - 1 - global;
    const double score = static_cast<double>(std::min(left, right)) + 0.01 * static_cast<double>(p.count);
    if (!best_score || score > *best_score) {
      best_score = score;
      best = w;
    }
  }
  return best_score && best == window;
}

std::vector<std::pair<std::int64_t, double>> indexed(const Value& value) {
  std::vector<std::pair<std::int64_t, double>> out;
  for (const auto& item : value.as_array()) out.emplace_back(item.as_array().at(0).as_int(), item.as_array().at(1).as_double());
  return out;
}

Array top(std::span<const float> logits, std::int64_t n_best) {
  std::vector<std::int64_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    return logits[static_cast<std::size_t>(a)] > logits[static_cast<std::size_t>(b)];
  });
  order.resize(std::min<std::size_t>(order.size(), static_cast<std::size_t>(n_best)));
  Array out;
  for (auto i : order) out.push_back(Array{Value(i), Value(static_cast<double>(logits[static_cast<std::size_t>(i)]))});
  return out;
}

}  // namespace

Value window_result(std::span<const float> start_logits, std::span<const float> end_logits, std::int64_t n_best) {
  if (start_logits.empty() || start_logits.size() != end_logits.size())
    throw std::logic_error("span-extraction: a window needs as many start as end logits, at least one");
  return Table{{"start", top(start_logits, n_best)},
               {"end", top(end_logits, n_best)},
               {"null", static_cast<double>(start_logits[0]) + static_cast<double>(end_logits[0])}};
}

Prediction best_answer(const Example& example, std::span<const Feature* const> windows,
                       std::span<const Value* const> results, const AnswerOptions& options) {
  if (windows.size() != results.size()) throw std::logic_error("span-extraction: one result per window expected");
  const auto places = place_windows(windows);
  struct Best {
    double score = -std::numeric_limits<double>::infinity();
    std::int64_t begin = -1, end = -1;  // code points of the context
  } best;
  double null_score = std::numeric_limits<double>::infinity();
  for (std::size_t w = 0; w < windows.size(); ++w) {
    const auto& encoding = windows[w]->encoding;
    const auto& result = results[w]->as_table();
    null_score = std::min(null_score, result.at("null").as_double());
    const auto starts = indexed(result.at("start")), ends = indexed(result.at("end"));
    const auto size = static_cast<std::int64_t>(encoding.size());
    auto in_context = [&](std::int64_t token) {
      return token >= 0 && token < size && encoding.sequence_ids[static_cast<std::size_t>(token)] == 1;
    };
    for (const auto& [start, start_logit] : starts) {
      if (!in_context(start)) continue;
      if (!is_max_context(places, w, places[w].global_begin + (start - places[w].first_token))) continue;
      for (const auto& [end, end_logit] : ends) {
        if (!in_context(end) || end < start || end - start + 1 > options.max_answer_length) continue;
        const double score = start_logit + end_logit;
        if (score > best.score) {
          best.score = score;
          best.begin = encoding.offsets[static_cast<std::size_t>(start)].begin;
          best.end = encoding.offsets[static_cast<std::size_t>(end)].end;
        }
      }
    }
  }
  Prediction prediction;
  const bool answered = best.begin >= 0 && !(options.version_2_with_negative &&
                                             null_score - best.score > options.null_score_diff_threshold);
  if (answered) {
    const auto bytes = code_point_bytes(example.text_pair);
    const auto clamp = [&](std::int64_t cp) { return bytes.at(std::min<std::size_t>(static_cast<std::size_t>(cp), bytes.size() - 1)); };
    prediction.emplace("text", example.text_pair.substr(clamp(best.begin), clamp(best.end) - clamp(best.begin)));
    prediction.emplace("answer_start", best.begin);
    prediction.emplace("score", best.score);
  } else {
    prediction.emplace("text", "");
    prediction.emplace("answer_start", std::int64_t{-1});
    prediction.emplace("score", best.begin >= 0 ? best.score : null_score);
  }
  if (options.version_2_with_negative) prediction.emplace("null_score", null_score);
  return prediction;
}

}  // namespace bertlab::span_extraction
