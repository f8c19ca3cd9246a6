// A synonym dictionary in the extended Tongyici Cilin's format: each line a
// code of 8 characters whose last one says what the group is ('=' synonyms,
// '#' related, '@' a word alone), then the words, separated by spaces.
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "synonym_source.hpp"

namespace bertlab::augment {

namespace {

std::vector<std::string> split_spaces(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

class CilinDictionary final : public SynonymSource {
 public:
  explicit CilinDictionary(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open the synonym dictionary");
    std::map<std::string, std::set<std::string>> groups_of;
    std::string line;
    std::int64_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte order mark
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      auto fields = split_spaces(line);
      if (fields.empty()) continue;
      const std::string& code = fields.front();
      const char kind = code.back();
      if (code.size() != 8 || (kind != '=' && kind != '#' && kind != '@'))
        throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                                 ": expected a Cilin line such as 'Aa01A01= 人 士 人物' (an 8-character code ending "
                                 "in =, # or @, then words)");
      if (kind != '=') continue;
      for (std::size_t i = 1; i < fields.size(); ++i) {
        auto& mine = synonyms_[fields[i]];
        for (std::size_t j = 1; j < fields.size(); ++j) {
          if (j == i || fields[j] == fields[i]) continue;
          if (groups_of[fields[i]].insert(fields[j]).second) mine.push_back(fields[j]);
        }
      }
    }
    if (synonyms_.empty()) throw std::runtime_error(file.string() + ": no synonym groups ('=' lines) in the dictionary");
  }

  std::vector<std::string> synonyms(const std::string& word) const override {
    auto it = synonyms_.find(word);
    return it == synonyms_.end() ? std::vector<std::string>{} : it->second;
  }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> synonyms_;
};

}  // namespace

std::shared_ptr<const SynonymSource> cilin_dictionary(const std::filesystem::path& file) {
  return std::make_shared<CilinDictionary>(file);
}

}  // namespace bertlab::augment
