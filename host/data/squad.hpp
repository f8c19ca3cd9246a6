// SQuAD-style JSON (SQuAD v1.1 and v2.0, CMRC 2018) read into Examples: one
// Example per question, with the question as text A, the context as text B,
// the question id as id and the answers as the label (an array of
// {"text", "answer_start"} tables, answer_start in code points as SQuAD's
// Python offsets are). v2.0's is_impossible goes into fields["is_impossible"].
//
// Some releases have answer_start offsets that do not point at the answer
// (CMRC 2018 dev: 200 of 9,657). Such an offset is moved to the occurrence of
// the answer text nearest to it; an answer whose text is nowhere in the
// context keeps its offset (it still counts for scoring, which compares
// strings, but gives no training span). Both counts are kept in the Dataset
// and said in a note on stderr.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "data/dataset.hpp"

namespace bertlab::data {

// A slice of a file's articles (the entries of its "data" array), as
// Python's data[begin:end]; end unset: to the last article.
struct ArticleRange {
  std::int64_t begin = 0;
  std::optional<std::int64_t> end;
};

// Parses "begin:end", "begin:" or ":end" (non-negative integers, begin <
// end). Returns nullopt and sets `error` to what was expected otherwise.
std::optional<ArticleRange> parse_article_range(std::string_view text, std::string& error);

// Reads `text`, the contents of `out.file`, into `out`: the questions of the
// articles in `columns.articles` (all when empty), the first `limit` of them
// (0: all). Errors (not JSON, a missing key, a range past the last article)
// are DataErrors naming the file and, for keys, the JSON path.
void read_squad(const std::string& text, const Columns& columns, std::int64_t limit, bool require_labels,
                Dataset& out);

}  // namespace bertlab::data
