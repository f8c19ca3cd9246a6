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
  if (source == "embeddings")
    throw OptionError(options.path("source"),
                      "\"embeddings\" (nearest neighbours in the model's input embeddings) is not implemented yet; "
                      "use \"wordnet\" or \"dictionary\"");
  throw OptionError(options.path("source"), "expected \"wordnet\" or \"dictionary\", got \"" + source + "\"");
}

}  // namespace bertlab::augment
