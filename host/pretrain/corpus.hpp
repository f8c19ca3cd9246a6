// Pretraining corpora, read and tokenized once per run.
//
// Two layouts are accepted:
//  - format "text": Google's create_pretraining_data.py input — one sentence
//    per line, a blank line between documents;
//  - csv / tsv / jsonl: one document per row, from the text column; a row is
//    split into sentences after . ! ? (followed by a space or the end) and
//    after 。！？, so that next-sentence pairs exist inside it;
//  - squad: the distinct context paragraphs of a SQuAD-style file, each a
//    document split into sentences as above.
//
// Each sentence becomes WordPiece ids with a flag per piece saying whether it
// starts a word, for whole-word masking: a "##" piece continues the word
// before it, and with a Chinese word list, consecutive CJK characters that
// form a listed word (forward maximum matching) are one word.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_set>
#include <vector>

#include "bertlab/tokenizer.hpp"

namespace bertlab::pretrain {

struct Sentence {
  std::vector<std::int64_t> ids;
  std::vector<std::uint8_t> word_start;  // 1 where a piece starts a word
};

using Document = std::vector<Sentence>;

struct CorpusSource {
  std::filesystem::path file;
  std::string format = "text";  // text | csv | tsv | jsonl | squad
  std::string text_column = "text";
  std::int64_t limit = 0;  // documents; 0: all
};

// The documents of `source` as sentences of text. Empty documents are
// dropped. Throws data::DataError naming the file (and line) on bad input.
std::vector<std::vector<std::string>> read_documents(const CorpusSource& source);

// A Chinese word list, one word per line (the first whitespace-separated
// field, so jieba-style "word freq tag" dictionaries work as they are).
std::unordered_set<std::string> read_word_list(const std::filesystem::path& file);

// Tokenizes every sentence (on all threads). `word_list` may be empty.
std::vector<Document> tokenize_documents(const std::vector<std::vector<std::string>>& documents,
                                         const Tokenizer& tokenizer,
                                         const std::unordered_set<std::string>& word_list);

// Marks the pieces of `sentence` that continue a word of `word_list`:
// runs of single-CJK-character pieces are segmented by forward maximum
// matching. `pieces` are the sentence's tokens as text.
void mark_chinese_words(const std::vector<std::string>& pieces, const std::unordered_set<std::string>& word_list,
                        Sentence& sentence);

}  // namespace bertlab::pretrain
