#include "pretrain/masking.hpp"

#include <algorithm>
#include <cmath>

namespace bertlab::pretrain {

MaskedInput mask_instance(const Instance& instance, const MaskingOptions& options, std::mt19937_64& rng) {
  MaskedInput out;
  out.input_ids = instance.ids;
  out.labels.assign(instance.ids.size(), -100);

  // Candidates: groups of positions masked together (one token each, or
  // one word each with whole-word masking).
  std::vector<std::vector<std::size_t>> candidates;
  std::size_t content_tokens = 0;
  for (std::size_t i = 0; i < instance.ids.size(); ++i) {
    if (instance.special[i]) continue;
    ++content_tokens;
    if (options.whole_word && !instance.word_start[i] && !candidates.empty() && candidates.back().back() + 1 == i)
      candidates.back().push_back(i);
    else
      candidates.push_back({i});
  }
  if (content_tokens == 0) return out;
  std::shuffle(candidates.begin(), candidates.end(), rng);

  auto budget = std::max<std::int64_t>(1, std::llround(static_cast<double>(content_tokens) * options.probability));
  if (options.max_predictions > 0) budget = std::min(budget, options.max_predictions);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<std::int64_t> any_token(0, options.vocab_size - 1);
  std::int64_t selected = 0;
  for (const auto& group : candidates) {
    if (selected >= budget) break;
    if (selected + static_cast<std::int64_t>(group.size()) > budget) continue;
    for (auto position : group) {
      out.labels[position] = instance.ids[position];
      const double draw = unit(rng);
      if (draw < options.mask_ratio) {
        out.input_ids[position] = options.mask_id;
      } else if (draw < options.mask_ratio + options.random_ratio) {
        out.input_ids[position] = any_token(rng);
      }
      ++selected;
    }
  }
  return out;
}

}  // namespace bertlab::pretrain
