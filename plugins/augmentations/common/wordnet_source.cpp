// WordNet through libwordnet (wn.h). The library keeps global state (open
// files, static buffers) and is not thread-safe: every call into it holds
// one mutex. Results are cached per word, since a study asks for the same
// words again and again.
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "synonym_source.hpp"
#include "text_units.hpp"

// Last: wn.h defines lowercase macros (bit) and many short upper-case ones.
#include <wn.h>

namespace bertlab::augment {

namespace {

std::mutex& wordnet_mutex() {
  static std::mutex mutex;
  return mutex;
}

// A lemma as EDA's get_synonyms writes it: '_' and '-' become spaces,
// lowercase, letters and spaces only.
std::string clean_lemma(const char* lemma) {
  std::string out;
  for (const char* c = lemma; *c != '\0'; ++c) {
    if (*c == '(') break;  // adjective markers such as "(a)", "(p)"
    char ch = *c == '_' || *c == '-' ? ' ' : *c;
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if ((ch >= 'a' && ch <= 'z') || ch == ' ') out += ch;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

class WordNetSource final : public SynonymSource {
 public:
  WordNetSource() {
    std::lock_guard lock(wordnet_mutex());
    if (wninit() != 0)
      throw std::runtime_error(
          "cannot open the WordNet database (Debian: install wordnet-base; or set WNSEARCHDIR to its dict folder)");
  }

  std::vector<std::string> synonyms(const std::string& word) const override {
    const std::string key = ascii_lower(word);
    if (key.empty() || key.size() >= WORDBUF) return {};
    std::lock_guard lock(wordnet_mutex());
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::set<std::string> found;
    for (int pos = NOUN; pos <= ADV; ++pos) {
      // The word itself and its base forms (morphstr: exception lists, then detachment rules).
      std::set<std::string> forms{key};
      char buffer[WORDBUF];
      key.copy(buffer, key.size());
      buffer[key.size()] = '\0';
      for (char* form = morphstr(buffer, pos); form != nullptr; form = morphstr(nullptr, pos)) forms.insert(form);
      for (const auto& form : forms) {
        std::string lookup = form;
        IndexPtr index = index_lookup(lookup.data(), pos);
        if (index == nullptr) continue;
        for (int i = 0; i < index->off_cnt; ++i) {
          SynsetPtr synset = read_synset(pos, static_cast<long>(index->offset[i]), const_cast<char*>(""));
          if (synset == nullptr) continue;
          for (int w = 0; w < synset->wcount; ++w) found.insert(clean_lemma(synset->words[w]));
          free_synset(synset);
        }
        free_index(index);
      }
    }
    // Not a replacement: the word itself, and multi-word lemmas that contain
    // it ("film" -> "plastic film"), which only add a word beside it.
    std::vector<std::string> out;
    for (const auto& lemma : found) {
      if (lemma.empty() || lemma == key) continue;
      const std::string padded = " " + ascii_lower(lemma) + " ";
      if (padded.find(" " + key + " ") != std::string::npos) continue;
      out.push_back(lemma);
    }
    cache_.emplace(key, out);
    return out;
  }

 private:
  mutable std::map<std::string, std::vector<std::string>, std::less<>> cache_;
};

}  // namespace

std::shared_ptr<const SynonymSource> wordnet_source() {
  static std::mutex once;
  static std::weak_ptr<const SynonymSource> shared;
  std::lock_guard lock(once);
  auto source = shared.lock();
  if (!source) {
    source = std::make_shared<WordNetSource>();
    shared = source;
  }
  return source;
}

}  // namespace bertlab::augment
