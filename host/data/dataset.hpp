// Task data files (csv, tsv, jsonl) read into the SDK's Examples, every row
// checked before training starts: a wrong column count, a missing field or a
// malformed line is a DataError naming the file and the line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "bertlab/head.hpp"

namespace bertlab::data {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Columns {
  std::string format = "tsv";  // csv | tsv | jsonl | squad | conll | chars
  std::string text;            // text A
  std::string text_pair;       // text B, empty for single sentences
  std::string label;           // empty or absent in the file: unlabelled data
  std::string articles{};      // squad: the articles to read, "begin:end" (data/squad.hpp); empty: all
  // conll/chars: the 0-based column holding the tag (-1: the last), and the
  // file's tag scheme (auto, iob1, bio, bioes, bmes); see data/conll.hpp.
  std::int64_t tag_column = -1;
  std::string tag_scheme = "auto";
};

struct Dataset {
  std::filesystem::path file;
  std::vector<Example> examples;
  std::vector<std::int64_t> lines;  // the line each example starts on, for messages
  std::string fingerprint;          // sha256 of the bytes read, for the trial record
  // squad: answers whose answer_start was moved to where their text is, and
  // answers whose text is not in their context at all.
  std::int64_t repaired_answers = 0;
  std::int64_t unlocated_answers = 0;
};

// Reads the first `limit` rows (0: all). With `require_labels`, a row without
// a label is an error; otherwise unlabelled rows get a null label.
// The whole file's bytes, or a DataError naming it.
std::string read_data_file(const std::filesystem::path& file);

Dataset read_dataset(const std::filesystem::path& file, const Columns& columns, std::int64_t limit,
                     bool require_labels);

}  // namespace bertlab::data
