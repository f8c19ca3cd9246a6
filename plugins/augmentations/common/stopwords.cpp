#include "stopwords.hpp"

#include <fstream>
#include <stdexcept>

#include "text_units.hpp"

namespace bertlab::augment {

StopWords english_stopwords() {
  // As in eda.py of Wei & Zou's reference code (github.com/jasonwei20/eda_nlp).
  return {"i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
          "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
          "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these",
          "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do",
          "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while",
          "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
          "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
          "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any",
          "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own",
          "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now"};
}

StopWords read_stopwords(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open the stop-word file");
  StopWords out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    out.insert(ascii_lower(line.substr(start)));
  }
  return out;
}

StopWords stopwords_from(const std::string& option) {
  if (option == "english") return english_stopwords();
  if (option == "none") return {};
  return read_stopwords(option);
}

bool is_stopword(const StopWords& stopwords, const std::string& word) {
  return stopwords.find(ascii_lower(word)) != stopwords.end();
}

}  // namespace bertlab::augment
