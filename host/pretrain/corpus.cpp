#include "pretrain/corpus.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include "data/dataset.hpp"

namespace bertlab::pretrain {

namespace {

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// Sentence ends: ASCII . ! ? before whitespace or the end; 。！？ anywhere.
std::vector<std::string> split_sentences(const std::string& text) {
  std::vector<std::string> sentences;
  std::size_t begin = 0;
  auto flush = [&](std::size_t end) {
    auto sentence = trim(std::string_view(text).substr(begin, end - begin));
    if (!sentence.empty()) sentences.push_back(std::move(sentence));
    begin = end;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '.' || c == '!' || c == '?') && (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1])))) {
      flush(i + 1);
    } else if (text.compare(i, 3, "。") == 0 || text.compare(i, 3, "！") == 0 || text.compare(i, 3, "？") == 0) {
      flush(i + 3);
      i += 2;
    }
  }
  flush(text.size());
  return sentences;
}

// The code point of a piece that is exactly one UTF-8 character, or -1.
std::int64_t single_code_point(const std::string& piece) {
  if (piece.empty()) return -1;
  const auto lead = static_cast<unsigned char>(piece[0]);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || length != piece.size()) return -1;
  std::int64_t cp = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) cp = (cp << 6) | (static_cast<unsigned char>(piece[i]) & 0x3F);
  return cp;
}

// The CJK ideograph blocks BERT's basic tokenizer splits into characters.
bool is_cjk(std::int64_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

}  // namespace

std::vector<std::vector<std::string>> read_documents(const CorpusSource& source) {
  std::vector<std::vector<std::string>> documents;
  if (source.format == "text") {
    const auto bytes = data::read_data_file(source.file);
    std::istringstream lines(bytes);
    std::vector<std::string> document;
    std::string line;
    while (std::getline(lines, line)) {
      auto sentence = trim(line);
      if (sentence.empty()) {
        if (!document.empty()) documents.push_back(std::move(document));
        document.clear();
        if (source.limit > 0 && static_cast<std::int64_t>(documents.size()) >= source.limit) return documents;
      } else {
        document.push_back(std::move(sentence));
      }
    }
    if (!document.empty()) documents.push_back(std::move(document));
  } else {
    data::Columns columns;
    columns.format = source.format;
    columns.text = source.text_column;
    // SQuAD-style files: each distinct context paragraph is a document
    // (questions repeat it); the limit counts paragraphs.
    auto dataset = data::read_dataset(source.file, columns, source.format == "squad" ? 0 : source.limit,
                                      /*require_labels=*/false);
    std::unordered_set<std::string> seen;
    for (const auto& example : dataset.examples) {
      const auto& text = source.format == "squad" ? example.text_pair : example.text;
      if (source.format == "squad" && !seen.insert(text).second) continue;
      auto sentences = split_sentences(text);
      if (!sentences.empty()) documents.push_back(std::move(sentences));
    }
  }
  if (source.limit > 0 && static_cast<std::int64_t>(documents.size()) > source.limit) documents.resize(static_cast<std::size_t>(source.limit));
  if (documents.empty()) throw data::DataError(fmt::format("{}: the corpus has no text", source.file.string()));
  return documents;
}

std::unordered_set<std::string> read_word_list(const std::filesystem::path& file) {
  const auto bytes = data::read_data_file(file);
  std::istringstream lines(bytes);
  std::unordered_set<std::string> words;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string word;
    if (fields >> word && !word.starts_with("#")) words.insert(word);
  }
  if (words.empty()) throw data::DataError(fmt::format("{}: the word list has no words", file.string()));
  return words;
}

void mark_chinese_words(const std::vector<std::string>& pieces, const std::unordered_set<std::string>& word_list,
                        Sentence& sentence) {
  std::size_t longest = 1;
  for (const auto& word : word_list) longest = std::max(longest, word.size() / 3);  // CJK: 3 UTF-8 bytes each
  std::size_t i = 0;
  while (i < pieces.size()) {
    if (!is_cjk(single_code_point(pieces[i]))) {
      ++i;
      continue;
    }
    std::size_t run_end = i;
    while (run_end < pieces.size() && is_cjk(single_code_point(pieces[run_end]))) ++run_end;
    // Forward maximum matching inside the run of characters.
    while (i < run_end) {
      std::size_t matched = 1;
      for (std::size_t length = std::min(longest, run_end - i); length >= 2; --length) {
        std::string word;
        for (std::size_t k = i; k < i + length; ++k) word += pieces[k];
        if (word_list.count(word)) {
          matched = length;
          break;
        }
      }
      for (std::size_t k = i + 1; k < i + matched; ++k) sentence.word_start[k] = 0;
      i += matched;
    }
  }
}

std::vector<Document> tokenize_documents(const std::vector<std::vector<std::string>>& documents,
                                         const Tokenizer& tokenizer,
                                         const std::unordered_set<std::string>& word_list) {
  std::vector<Document> out(documents.size());
  at::parallel_for(0, static_cast<std::int64_t>(documents.size()), 16, [&](std::int64_t begin, std::int64_t end) {
    for (auto d = begin; d < end; ++d) {
      for (const auto& text : documents[static_cast<std::size_t>(d)]) {
        auto pieces = tokenizer.tokenize(text);
        if (pieces.empty()) continue;
        Sentence sentence;
        sentence.ids.reserve(pieces.size());
        sentence.word_start.reserve(pieces.size());
        for (const auto& piece : pieces) {
          sentence.ids.push_back(tokenizer.token_to_id(piece));
          sentence.word_start.push_back(piece.starts_with("##") ? 0 : 1);
        }
        if (!word_list.empty()) mark_chinese_words(pieces, word_list, sentence);
        out[static_cast<std::size_t>(d)].push_back(std::move(sentence));
      }
    }
  });
  std::erase_if(out, [](const Document& document) { return document.empty(); });
  return out;
}

}  // namespace bertlab::pretrain
