// `eda`: Easy Data Augmentation (Wei & Zou 2019) as in their reference code
// (eda.py): for each original, int(num_aug / 4) + 1 sentences per operation
// whose rate is positive — synonym replacement and random insertion of
// n = max(1, int(alpha * words)) words, n random swaps, and deletion of each
// word with probability alpha_rd — shuffled and cut to num_aug. Unlike the
// reference code, text is not lowercased or stripped of punctuation (the
// tokenizer sees it as the originals). In tagged data only O words are
// replaced, swapped or deleted and inserted words are tagged O (README.md).
#include <memory>
#include <vector>

#include "bertlab/augmentation.hpp"
#include "random.hpp"
#include "sentence.hpp"
#include "stopwords.hpp"
#include "synonym_source.hpp"
#include "word_operations.hpp"

namespace bertlab::augment {

class EdaAugmentation final : public Augmentation {
 public:
  explicit EdaAugmentation(const Options& options)
      : alpha_sr_(options.get_double_in("alpha_sr", 0.1, 0, 1)),
        alpha_ri_(options.get_double_in("alpha_ri", 0.1, 0, 1)),
        alpha_rs_(options.get_double_in("alpha_rs", 0.1, 0, 1)),
        alpha_rd_(options.get_double_in("alpha_rd", 0.1, 0, 1)),
        num_aug_(static_cast<std::size_t>(options.get_int_in("num_aug", 4, 1, 1000))),
        stopwords_(stopwords_from(options.get_string("stopwords", "english"))) {
    options.reject_unknown({"alpha_sr", "alpha_ri", "alpha_rs", "alpha_rd", "num_aug", "source", "dictionary", "model",
                            "neighbours", "min_similarity", "stopwords"});
    if (alpha_sr_ == 0 && alpha_ri_ == 0 && alpha_rs_ == 0 && alpha_rd_ == 0)
      throw OptionError(options.path("alpha_sr"), "every rate is 0: nothing to do (set alpha_sr, alpha_ri, alpha_rs or alpha_rd)");
    // Only replacement and insertion need synonyms.
    if (alpha_sr_ > 0 || alpha_ri_ > 0) source_ = synonym_source_from(options);
  }

  Level level() const override { return Level::example; }

  std::vector<Example> augment(const Example& example, std::mt19937_64& rng) const override {
    const Sentence original = sentence_of(example);
    std::size_t words = 0;
    for (const auto& token : original.tokens) words += token.editable ? 1 : 0;
    if (words == 0) return {};
    const std::size_t per_operation = num_aug_ / 4 + 1;
    std::vector<Sentence> made;
    if (alpha_sr_ > 0) {
      for (std::size_t k = 0; k < per_operation; ++k) {
        Sentence s = original;
        synonym_replacement(s, changes_for(alpha_sr_, words), *source_, stopwords_, rng);
        made.push_back(std::move(s));
      }
    }
    if (alpha_ri_ > 0) {
      for (std::size_t k = 0; k < per_operation; ++k) {
        Sentence s = original;
        random_insertion(s, changes_for(alpha_ri_, words), *source_, rng);
        made.push_back(std::move(s));
      }
    }
    if (alpha_rs_ > 0) {
      for (std::size_t k = 0; k < per_operation; ++k) {
        Sentence s = original;
        random_swap(s, changes_for(alpha_rs_, words), rng);
        made.push_back(std::move(s));
      }
    }
    if (alpha_rd_ > 0) {
      for (std::size_t k = 0; k < per_operation; ++k) {
        Sentence s = original;
        random_deletion(s, alpha_rd_, rng);
        made.push_back(std::move(s));
      }
    }
    shuffle(made, rng);
    if (made.size() > num_aug_) made.resize(num_aug_);
    std::vector<Example> out;
    for (std::size_t i = 0; i < made.size(); ++i) out.push_back(example_of(example, made[i], i + 1));
    return out;
  }

 private:
  double alpha_sr_, alpha_ri_, alpha_rs_, alpha_rd_;
  std::size_t num_aug_;
  StopWords stopwords_;
  std::shared_ptr<const SynonymSource> source_;
};

}  // namespace bertlab::augment

BERTLAB_PLUGIN(bertlab::augment::EdaAugmentation, "eda", "1.0.0",
               "EDA: random synonym replacement, insertion, swap and deletion (Wei & Zou 2019)")
