// `synonym`: synonym replacement. Each new example replaces
// n = max(1, int(rate * eligible words)) distinct words by a random synonym
// from WordNet or a Cilin-format dictionary, where eligible words are those
// that may be edited (O words in tagged data), are not stop-words and are
// not only punctuation. An attempt that finds no synonym at all, or repeats
// an earlier one, adds nothing.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bertlab/augmentation.hpp"
#include "sentence.hpp"
#include "stopwords.hpp"
#include "synonym_source.hpp"
#include "word_operations.hpp"

namespace bertlab::augment {

class SynonymAugmentation final : public Augmentation {
 public:
  explicit SynonymAugmentation(const Options& options)
      : rate_(options.get_double_in("rate", 0.1, 0, 1)),
        num_aug_(static_cast<std::size_t>(options.get_int_in("num_aug", 1, 1, 1000))),
        stopwords_(stopwords_from(options.get_string("stopwords", "english"))),
        source_(synonym_source_from(options)) {
    options.reject_unknown({"source", "dictionary", "model", "neighbours", "min_similarity", "rate", "num_aug", "stopwords"});
    if (rate_ == 0) throw OptionError(options.path("rate"), "expected a rate in (0, 1], got 0");
  }

  Level level() const override { return Level::example; }

  std::vector<Example> augment(const Example& example, std::mt19937_64& rng) const override {
    const Sentence original = sentence_of(example);
    const std::size_t eligible = count_replaceable(original, stopwords_);
    if (eligible == 0) return {};
    const std::size_t n = changes_for(rate_, eligible);
    std::vector<Example> out;
    std::set<std::string> seen{text_of(original)};
    for (std::size_t k = 0; k < num_aug_; ++k) {
      Sentence s = original;
      if (synonym_replacement(s, n, *source_, stopwords_, rng) == 0) continue;
      if (!seen.insert(text_of(s)).second) continue;
      out.push_back(example_of(example, s, out.size() + 1));
    }
    return out;
  }

 private:
  double rate_;
  std::size_t num_aug_;
  StopWords stopwords_;
  std::shared_ptr<const SynonymSource> source_;
};

}  // namespace bertlab::augment

BERTLAB_PLUGIN(bertlab::augment::SynonymAugmentation, "synonym", "1.0.0",
               "Synonym replacement from WordNet (English) or a Cilin-format dictionary (Chinese)")
