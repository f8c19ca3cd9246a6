// mixup on hidden states (Level::hidden_states): each row of a training
// batch is interpolated with a partner row of the same batch,
//     h' = lambda * h + (1 - lambda) * h[permutation],  lambda ~ Beta(alpha, alpha),
// and the host weighs the head's losses on the two label sets the same way.
// After the encoder (the pooled output and the token states: Guo et al. 2019,
// "Augmenting Data with Mixup for Sentence Classification") or, with the
// host option `layer`, at an encoder layer (TMix, Chen et al. 2020,
// "MixText"). Everything random comes from the generator the host passes in.
#include <bertlab/augmentation.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace {

using bertlab::Augmentation;
using bertlab::BatchMix;
using bertlab::EncoderOutputs;

// Beta(a, a) as X / (X + Y) with X, Y ~ Gamma(a, 1).
double sample_beta(double alpha, std::mt19937_64& rng) {
  std::gamma_distribution<double> gamma(alpha, 1.0);
  const double x = gamma(rng), y = gamma(rng);
  // Both can underflow to 0 for a tiny alpha: then either end is as likely.
  if (x + y == 0) return std::uniform_int_distribution<int>(0, 1)(rng) == 0 ? 0.0 : 1.0;
  return x / (x + y);
}

torch::Tensor interpolate(const torch::Tensor& h, const torch::Tensor& permutation, double lambda) {
  return h * lambda + h.index_select(0, permutation.to(h.device())) * (1.0 - lambda);
}

class Mixup : public Augmentation {
 public:
  explicit Mixup(const bertlab::Options& options)
      : alpha_(options.get_double_in("alpha", 0.4, 1e-6, 1e6)),
        probability_(options.get_double_in("probability", 1.0, 0.0, 1.0)),
        keep_original_majority_(options.get_bool("keep_original_majority", false)) {
    if (options.contains("lambda")) lambda_ = options.get_double_in("lambda", 1.0, 0.0, 1.0);
    // `layer` is the host's (where to mix); checked here so that a typo fails early.
    if (options.contains("layer")) {
      const auto& layer = options.at("layer");
      const bool pooled = layer.is_string() && layer.as_string() == "pooled";
      if (!pooled && !(layer.type() == bertlab::Value::Type::integer && layer.as_int() >= 0))
        throw bertlab::OptionError(options.path("layer"), "expected \"pooled\" or an encoder layer number >= 0");
    }
    options.reject_unknown({"alpha", "probability", "keep_original_majority", "lambda", "layer"});
  }

  Level level() const override { return Level::hidden_states; }

  std::optional<BatchMix> mix(EncoderOutputs& outputs, const bertlab::Batch& batch, std::mt19937_64& rng) override {
    // The draws happen in a fixed order whatever the outcome, so a seed gives the same run.
    const bool mixed = std::uniform_real_distribution<double>(0.0, 1.0)(rng) < probability_;
    if (!mixed) return std::nullopt;
    double lambda = lambda_ >= 0 ? lambda_ : sample_beta(alpha_, rng);
    if (keep_original_majority_) lambda = std::max(lambda, 1.0 - lambda);
    const auto size = batch.input_ids.size(0);
    std::vector<std::int64_t> order(static_cast<std::size_t>(size));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    auto permutation = at::tensor(order, at::kLong);
    if (outputs.pooled_output.defined()) outputs.pooled_output = interpolate(outputs.pooled_output, permutation, lambda);
    if (outputs.last_hidden_state.defined())
      outputs.last_hidden_state = interpolate(outputs.last_hidden_state, permutation, lambda);
    for (auto& hidden : outputs.hidden_states)
      if (hidden.defined()) hidden = interpolate(hidden, permutation, lambda);
    return BatchMix{permutation, lambda};
  }

 private:
  double alpha_;
  double probability_;
  bool keep_original_majority_;
  double lambda_ = -1;  // < 0: drawn from Beta(alpha, alpha)
};

}  // namespace

BERTLAB_PLUGIN(Mixup, "mixup", "1.0.0", "mixup of hidden states (pooled output, or TMix at an encoder layer)")
