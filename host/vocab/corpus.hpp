// The text of a corpus for the vocabulary tools: a plain text file (one
// sentence per line), or one column of a csv, tsv or jsonl data file read
// with the host's data readers (data/dataset.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace bertlab::vocab {

// By the file's extension: .csv, .tsv and .jsonl are data files whose
// `column` holds the text (an empty column name: "text"); anything else is
// plain text, where empty lines are skipped. Throws data::DataError naming
// the file (missing, unreadable, no such column, malformed row).
std::vector<std::string> read_corpus(const std::filesystem::path& file, const std::string& column);

}  // namespace bertlab::vocab
