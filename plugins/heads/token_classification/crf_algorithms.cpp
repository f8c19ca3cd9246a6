#include "crf_algorithms.hpp"

#include <ATen/ATen.h>

namespace bertlab::heads {

at::Tensor crf_log_partition(const at::Tensor& emissions, const at::Tensor& mask, const CrfWeights& weights) {
  const auto length = emissions.size(1);
  const auto batch = emissions.size(0);
  if (length == 0) return at::zeros({batch}, emissions.options());
  // alpha[b][j]: log-sum of the scores of all paths ending in tag j at time t.
  auto alpha = weights.start.unsqueeze(0) + emissions.select(1, 0);
  const auto transitions = weights.transitions.unsqueeze(0);  // [1, from, to]
  for (std::int64_t t = 1; t < length; ++t) {
    const auto next = at::logsumexp(alpha.unsqueeze(2) + transitions + emissions.select(1, t).unsqueeze(1), 1);
    alpha = at::where(mask.select(1, t).unsqueeze(1), next, alpha);
  }
  const auto total = at::logsumexp(alpha + weights.end.unsqueeze(0), 1);
  return at::where(mask.select(1, 0), total, at::zeros_like(total));
}

at::Tensor crf_path_score(const at::Tensor& emissions, const at::Tensor& tags, const at::Tensor& mask,
                          const CrfWeights& weights) {
  const auto batch = emissions.size(0);
  const auto length = emissions.size(1);
  if (length == 0) return at::zeros({batch}, emissions.options());
  const auto valid = mask.to(emissions.scalar_type());
  // Emission of each chosen tag, and each transition into position t >= 1.
  auto score = (emissions.gather(2, tags.unsqueeze(2)).squeeze(2) * valid).sum(1);
  if (length > 1) {
    const auto from = tags.slice(1, 0, length - 1), to = tags.slice(1, 1, length);
    const auto num_tags = weights.transitions.size(0);
    const auto moves = weights.transitions.reshape({-1}).index_select(0, (from * num_tags + to).reshape({-1}));
    score = score + (moves.reshape({batch, length - 1}) * valid.slice(1, 1, length)).sum(1);
  }
  const auto lengths = mask.sum(1);
  const auto last = (lengths - 1).clamp_min(0);
  const auto first_tags = tags.select(1, 0), last_tags = tags.gather(1, last.unsqueeze(1)).squeeze(1);
  score = score + weights.start.index_select(0, first_tags) + weights.end.index_select(0, last_tags);
  return at::where(lengths > 0, score, at::zeros_like(score));
}

at::Tensor crf_viterbi(const at::Tensor& emissions, const at::Tensor& mask, const CrfWeights& weights) {
  const auto batch = emissions.size(0);
  const auto length = emissions.size(1);
  const auto num_tags = emissions.size(2);
  auto options = emissions.options().dtype(at::kLong);
  if (length == 0) return at::zeros({batch, 0}, options);
  auto score = weights.start.unsqueeze(0) + emissions.select(1, 0);
  const auto transitions = weights.transitions.unsqueeze(0);
  // A masked step keeps every tag where it is, so that backtracking passes
  // through the padding unchanged.
  const auto stay = at::arange(num_tags, options).unsqueeze(0).expand({batch, num_tags});
  std::vector<at::Tensor> history;  // history[t-1][b][j]: best previous tag for tag j at t
  history.reserve(static_cast<std::size_t>(length - 1));
  for (std::int64_t t = 1; t < length; ++t) {
    auto [best, from] = (score.unsqueeze(2) + transitions).max(1);
    const auto step = mask.select(1, t).unsqueeze(1);
    score = at::where(step, best + emissions.select(1, t), score);
    history.push_back(at::where(step, from, stay));
  }
  auto tag = (score + weights.end.unsqueeze(0)).argmax(1);
  std::vector<at::Tensor> path(static_cast<std::size_t>(length));
  path.back() = tag;
  for (std::int64_t t = length - 1; t >= 1; --t) {
    tag = history[static_cast<std::size_t>(t - 1)].gather(1, tag.unsqueeze(1)).squeeze(1);
    path[static_cast<std::size_t>(t - 1)] = tag;
  }
  return at::stack(path, 1);
}

}  // namespace bertlab::heads
