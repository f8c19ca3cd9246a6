// Unstructured magnitude pruning, one shot: the encoder's linear weights with
// the smallest absolute values set to zero, ranked over all of them (global)
// or within each matrix (layer). Embeddings, LayerNorm, biases and the pooler
// are left dense.
//
// On a CPU this makes nothing faster: the zeros stay in dense matrices and
// the GEMMs do the same work. What it buys is size in a sparse format, which
// sparse_size() reports (CSR: fp32 values, int32 column indices, int64 row
// offsets).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/bert_model.hpp"

namespace bertlab::compress {

struct SparsityReport {
  double sparsity = 0;              // zero share of the pruned matrices
  std::int64_t pruned_weights = 0;  // entries of those matrices
  std::int64_t zeros = 0;
};

// `scope`: "global" or "layer". Changes `bert` in place.
SparsityReport prune_magnitude(model::BertModel& bert, double sparsity, const std::string& scope);

// Bytes of the encoder's parameters with its linear weights in CSR and
// everything else dense fp32.
std::int64_t sparse_size(model::BertModel& bert);

// The encoder's linear weights (what magnitude pruning prunes), by name.
std::vector<std::pair<std::string, at::Tensor>> linear_weights(model::BertModel& bert);

}  // namespace bertlab::compress
