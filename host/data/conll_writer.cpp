#include "data/conll_writer.hpp"

#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "data/conll.hpp"

namespace bertlab::data {

void write_tagged_predictions(const std::filesystem::path& input, const Columns& columns,
                              std::span<const Prediction> predictions, std::ostream& out) {
  const std::string text = read_data_file(input);
  // The same sentences as read_dataset found, so that prediction i is sentence i.
  const auto parsed = parse_tagged(text, input.string(), columns, 0);
  if (parsed.sentences.size() != predictions.size())
    throw std::logic_error(fmt::format("{}: {} sentences but {} predictions", input.string(), parsed.sentences.size(),
                                       predictions.size()));
  std::unordered_map<std::int64_t, std::string> tag_of_line;
  for (std::size_t s = 0; s < parsed.sentences.size(); ++s) {
    const auto& words = parsed.sentences[s].words;
    std::vector<std::string> bio;
    for (const auto& tag : predictions[s].at("tags").as_array()) bio.push_back(tag.as_string());
    if (bio.size() != words.size())
      throw std::logic_error(fmt::format("{}:{}: {} words but {} predicted tags", input.string(), words.front().line,
                                         words.size(), bio.size()));
    const auto tags = from_bio(bio, parsed.scheme);
    for (std::size_t w = 0; w < words.size(); ++w) tag_of_line.emplace(words[w].line, tags[w]);
  }
  LineCursor lines(text);
  for (std::string_view line; lines.next(line);) {
    const auto number = lines.number();
    out << line;
    if (auto it = tag_of_line.find(number); it != tag_of_line.end())
      out << (line.find('\t') != std::string_view::npos ? '\t' : ' ') << it->second;
    out << '\n';
  }
}

}  // namespace bertlab::data
