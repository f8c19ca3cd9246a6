// Text input files of the tokenize and encode commands: one text per line,
// or with pairs one "A<TAB>B" pair per line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace bertlab::cli {

struct TextLine {
  std::string text;
  std::string text_pair;
};

// The newline ends a line and is removed; nothing else is. With `pairs`, a
// line without a tab is an error naming the file and the line.
std::vector<TextLine> read_text_lines(const std::filesystem::path& file, bool pairs);

}  // namespace bertlab::cli
