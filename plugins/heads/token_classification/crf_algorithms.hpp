// The linear-chain CRF's dynamic programs, batched with tensor ops (the only
// loop is over time): the log-partition by the forward algorithm in log
// space, the score of given tag paths, and Viterbi decoding.
//
// Shapes: emissions [batch, length, tags] (any floating dtype; the result
// keeps it), tags [batch, length] int64, mask [batch, length] bool with
// each row's valid positions first (a prefix; a row may be empty).
// transitions[i][j] scores tag i followed by tag j; start[j] and end[i]
// score the first and the last tag.
#pragma once

#include <ATen/core/Tensor.h>

namespace bertlab::heads {

struct CrfWeights {
  at::Tensor transitions;  // [tags, tags]
  at::Tensor start;        // [tags]
  at::Tensor end;          // [tags]
};

// log sum over all tag paths of exp(score): [batch]; 0 for an empty row.
at::Tensor crf_log_partition(const at::Tensor& emissions, const at::Tensor& mask, const CrfWeights& weights);

// The score of the path `tags`: [batch]; 0 for an empty row.
at::Tensor crf_path_score(const at::Tensor& emissions, const at::Tensor& tags, const at::Tensor& mask,
                          const CrfWeights& weights);

// The best path of each row: [batch, length] int64, its valid prefix
// meaningful (positions past a row's length repeat its last tag).
at::Tensor crf_viterbi(const at::Tensor& emissions, const at::Tensor& mask, const CrfWeights& weights);

}  // namespace bertlab::heads
