// The `span-extraction` head: Hugging Face's BertForQuestionAnswering (a
// linear start/end pointer over every token) for SQuAD-style extractive
// question answering — SQuAD v1.1 and v2.0 in English, CMRC 2018 in Chinese.
// Long contexts are read in overlapping windows (windows.hpp), answers are
// picked as Google's run_squad does (postprocess.hpp) and scored as the
// official scripts do (answer_metrics.hpp).
#include <bertlab/head.hpp>

#include <map>
#include <stdexcept>

#include <torch/nn/functional/loss.h>
#include <ATen/ATen.h>

#include "answer_metrics.hpp"
#include "postprocess.hpp"
#include "qa_outputs.hpp"
#include "windows.hpp"

namespace {

using namespace bertlab;
using namespace bertlab::span_extraction;

enum class Language { automatic, en, zh };

Language parse_language(const Options& options) {
  const auto name = options.get_string("metric_language", "auto");
  if (name == "auto") return Language::automatic;
  if (name == "en") return Language::en;
  if (name == "zh") return Language::zh;
  throw OptionError(options.path("metric_language"), "expected \"auto\", \"en\" or \"zh\", got \"" + name + "\"");
}

std::vector<std::string> gold_texts(const Example& example) {
  std::vector<std::string> out;
  for (const auto& answer : example.label.as_array()) out.push_back(answer.as_table().at("text").as_string());
  return out;
}

class SpanExtractionHead final : public Head {
 public:
  explicit SpanExtractionHead(const Options& options) : language_(parse_language(options)) {
    windows_.doc_stride = options.get_int_in("doc_stride", 128, 0, 1 << 20);
    windows_.max_query_length = options.get_int_in("max_query_length", 64, 1, 1 << 20);
    answers_.n_best_size = options.get_int_in("n_best_size", 20, 1, 1 << 20);
    answers_.max_answer_length = options.get_int_in("max_answer_length", 30, 1, 1 << 20);
    answers_.version_2_with_negative = options.get_bool("version_2_with_negative", false);
    answers_.null_score_diff_threshold = options.get_double("null_score_diff_threshold", 0.0);
    options.reject_unknown({"doc_stride", "max_query_length", "n_best_size", "max_answer_length",
                            "version_2_with_negative", "null_score_diff_threshold", "metric_language"});
  }

  std::vector<std::string> collect_labels(std::span<const Example>) const override { return {}; }

  void build(const HeadContext& context) override {
    pointer_ = SpanPointer(context.encoder.hidden_size);
    pointer_->init_weights(context.encoder.initializer_range, context.seed);
  }

  torch::nn::Module& module() override {
    if (pointer_.is_empty()) throw std::logic_error("span-extraction: module() before build()");
    return *pointer_;
  }

  std::vector<Feature> featurize(const Example& example, std::int64_t example_index, const Tokenizer& tokenizer,
                                 const EncodeOptions& options) const override {
    return make_windows(example, example_index, tokenizer, options, windows_);
  }

  std::map<std::string, torch::Tensor> collate(std::span<const Feature* const> features,
                                               std::int64_t /*seq_len*/) const override {
    const bool any_labelled =
        std::any_of(features.begin(), features.end(), [](const Feature* f) { return !f->labels.empty(); });
    if (!any_labelled) return {};
    const auto batch = static_cast<std::int64_t>(features.size());
    auto starts = torch::full({batch}, kIgnoreIndex, torch::kInt64);
    auto ends = torch::full({batch}, kIgnoreIndex, torch::kInt64);
    auto start_view = starts.accessor<std::int64_t, 1>();
    auto end_view = ends.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < batch; ++i) {
      const auto& labels = features[static_cast<std::size_t>(i)]->labels;
      if (labels.size() != 2) continue;
      start_view[i] = labels[0];
      end_view[i] = labels[1];
    }
    return {{"start_positions", starts}, {"end_positions", ends}};
  }

  HeadOutput forward(const EncoderOutputs& encoder_outputs, const Batch& /*batch*/) override {
    auto [start, end] = pointer_->forward(encoder_outputs.last_hidden_state);
    return {{"start_logits", start}, {"end_logits", end}};
  }

  torch::Tensor loss(const HeadOutput& output, const Batch& batch) override {
    auto starts = batch.labels.find("start_positions");
    auto ends = batch.labels.find("end_positions");
    if (starts == batch.labels.end() || ends == batch.labels.end())
      throw std::logic_error("span-extraction: loss() on a batch without labels");
    // In float32 even under bf16 autocast: log-softmax over a sequence loses too much in 16 bits.
    const auto start_logits = output.at("start_logits").to(torch::kFloat32);
    const auto end_logits = output.at("end_logits").to(torch::kFloat32);
    // A batch of only unlocatable answers has nothing to learn; cross_entropy would give NaN.
    if (!(starts->second != kIgnoreIndex).any().item<bool>()) return (start_logits.sum() + end_logits.sum()) * 0.0;
    namespace F = torch::nn::functional;
    const auto options = F::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex);
    // HF's BertForQuestionAnswering: the mean of the start and end losses.
    return (F::cross_entropy(start_logits, starts->second, options) + F::cross_entropy(end_logits, ends->second, options)) / 2;
  }

  std::vector<Value> decode_features(const HeadOutput& output, const Batch& batch) const override {
    const auto start = output.at("start_logits").detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const auto end = output.at("end_logits").detach().to(torch::kCPU, torch::kFloat32).contiguous();
    std::vector<Value> results;
    const auto columns = static_cast<std::size_t>(start.size(1));
    for (std::size_t i = 0; i < batch.features.size(); ++i) {
      // Only the window's own tokens: padding is never an answer.
      const auto length = std::min(batch.features[i]->encoding.size(), columns);
      const float* start_row = start.data_ptr<float>() + i * columns;
      const float* end_row = end.data_ptr<float>() + i * columns;
      results.push_back(window_result({start_row, length}, {end_row, length}, answers_.n_best_size));
    }
    return results;
  }

  std::vector<Prediction> predict(std::span<const Example> examples, std::span<const Feature> features,
                                  std::span<const Value> feature_results) const override {
    if (features.size() != feature_results.size()) throw std::logic_error("predict: one result per feature expected");
    std::vector<std::vector<const Feature*>> windows(examples.size());
    std::vector<std::vector<const Value*>> results(examples.size());
    for (std::size_t i = 0; i < features.size(); ++i) {
      const auto example = static_cast<std::size_t>(features[i].example_index);
      windows.at(example).push_back(&features[i]);
      results.at(example).push_back(&feature_results[i]);
    }
    std::vector<Prediction> out;
    out.reserve(examples.size());
    for (std::size_t e = 0; e < examples.size(); ++e) {
      if (windows[e].empty()) throw std::logic_error("predict: an example has no feature");
      out.push_back(best_answer(examples[e], windows[e], results[e], answers_));
    }
    return out;
  }

  Metrics evaluate(std::span<const Example> examples, std::span<const Prediction> predictions) const override {
    if (examples.size() != predictions.size()) throw std::logic_error("evaluate: one prediction per example expected");
    bool chinese = language_ == Language::zh;
    if (language_ == Language::automatic) {
      // CMRC 2018 when most contexts are Chinese.
      std::size_t with_chinese = 0, labelled = 0;
      for (const auto& example : examples) {
        if (example.label.is_null()) continue;
        ++labelled;
        with_chinese += has_chinese(example.text_pair) ? 1 : 0;
      }
      chinese = 2 * with_chinese > labelled;
    }
    // SQuAD 2.0's rules when the data says which questions are unanswerable.
    const bool v2 = !chinese && std::any_of(examples.begin(), examples.end(), [](const Example& e) {
      return e.fields.find("is_impossible") != e.fields.end();
    });
    double exact = 0, f1 = 0, total = 0;
    double has_exact = 0, has_f1 = 0, has_total = 0, no_exact = 0, no_f1 = 0, no_total = 0;
    for (std::size_t i = 0; i < examples.size(); ++i) {
      if (examples[i].label.is_null()) continue;
      const auto gold = gold_texts(examples[i]);
      const auto& text = predictions[i].at("text").as_string();
      const auto score = chinese ? cmrc_score(text, gold) : v2 ? squad_v2_score(text, gold) : squad_v1_score(text, gold);
      exact += score.exact;
      f1 += score.f1;
      total += 1;
      if (!v2) continue;
      // evaluate-v2.0.py's has_ans: a question with gold answers.
      (gold.empty() ? no_exact : has_exact) += score.exact;
      (gold.empty() ? no_f1 : has_f1) += score.f1;
      (gold.empty() ? no_total : has_total) += 1;
    }
    if (total == 0) return {};
    // Percentages, as the official scripts print them.
    Metrics out{{"exact_match", 100 * exact / total}, {"f1", 100 * f1 / total}};
    if (v2) {
      if (has_total > 0) {
        out["HasAns_exact"] = 100 * has_exact / has_total;
        out["HasAns_f1"] = 100 * has_f1 / has_total;
        out["HasAns_total"] = has_total;
      }
      if (no_total > 0) {
        out["NoAns_exact"] = 100 * no_exact / no_total;
        out["NoAns_f1"] = 100 * no_f1 / no_total;
        out["NoAns_total"] = no_total;
      }
    }
    return out;
  }

  std::string default_metric() const override { return "f1"; }

  Table hf_config() const override {
    return {{"architectures", Array{"BertForQuestionAnswering"}},
            {"id2label", Table{{"0", "LABEL_0"}, {"1", "LABEL_1"}}},
            {"label2id", Table{{"LABEL_0", 0}, {"LABEL_1", 1}}}};
  }

 private:
  Language language_;
  WindowOptions windows_;
  AnswerOptions answers_;
  SpanPointer pointer_{nullptr};
};

}  // namespace

BERTLAB_PLUGIN(SpanExtractionHead, "span-extraction", "1.0.0",
               "BertForQuestionAnswering: start/end pointer over the context; SQuAD v1.1/v2.0 and CMRC 2018 scoring")
