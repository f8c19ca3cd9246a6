// The `crf` head: the token-classification layer gives each word's first
// sub-token its tag scores (emissions) and a linear-chain CRF over the
// words scores whole tag sequences: trained by negative log-likelihood,
// decoded by Viterbi, with BIO's invalid transitions forbidden (option
// `constraints`) and its own learning-rate multiplier (crf.hpp).
#include <ATen/ATen.h>
#include <c10/util/StringUtil.h>

#include "crf.hpp"
#include "tagging_head.hpp"
#include "word_positions.hpp"
#include "word_windows.hpp"

namespace {

using namespace bertlab;

// The emissions and the CRF, registered under one module for the optimizer.
class CrfTaggerImpl : public torch::nn::Module {
 public:
  CrfTaggerImpl(heads::SequenceClassifier emissions, heads::Crf crf) {
    register_module("emissions", std::move(emissions));
    register_module("crf", std::move(crf));
  }
};
TORCH_MODULE(CrfTagger);

class CrfHead final : public heads::TaggingHead {
 public:
  explicit CrfHead(const Options& options)
      : TaggingHead(options),
        multiplier_(options.get_double_in("crf_learning_rate_multiplier", 100.0, 1e-3, 1e6)),
        constraints_(options.get_bool("constraints", true)) {
    options.reject_unknown({"dropout", "stride", "crf_learning_rate_multiplier", "constraints"});
  }

  torch::nn::Module& module() override {
    if (tagger_.is_empty()) throw std::logic_error("crf: module() before build()");
    return *tagger_;
  }

  torch::Tensor loss(const HeadOutput& output, const Batch& batch) override {
    const auto& labels = labels_of(batch);
    const auto words = heads::word_positions(labels != heads::kIgnoreIndex);
    // Float32 even under bf16 autocast: the forward algorithm sums many log-scores.
    const auto emissions = heads::gather_words(output.at("logits").to(torch::kFloat32), words);
    const auto tags = heads::gather_words(labels, words).clamp_min(0);
    const auto nll = crf_->negative_log_likelihood(emissions, tags, words.mask);
    // Per word, as the linear head's cross-entropy is, so that the same
    // learning rates and gradient clipping suit both heads.
    return nll.sum() / words.mask.sum().clamp_min(1).to(nll.scalar_type());
  }

  std::vector<Value> decode_features(const HeadOutput& output, const Batch& batch) const override {
    const auto& labels = labels_of(batch);
    const auto words = heads::word_positions(labels != heads::kIgnoreIndex);
    const auto emissions = heads::gather_words(output.at("logits").detach().to(torch::kFloat32), words);
    const auto best = crf_->decode(emissions, words.mask).to(at::kCPU).contiguous();
    const auto lengths = words.mask.sum(1).to(at::kCPU).contiguous();
    auto view = best.accessor<std::int64_t, 2>();
    auto length_view = lengths.accessor<std::int64_t, 1>();
    std::vector<std::vector<std::int64_t>> tags(static_cast<std::size_t>(labels.size(0)));
    for (std::int64_t b = 0; b < labels.size(0); ++b)
      for (std::int64_t i = 0; i < length_view[b]; ++i) tags[static_cast<std::size_t>(b)].push_back(view[b][i]);
    return tag_results(tags);
  }

  // classifier.weight/bias as BertForTokenClassification names them; the CRF's
  // real scores under pytorch-crf's names (transformers ignores them).
  std::map<std::string, torch::Tensor> state_dict() override {
    std::map<std::string, torch::Tensor> out;
    for (const auto& item : classifier()->named_parameters()) out.emplace(item.key(), item.value());
    for (auto& [name, tensor] : crf_->real_weights()) out.emplace("crf." + name, tensor.detach());
    return out;
  }

  void load_state_dict(const std::map<std::string, torch::Tensor>& tensors) override {
    torch::NoGradGuard no_grad;
    auto find = [&](const std::string& name, const torch::Tensor& like) {
      auto it = tensors.find(name);
      if (it == tensors.end()) throw std::runtime_error("head weight '" + name + "' missing from checkpoint");
      if (it->second.sizes() != like.sizes())
        throw std::runtime_error("head weight '" + name + "' has shape " + c10::str(it->second.sizes()) +
                                 ", expected " + c10::str(like.sizes()));
      return it->second;
    };
    for (auto& item : classifier()->named_parameters()) item.value().copy_(find(item.key(), item.value()));
    std::map<std::string, torch::Tensor> real;
    for (auto& [name, tensor] : crf_->real_weights()) real.emplace(name, find("crf." + name, tensor));
    crf_->load_real_weights(real);
  }

 protected:
  void build_layers(const HeadContext& context) override {
    std::optional<heads::AllowedTransitions> allowed;
    if (constraints_) allowed = heads::bio_allowed_transitions(labels());
    crf_ = heads::Crf(static_cast<std::int64_t>(labels().size()), multiplier_, allowed);
    // Its own stream of the seed: the classifier drew from `seed` already.
    crf_->init_weights(context.seed + 1);
    tagger_ = CrfTagger(classifier(), crf_);
  }

 private:
  double multiplier_;
  bool constraints_;
  heads::Crf crf_{nullptr};
  CrfTagger tagger_{nullptr};
};

}  // namespace

BERTLAB_PLUGIN(CrfHead, "crf", "1.0.0",
               "Token classification + linear-chain CRF over words: NLL training, Viterbi decoding, BIO constraints")
