// From start/end logits to answer text, as Google's run_squad does it
// (write_predictions): per window, the n_best_size highest start and end
// logits; every pair with both tokens in the context, the start token in
// the window where it has the most context on both sides, end >= start and
// at most max_answer_length tokens is a candidate scored start + end logit;
// the best candidate over all windows of a question wins. With
// version_2_with_negative (SQuAD 2.0), the null answer's score is the lowest
// [CLS] start + end logit over the windows, and the answer is empty when
// that beats the best candidate by more than null_score_diff_threshold.
// The text is the context's characters under the tokens' offsets (HF's
// run_qa way; Google re-aligned de-tokenized text because it had none).
#pragma once

#include <cstdint>
#include <span>

#include <bertlab/head.hpp>

namespace bertlab::span_extraction {

struct AnswerOptions {
  std::int64_t n_best_size = 20;
  std::int64_t max_answer_length = 30;
  bool version_2_with_negative = false;
  double null_score_diff_threshold = 0.0;
};

// One window's result: {"start": [[token, logit], ...], "end": [...]} with
// the n_best highest logits of the window's tokens, best first (ties: the
// lower token first, as Python's stable sort), and "null": the [CLS] start +
// end logit.
Value window_result(std::span<const float> start_logits, std::span<const float> end_logits, std::int64_t n_best);

// The answer to one question from its windows (`windows[i]` with
// `results[i]`, in window order): {"text", "answer_start" (code points, -1
// for no answer), "score"} and, with version_2_with_negative, "null_score".
Prediction best_answer(const Example& example, std::span<const Feature* const> windows,
                       std::span<const Value* const> results, const AnswerOptions& options);

}  // namespace bertlab::span_extraction
