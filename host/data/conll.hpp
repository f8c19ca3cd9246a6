// Sequence-labelling files: CoNLL column files ("conll": one word a line,
// whitespace-separated columns, the tag in one of them, -DOCSTART- lines
// between documents) and character-per-line files ("chars": "char tag", as
// the Chinese NER sets come). A blank line ends a sentence; each sentence is
// one Example with `words` and, when tagged, `label` = an array of BIO tags
// (converted from the file's scheme, see tag_scheme.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.hpp"
#include "data/tag_scheme.hpp"

namespace bertlab::data {

// "conll" and "chars".
bool is_tagged_format(const std::string& format);

struct TaggedWord {
  std::int64_t line = 0;
  std::string word;
  std::string tag;  // as in the file; empty when the file has no tag column
};

struct TaggedSentence {
  std::vector<TaggedWord> words;
};

// The lines of a text in order, with their 1-based numbers and without a
// trailing '\r': the reader and the predict writer must count lines alike,
// since predictions are matched to the lines they came from.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (begin_ >= text_.size()) return false;
    auto end = text_.find('\n', begin_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(begin_, end - begin_);
    begin_ = end + 1;
    ++number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }
  std::int64_t number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t begin_ = 0;
  std::int64_t number_ = 0;
};

struct TaggedFile {
  std::vector<TaggedSentence> sentences;
  bool tagged = false;   // whether the lines have a tag column
  TagScheme scheme = TagScheme::bio;  // the file's scheme, as configured or detected
};

// Splits and checks a file's text: every line has the column count of the
// first word line, every tag is valid in the scheme. Errors are DataErrors
// naming the file and the line. `limit` > 0 keeps the first sentences.
TaggedFile parse_tagged(const std::string& text, const std::string& file, const Columns& columns, std::int64_t limit);

// read_dataset's part for the tagged formats: one Example per sentence.
void read_tagged(const std::string& text, const Columns& columns, std::int64_t limit, bool require_labels,
                 Dataset& out);

}  // namespace bertlab::data
