// Dynamic padding: a batch of encodings becomes [batch, longest] tensors of
// input ids, token type ids and attention mask, padded with the pad id.
#pragma once

#include <span>

#include <torch/types.h>

#include "bertlab/tokenizer.hpp"

namespace bertlab::model {

struct InputBatch {
  torch::Tensor input_ids;       // [batch, seq] int64
  torch::Tensor token_type_ids;  // [batch, seq] int64
  torch::Tensor attention_mask;  // [batch, seq] int64, 1 real / 0 padding
};

// `length` 0 pads to the longest encoding of the batch.
InputBatch make_input_batch(std::span<const Encoding* const> encodings, std::int64_t pad_id,
                            std::int64_t length = 0);

}  // namespace bertlab::model
