// Structured FFN pruning: the intermediate neurons of each layer ranked by
// importance (importance.hpp), the same share removed from every layer, rows
// of the intermediate dense layer and columns of the output dense layer cut.
#pragma once

#include <cstdint>
#include <vector>

#include "bertlab/head.hpp"
#include "model/bert_model.hpp"

namespace bertlab::compress {

model::BertModel prune_ffn(model::BertModel& bert, Head& head, const std::vector<Feature>& importance_features,
                           std::int64_t batch_size, std::int64_t pad_id, double amount);

}  // namespace bertlab::compress
