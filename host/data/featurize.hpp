// A dataset's examples turned into model features by a task head (which
// tokenizes them its way: one feature per example, or several windows).
#pragma once

#include <vector>

#include "bertlab/head.hpp"
#include "bertlab/tokenizer.hpp"
#include "data/dataset.hpp"

namespace bertlab::data {

// Every example's features, in order. A row the head cannot use (an unknown
// label, an answer outside its context) is a DataError naming the file and
// line, raised before any training.
std::vector<Feature> featurize(const Head& head, const Dataset& dataset, const Tokenizer& tokenizer,
                               const EncodeOptions& options);

}  // namespace bertlab::data
