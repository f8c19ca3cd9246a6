#include "compress/importance.hpp"

#include <numeric>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include "train/inference.hpp"

namespace bertlab::compress {

void set_head_masks(model::BertModel& bert, const std::vector<at::Tensor>& masks) {
  for (std::size_t l = 0; l < bert->encoder->size(); ++l)
    (*bert->encoder)[l]->attention->self->head_mask = masks.empty() ? at::Tensor() : masks.at(l);
}

Importance mask_importance(model::BertModel& bert, Head& head, const std::vector<Feature>& features,
                           std::int64_t batch_size, std::int64_t pad_id, const std::vector<at::Tensor>& head_masks) {
  bert->eval();
  head.module().eval();
  const auto layers = bert->encoder->size();
  std::vector<at::Tensor> masks;  // heads of every layer, then neurons of every layer
  for (std::size_t l = 0; l < layers; ++l) {
    auto& layer = (*bert->encoder)[l];
    auto mask = head_masks.empty() ? at::ones({layer->attention->self->num_heads()}) : head_masks.at(l).clone();
    layer->attention->self->head_mask = mask.requires_grad_();
    masks.push_back(layer->attention->self->head_mask);
  }
  for (std::size_t l = 0; l < layers; ++l) {
    auto& intermediate = (*bert->encoder)[l]->intermediate;
    intermediate->neuron_mask = at::ones({intermediate->dense->weight.size(0)}).requires_grad_();
    masks.push_back(intermediate->neuron_mask);
  }
  std::vector<at::Tensor> totals;
  for (const auto& mask : masks) totals.push_back(at::zeros(mask.sizes()));

  std::vector<std::size_t> order(features.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batch_size)) {
    const auto end = std::min(order.size(), start + static_cast<std::size_t>(batch_size));
    std::vector<std::size_t> indices(order.begin() + static_cast<std::ptrdiff_t>(start),
                                     order.begin() + static_cast<std::ptrdiff_t>(end));
    auto batch = train::make_batch(features, indices, head, pad_id);
    auto encoded = train::run_encoder(bert, batch, head.needs_all_hidden_states());
    auto loss = head.loss(head.forward(encoded, batch), batch);
    // Only the masks' gradients: the weight-gradient GEMMs are skipped.
    auto grads = torch::autograd::grad({loss}, masks);
    for (std::size_t i = 0; i < masks.size(); ++i) totals[i] += grads[i].abs();
  }
  set_head_masks(bert, {});
  for (std::size_t l = 0; l < layers; ++l) (*bert->encoder)[l]->intermediate->neuron_mask = at::Tensor();

  Importance importance;
  for (std::size_t l = 0; l < layers; ++l) {
    auto heads = totals[l];
    // Masked-off heads have no say in the loss; their score is exactly 0.
    if (!head_masks.empty()) heads = heads * head_masks.at(l).ne(0).to(heads.scalar_type());
    importance.heads.push_back(heads);
    importance.neurons.push_back(totals[layers + l]);
  }
  return importance;
}

std::vector<at::Tensor> normalized_per_layer(const std::vector<at::Tensor>& scores) {
  std::vector<at::Tensor> normalized;
  for (const auto& layer : scores) normalized.push_back(layer / (layer.norm(2) + 1e-20));
  return normalized;
}

}  // namespace bertlab::compress
