// Features of one question: the question (cut to max_query_length tokens)
// paired with windows of the context that overlap by doc_stride tokens (the
// tokenizer's overflowing windows, as HF's run_qa asks for them), each with
// its training label: the start and end token of the answer when the whole
// answer lies inside the window, else [CLS] (0, 0), also for unanswerable
// questions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <bertlab/head.hpp>

namespace bertlab::span_extraction {

struct WindowOptions {
  std::int64_t doc_stride = 128;       // tokens shared by consecutive windows
  std::int64_t max_query_length = 64;  // question tokens kept
};

// A label that gives no loss: the question's answers are all outside its
// context (an unrepairable offset), so there is nothing to point at.
inline constexpr std::int64_t kIgnoreIndex = -100;

// Throws std::invalid_argument when max_length leaves no more context tokens
// than doc_stride, or for a label that is not an array of answer tables.
std::vector<Feature> make_windows(const Example& example, std::int64_t example_index, const Tokenizer& tokenizer,
                                  const EncodeOptions& options, const WindowOptions& windows);

// The first answer whose text is at its answer_start in the context, as
// [begin, end) code points; nullopt when none is (or there are no answers).
struct CharSpan {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};
std::optional<CharSpan> training_answer(const Example& example);

// The label of one window for the answer `span` (nullopt: unanswerable).
std::vector<std::int64_t> window_label(const Encoding& window, const std::optional<CharSpan>& span);

}  // namespace bertlab::span_extraction
