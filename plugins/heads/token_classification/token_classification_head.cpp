// The `token-classification` head: Hugging Face's BertForTokenClassification
// (dropout and a linear layer on every token), trained with cross-entropy on
// each word's first sub-token, decoded by the best tag of that sub-token.
#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>

#include "tagging_head.hpp"
#include "word_windows.hpp"

namespace {

using namespace bertlab;

class TokenClassificationHead final : public heads::TaggingHead {
 public:
  explicit TokenClassificationHead(const Options& options) : TaggingHead(options) {
    options.reject_unknown({"dropout", "stride"});
  }

  torch::nn::Module& module() override {
    if (classifier().is_empty()) throw std::logic_error("token-classification: module() before build()");
    return *classifier();
  }

  torch::Tensor loss(const HeadOutput& output, const Batch& batch) override {
    // Float32 even under bf16 autocast: log-softmax loses too much in 16 bits.
    const auto logits = output.at("logits").to(torch::kFloat32);
    auto labels = labels_of(batch);
    labels = at::where(labels == heads::kUnlabelled, at::full_like(labels, heads::kIgnoreIndex), labels);
    namespace F = torch::nn::functional;
    return F::cross_entropy(logits.reshape({-1, logits.size(-1)}), labels.reshape({-1}),
                            F::CrossEntropyFuncOptions().ignore_index(heads::kIgnoreIndex));
  }

  std::vector<Value> decode_features(const HeadOutput& output, const Batch& batch) const override {
    const auto best = output.at("logits").detach().argmax(-1).to(at::kCPU).contiguous();
    const auto labels = labels_of(batch).to(at::kCPU).contiguous();
    auto best_view = best.accessor<std::int64_t, 2>();
    auto label_view = labels.accessor<std::int64_t, 2>();
    std::vector<std::vector<std::int64_t>> tags(static_cast<std::size_t>(best.size(0)));
    for (std::int64_t b = 0; b < best.size(0); ++b)
      for (std::int64_t i = 0; i < best.size(1); ++i)
        if (label_view[b][i] != heads::kIgnoreIndex) tags[static_cast<std::size_t>(b)].push_back(best_view[b][i]);
    return tag_results(tags);
  }

 protected:
  void build_layers(const HeadContext& /*context*/) override {}
};

}  // namespace

BERTLAB_PLUGIN(TokenClassificationHead, "token-classification", "1.0.0",
               "BertForTokenClassification: dropout + linear on every token; one tag per word (first sub-token)")
