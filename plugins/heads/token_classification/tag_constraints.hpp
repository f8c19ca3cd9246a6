// Which tag transitions a BIO tagging allows: an entity's I-X can only follow
// B-X or I-X, so O -> I-X, B-X -> I-Y, I-X -> I-Y and starting with I-X are
// forbidden. Used by the CRF so that it neither learns nor decodes them.
#pragma once

#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace bertlab::heads {

struct AllowedTransitions {
  at::Tensor transitions;  // [tags, tags] bool: [i][j] = tag i may be followed by tag j
  at::Tensor start;        // [tags] bool: a sentence may start with tag j
  at::Tensor end;          // [tags] bool: a sentence may end with tag i (always true in BIO)
};

// For BIO `labels` (others, e.g. a tag without prefix, are free in every position).
AllowedTransitions bio_allowed_transitions(const std::vector<std::string>& labels);

}  // namespace bertlab::heads
