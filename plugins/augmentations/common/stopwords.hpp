// Words that synonym replacement never touches: the built-in English list of
// Wei & Zou's EDA code (NLTK's English stop-words less a few), or one word a
// line from a file. Compared with ASCII letters lowercased.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace bertlab::augment {

using StopWords = std::set<std::string, std::less<>>;

StopWords english_stopwords();

// One word a line (UTF-8); blank lines and lines starting with '#' are skipped.
// Throws std::runtime_error naming the file when it cannot be read.
StopWords read_stopwords(const std::filesystem::path& file);

// The `stopwords` option: "english" (default), "none", or a file path.
StopWords stopwords_from(const std::string& option);

bool is_stopword(const StopWords& stopwords, const std::string& word);

}  // namespace bertlab::augment
