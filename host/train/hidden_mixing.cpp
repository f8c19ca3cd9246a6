#include "train/hidden_mixing.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "augment/augmenter.hpp"
#include "plugin/plugin_host.hpp"
#include "train/inference.hpp"

namespace bertlab::train {

namespace {

torch::Tensor interpolate(const torch::Tensor& h, const BatchMix& mix) {
  return h * mix.lambda + h.index_select(0, mix.permutation.to(h.device())) * (1.0 - mix.lambda);
}

torch::Tensor combined_loss(Head& head, const HeadOutput& outputs, const Batch& batch, const BatchMix& mix) {
  auto original = head.loss(outputs, batch);
  auto partner = head.loss(outputs, with_permuted_labels(batch, mix.permutation));
  return original * mix.lambda + partner * (1.0 - mix.lambda);
}

void check_permutation(const BatchMix& mix, std::int64_t batch_size, const std::string& name) {
  if (!mix.permutation.defined() || mix.permutation.dim() != 1 || mix.permutation.size(0) != batch_size ||
      mix.permutation.scalar_type() != at::kLong)
    throw std::runtime_error(fmt::format("augmentation '{}': mix returned a permutation that is not [{}] int64",
                                         name, batch_size));
  if (!(mix.lambda >= 0.0 && mix.lambda <= 1.0))
    throw std::runtime_error(fmt::format("augmentation '{}': mix returned lambda {} outside [0, 1]", name, mix.lambda));
}

// TMix: embeddings and layers 1..k, the mixing, then layers k+1..L on the
// mixed states and the pooler.
torch::Tensor layer_mixed_loss(model::BertModel& bert, Head& head, const Batch& batch, HiddenStateMixer& mixer,
                               std::mt19937_64& rng) {
  const auto layers = static_cast<std::int64_t>(bert->encoder->size());
  const auto k = *mixer.layer;
  if (k > layers)
    throw std::runtime_error(fmt::format("augmentation '{}': option 'layer' is {}, but the encoder has {} layers",
                                         mixer.name, k, layers));
  const bool all_states = head.needs_all_hidden_states();
  auto type_ids = batch.token_type_ids.defined() ? batch.token_type_ids : at::zeros_like(batch.input_ids);
  auto embedded = bert->embeddings(batch.input_ids, type_ids);
  auto mask = model::AttentionMask::from_padding(batch.attention_mask, embedded.scalar_type());
  std::vector<torch::Tensor> states;
  if (all_states) states.push_back(embedded);
  auto below = bert->encoder->forward_layers(embedded, mask, 0, static_cast<std::size_t>(k), all_states ? &states : nullptr);

  EncoderOutputs at_layer{below, {}, {}};
  auto mix = mixer.plugin->mix(at_layer, batch, rng);
  Batch mixed_batch = batch;
  if (mix) {
    check_permutation(*mix, batch.input_ids.size(0), mixer.name);
    // A mixed row attends to every position that is real in either of its
    // two rows: no token of either sentence is hidden from the upper layers.
    if (batch.attention_mask.defined()) {
      mixed_batch.attention_mask =
          at::maximum(batch.attention_mask, batch.attention_mask.index_select(0, mix->permutation.to(batch.attention_mask.device())));
      mask = model::AttentionMask::from_padding(mixed_batch.attention_mask, embedded.scalar_type());
    }
    // Heads reading every layer see the lower layers mixed the same way.
    if (all_states) {
      for (std::size_t i = 0; i + 1 < states.size(); ++i) states[i] = interpolate(states[i], *mix);
      states.back() = at_layer.last_hidden_state;
    }
  }
  auto last = bert->encoder->forward_layers(at_layer.last_hidden_state, mask, static_cast<std::size_t>(k),
                                            static_cast<std::size_t>(layers), all_states ? &states : nullptr);
  EncoderOutputs encoded{last, bert->pooler(last), std::move(states)};
  auto outputs = head.forward(encoded, mixed_batch);
  if (!mix) return head.loss(outputs, batch);
  return combined_loss(head, outputs, mixed_batch, *mix);
}

}  // namespace

std::optional<std::int64_t> mixing_layer(const Table& options, const std::string& where) {
  auto it = options.find("layer");
  if (it == options.end()) return std::nullopt;
  const auto& value = it->second;
  if (value.is_string() && value.as_string() == "pooled") return std::nullopt;
  if (value.type() == Value::Type::integer && value.as_int() >= 0) return value.as_int();
  throw OptionError(where + ".layer", "expected \"pooled\" or an encoder layer number >= 0 (0: the embeddings' output)");
}

std::vector<HiddenStateMixer> hidden_state_mixers(const experiment::Experiment& experiment,
                                                  std::vector<augment::HiddenStateAugmentation> augmentations) {
  std::vector<HiddenStateMixer> mixers;
  for (auto& augmentation : augmentations) {
    if (!mixers.empty())
      throw experiment::ExperimentError(fmt::format(
          "{}: key 'augment.plugins': at most one hidden-state augmentation ('{}' and '{}')",
          experiment.file.string(), mixers.front().name, augmentation.plugin));
    const auto where = fmt::format("augment.plugins[{}].options", augmentation.entry);
    mixers.push_back({std::move(augmentation.augmentation),
                      mixing_layer(experiment.augment[augmentation.entry].options, where), augmentation.plugin});
  }
  return mixers;
}

std::vector<HiddenStateMixer> make_hidden_state_mixers(const plugin::PluginHost& host,
                                                       const experiment::Experiment& experiment) {
  return hidden_state_mixers(experiment, augment::create_augmentations(host, experiment.augment).hidden_states);
}

Batch with_permuted_labels(const Batch& batch, const torch::Tensor& permutation) {
  Batch permuted = batch;
  for (auto& [name, tensor] : permuted.labels)
    if (tensor.defined() && tensor.dim() > 0) tensor = tensor.index_select(0, permutation.to(tensor.device()));
  return permuted;
}

torch::Tensor training_loss(model::BertModel& bert, Head& head, const Batch& batch, HiddenStateMixer* mixer,
                            std::mt19937_64& rng) {
  if (mixer && mixer->layer) return layer_mixed_loss(bert, head, batch, *mixer, rng);
  auto encoded = run_encoder(bert, batch, head.needs_all_hidden_states());
  std::optional<BatchMix> mix;
  if (mixer) {
    mix = mixer->plugin->mix(encoded, batch, rng);
    if (mix) check_permutation(*mix, batch.input_ids.size(0), mixer->name);
  }
  auto outputs = head.forward(encoded, batch);
  if (!mix) return head.loss(outputs, batch);
  return combined_loss(head, outputs, batch, *mix);
}

}  // namespace bertlab::train
