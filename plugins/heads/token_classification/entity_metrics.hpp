// Entity-level scores of sequence labelling, as conlleval (CoNLL-2000/2003)
// computes them and seqeval reproduces: an entity counts as found only when
// both its boundaries and its type match the gold one.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <bertlab/head.hpp>

namespace bertlab::heads {

// `gold[s]` and `predicted[s]` are the tags of sentence s (same lengths).
// Chunks start and end by conlleval's rules (an I- after O or another type
// starts an entity; a sentence end ends one). Gives "precision", "recall",
// "f1" (entity level, micro over types; 0 when undefined, as conlleval
// prints), "accuracy" (token level, whole tags compared) and "f1_TYPE" for
// every type in gold or predicted. Throws std::invalid_argument when the
// lengths differ.
Metrics entity_metrics(std::span<const std::vector<std::string>> gold,
                       std::span<const std::vector<std::string>> predicted);

}  // namespace bertlab::heads
