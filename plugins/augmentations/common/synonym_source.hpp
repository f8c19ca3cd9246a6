// Where synonyms come from: WordNet (English), a Cilin-format dictionary
// (Chinese), a model's input embeddings (any language), chosen by the plugins' `source` option. Lookups are pure: a
// word's synonyms are always the same list, in the same order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bertlab/value.hpp"

namespace bertlab::augment {

class SynonymSource {
 public:
  virtual ~SynonymSource() = default;
  // Synonyms of `word` (the word itself excluded); multi-word synonyms hold spaces.
  virtual std::vector<std::string> synonyms(const std::string& word) const = 0;
};

// WordNet 3.0 through its C library (Debian's wordnet-base database):
// the lemmas of every synset of the word's base forms, in all parts of speech.
std::shared_ptr<const SynonymSource> wordnet_source();

// A dictionary in the format of HIT's extended Tongyici Cilin: one group a
// line, `Aa01A01= 人 士 人物 ...`; only `=` groups are synonyms (`#` groups are
// related words, `@` a word alone). UTF-8.
std::shared_ptr<const SynonymSource> cilin_dictionary(const std::filesystem::path& file);

// The `neighbours` nearest whole words of a word in the input embeddings of
// the model in `model_dir` (vocab.txt, model.safetensors), by cosine
// similarity, those below `min_similarity` left out; most similar first.
std::shared_ptr<const SynonymSource> embedding_neighbours(const std::filesystem::path& model_dir,
                                                          std::int64_t neighbours, double min_similarity);

// From the plugin options `source` ("wordnet" | "dictionary" | "embeddings"),
// `dictionary` (the file, for "dictionary"), and `model`, `neighbours`,
// `min_similarity` (for "embeddings"). Throws OptionError.
std::shared_ptr<const SynonymSource> synonym_source_from(const Options& options);

}  // namespace bertlab::augment
