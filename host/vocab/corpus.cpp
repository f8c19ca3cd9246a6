#include "vocab/corpus.hpp"

#include <fmt/format.h>

#include "data/dataset.hpp"

namespace bertlab::vocab {

std::vector<std::string> read_corpus(const std::filesystem::path& file, const std::string& column) {
  if (!std::filesystem::is_regular_file(file))
    throw data::DataError(fmt::format("{}: no such corpus file", file.string()));
  const auto extension = file.extension().string();
  std::vector<std::string> texts;
  if (extension == ".csv" || extension == ".tsv" || extension == ".jsonl") {
    data::Columns columns;
    columns.format = extension.substr(1);
    columns.text = column.empty() ? "text" : column;
    auto dataset = data::read_dataset(file, columns, 0, false);
    texts.reserve(dataset.examples.size());
    for (auto& example : dataset.examples) texts.push_back(std::move(example.text));
    return texts;
  }
  if (!column.empty())
    throw data::DataError(fmt::format("{}: --column needs a .csv, .tsv or .jsonl file; this one is read as plain text",
                                      file.string()));
  const std::string contents = data::read_data_file(file);
  std::size_t start = 0;
  while (start < contents.size()) {
    auto end = contents.find('\n', start);
    if (end == std::string::npos) end = contents.size();
    auto line = std::string_view(contents).substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) texts.emplace_back(line);
    start = end + 1;
  }
  return texts;
}

}  // namespace bertlab::vocab
