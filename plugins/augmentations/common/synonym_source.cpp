#include "synonym_source.hpp"

namespace bertlab::augment {

std::shared_ptr<const SynonymSource> synonym_source_from(const Options& options) {
  const std::string source = options.get_string("source", "wordnet");
  if (source == "wordnet") return wordnet_source();
  if (source == "dictionary") {
    if (!options.contains("dictionary"))
      throw OptionError(options.path("dictionary"), "source = \"dictionary\" needs the dictionary file's path");
    return cilin_dictionary(options.get_string("dictionary"));
  }
  if (source == "embeddings") {
    if (!options.contains("model"))
      throw OptionError(options.path("model"),
                        "source = \"embeddings\" needs the model directory (vocab.txt, model.safetensors) whose input "
                        "embeddings give the neighbours, usually the experiment's [model] path");
    return embedding_neighbours(options.get_string("model"), options.get_int_in("neighbours", 5, 1, 1000),
                                options.get_double_in("min_similarity", 0.5, -1.0, 1.0));
  }
  throw OptionError(options.path("source"),
                    "expected \"wordnet\", \"dictionary\" or \"embeddings\", got \"" + source + "\"");
}

}  // namespace bertlab::augment
