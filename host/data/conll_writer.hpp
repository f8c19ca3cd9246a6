// `bertlab predict`'s output for the tagged formats: the input file's lines
// as they were, each word line with its predicted tag appended as the last
// column (the layout conlleval reads), blank and -DOCSTART- lines kept.
#pragma once

#include <filesystem>
#include <ostream>
#include <span>

#include "bertlab/head.hpp"
#include "data/dataset.hpp"

namespace bertlab::data {

// `predictions` are one per sentence of `input`, in order, each with "tags"
// (BIO, one per word). Tags are written in the file's own scheme: the one
// its tag column uses (data.tag_scheme, or detected), BIO for a file
// without tags unless data.tag_scheme names one.
void write_tagged_predictions(const std::filesystem::path& input, const Columns& columns,
                              std::span<const Prediction> predictions, std::ostream& out);

}  // namespace bertlab::data
