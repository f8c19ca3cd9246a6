#include "windows.hpp"

#include <stdexcept>
#include <string>

#include "text.hpp"

namespace bertlab::span_extraction {

namespace {

bool is_impossible(const Example& example) {
  auto it = example.fields.find("is_impossible");
  return it != example.fields.end() && it->second.is_bool() && it->second.as_bool();
}

// The question as the model sees it: leading whitespace dropped (HF's run_qa
// does, so that a window does not waste room), then cut after its
// max_query_length-th token (Google's run_squad keeps that many).
std::string model_question(const Example& example, const Tokenizer& tokenizer, std::int64_t max_query_length) {
  std::string_view question = example.text;
  while (!question.empty() && (question.front() == ' ' || question.front() == '\t' || question.front() == '\n' ||
                               question.front() == '\r'))
    question.remove_prefix(1);
  EncodeOptions alone;
  alone.max_length = 0;
  alone.truncation = Truncation::none;
  alone.add_special_tokens = false;
  const auto encoding = tokenizer.encode(question, alone);
  if (static_cast<std::int64_t>(encoding.size()) <= max_query_length) return std::string(question);
  const auto bytes = code_point_bytes(question);
  const auto end = encoding.offsets[static_cast<std::size_t>(max_query_length - 1)].end;
  return std::string(question.substr(0, bytes.at(static_cast<std::size_t>(end))));
}

}  // namespace

std::optional<CharSpan> training_answer(const Example& example) {
  if (!example.label.is_array()) return std::nullopt;
  const auto context = decode_utf8(example.text_pair);
  for (const auto& item : example.label.as_array()) {
    if (!item.is_table()) throw std::invalid_argument("an answer must be a table {text, answer_start}");
    const auto& answer = item.as_table();
    auto text = answer.find("text");
    auto start = answer.find("answer_start");
    if (text == answer.end() || !text->second.is_string() || start == answer.end() || !start->second.is_int())
      throw std::invalid_argument("an answer needs a string 'text' and an integer 'answer_start'");
    const auto answer_text = decode_utf8(text->second.as_string());
    const auto begin = start->second.as_int();
    if (begin < 0 || static_cast<std::size_t>(begin) + answer_text.size() > context.size()) continue;
    if (context.compare(static_cast<std::size_t>(begin), answer_text.size(), answer_text) != 0) continue;
    return CharSpan{begin, begin + static_cast<std::int64_t>(answer_text.size())};
  }
  return std::nullopt;
}

std::vector<std::int64_t> window_label(const Encoding& window, const std::optional<CharSpan>& span) {
  if (!span) return {0, 0};
  std::int64_t first = -1, last = -1;  // the window's context tokens
  for (std::size_t i = 0; i < window.size(); ++i) {
    if (window.sequence_ids[i] != 1) continue;
    if (first < 0) first = static_cast<std::int64_t>(i);
    last = static_cast<std::int64_t>(i);
  }
  if (first < 0) return {0, 0};
  const auto& offsets = window.offsets;
  if (offsets[static_cast<std::size_t>(first)].begin > span->begin || offsets[static_cast<std::size_t>(last)].end < span->end)
    return {0, 0};
  std::int64_t start = first;
  while (start + 1 <= last && offsets[static_cast<std::size_t>(start + 1)].begin <= span->begin) ++start;
  std::int64_t end = start;
  while (end < last && offsets[static_cast<std::size_t>(end)].end < span->end) ++end;
  return {start, end};
}

std::vector<Feature> make_windows(const Example& example, std::int64_t example_index, const Tokenizer& tokenizer,
                                  const EncodeOptions& options, const WindowOptions& windows) {
  const std::string question = model_question(example, tokenizer, windows.max_query_length);
  EncodeOptions pair = options;
  pair.truncation = Truncation::only_second;
  pair.stride = windows.doc_stride;
  pair.return_overflowing = true;
  if (pair.max_length > 0) {
    EncodeOptions alone;
    alone.max_length = 0;
    alone.truncation = Truncation::none;
    alone.add_special_tokens = false;
    const auto question_tokens = static_cast<std::int64_t>(tokenizer.encode(question, alone).size());
    const auto room = pair.max_length - 3 - question_tokens;
    if (room <= windows.doc_stride)
      throw std::invalid_argument("question " + example.id + ": max_length " + std::to_string(pair.max_length) +
                                  " leaves " + std::to_string(room) + " context tokens beside a " +
                                  std::to_string(question_tokens) + "-token question, not more than doc_stride " +
                                  std::to_string(windows.doc_stride) + "; raise max_length or lower doc_stride");
  }
  auto encoding = tokenizer.encode(TextInput{question, example.text_pair, true, {}}, pair);
  std::vector<Encoding> parts;
  parts.reserve(1 + encoding.overflowing.size());
  auto overflowing = std::move(encoding.overflowing);
  encoding.overflowing.clear();
  parts.push_back(std::move(encoding));
  for (auto& window : overflowing) parts.push_back(std::move(window));

  const bool labelled = !example.label.is_null();
  std::optional<CharSpan> span;
  bool ignore = false;
  if (labelled && !is_impossible(example)) {
    span = training_answer(example);
    // Answers none of which is where it says (an offset the reader could not
    // repair): no window gets a loss rather than a wrong one.
    ignore = !span && !example.label.as_array().empty();
  }
  std::vector<Feature> features;
  for (auto& window : parts) {
    Feature feature;
    feature.example_index = example_index;
    if (labelled) feature.labels = ignore ? std::vector<std::int64_t>{kIgnoreIndex, kIgnoreIndex} : window_label(window, span);
    feature.encoding = std::move(window);
    features.push_back(std::move(feature));
  }
  return features;
}

}  // namespace bertlab::span_extraction
