#include "data/conll.hpp"

#include <fmt/format.h>

namespace bertlab::data {

namespace {

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const auto start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.emplace_back(line.substr(start, i - start));
  }
  return fields;
}

}  // namespace

bool is_tagged_format(const std::string& format) { return format == "conll" || format == "chars"; }

TaggedFile parse_tagged(const std::string& text, const std::string& file, const Columns& columns, std::int64_t limit) {
  std::optional<TagScheme> scheme;
  try {
    scheme = parse_tag_scheme(columns.tag_scheme);
  } catch (const std::invalid_argument& e) {
    throw DataError(fmt::format("{}: {}", file, e.what()));
  }
  const bool chars = columns.format == "chars";
  TaggedFile out;
  TaggedSentence sentence;
  std::size_t column_count = 0;
  std::int64_t first_line = 0;
  std::size_t tag_at = 0;
  auto end_sentence = [&] {
    if (!sentence.words.empty()) out.sentences.push_back(std::move(sentence));
    sentence = TaggedSentence{};
  };
  LineCursor lines(text);
  for (std::string_view line; lines.next(line);) {
    const auto number = lines.number();
    const auto fields = split_fields(line);
    // -DOCSTART- lines separate documents wherever they stand (CoNLL-2003
    // copies put them before or after their document); they end a sentence.
    if (fields.empty() || fields[0] == "-DOCSTART-") {
      end_sentence();
      if (limit > 0 && static_cast<std::int64_t>(out.sentences.size()) >= limit) break;
      continue;
    }
    if (column_count == 0) {
      column_count = fields.size();
      first_line = number;
      if (chars && column_count > 2)
        throw DataError(fmt::format("{}:{}: expected 'character tag' (2 columns), found {} columns", file, number,
                                    column_count));
      out.tagged = column_count >= 2;
      if (out.tagged) {
        if (columns.tag_column >= static_cast<std::int64_t>(column_count))
          throw DataError(fmt::format("{}:{}: data.tag_column {} but the line has {} columns (0-based)", file, number,
                                      columns.tag_column, column_count));
        if (columns.tag_column == 0)
          throw DataError(fmt::format("{}:{}: data.tag_column 0 is the word column", file, number));
        tag_at = columns.tag_column < 0 ? column_count - 1 : static_cast<std::size_t>(columns.tag_column);
      }
    }
    if (fields.size() != column_count)
      throw DataError(fmt::format("{}:{}: expected {} columns as on line {}, found {}", file, number, column_count,
                                  first_line, fields.size()));
    TaggedWord word{number, fields[0], out.tagged ? fields[tag_at] : std::string()};
    if (out.tagged) {
      const auto parts = split_tag(word.tag);
      if (!parts)
        throw DataError(fmt::format("{}:{}: '{}' is not a tag (expected O or B-, I-, M-, E-, S- and a type)", file,
                                    number, word.tag));
      if (scheme && !scheme_allows(*scheme, parts->prefix))
        throw DataError(fmt::format("{}:{}: tag '{}' is not in the {} scheme (data.tag_scheme)", file, number,
                                    word.tag, tag_scheme_name(*scheme)));
    }
    sentence.words.push_back(std::move(word));
  }
  if (limit <= 0 || static_cast<std::int64_t>(out.sentences.size()) < limit) end_sentence();
  if (scheme) {
    out.scheme = *scheme;
  } else if (out.tagged) {
    std::vector<std::vector<std::string>> tags;
    for (const auto& s : out.sentences) {
      auto& row = tags.emplace_back();
      for (const auto& w : s.words) row.push_back(w.tag);
    }
    out.scheme = detect_tag_scheme(tags);
  }
  return out;
}

void read_tagged(const std::string& text, const Columns& columns, std::int64_t limit, bool require_labels,
                 Dataset& out) {
  const std::string file = out.file.string();
  auto parsed = parse_tagged(text, file, columns, limit);
  if (require_labels && !parsed.tagged && !parsed.sentences.empty())
    throw DataError(fmt::format("{}:{}: no tag column (expected '{}')", file, parsed.sentences[0].words[0].line,
                                columns.format == "chars" ? "character tag" : "word ... tag"));
  const char* separator = columns.format == "chars" ? "" : " ";
  for (auto& sentence : parsed.sentences) {
    Example example;
    example.id = std::to_string(sentence.words.front().line);
    std::vector<std::string> tags;
    for (auto& word : sentence.words) {
      if (!example.text.empty()) example.text += separator;
      example.text += word.word;
      example.words.push_back(std::move(word.word));
      tags.push_back(std::move(word.tag));
    }
    if (parsed.tagged) {
      Array labels;
      for (auto& tag : to_bio(tags, parsed.scheme)) labels.emplace_back(std::move(tag));
      example.label = Value(std::move(labels));
    }
    out.lines.push_back(sentence.words.front().line);
    out.examples.push_back(std::move(example));
  }
}

}  // namespace bertlab::data
