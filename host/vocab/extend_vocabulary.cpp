#include "vocab/extend_vocabulary.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "vocab/corpus.hpp"
#include "vocab/embedding_init.hpp"
#include "vocab/extended_model.hpp"
#include "vocab/vocab_extension.hpp"
#include "vocab/word_splitter.hpp"

namespace bertlab::vocab {

namespace fs = std::filesystem;

namespace {

// The special tokens the tokenizer keeps whole when written in text.
std::vector<std::string> special_tokens_of(const wordpiece::Vocabulary& vocabulary) {
  std::vector<std::string> specials;
  for (const char* token : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
    if (vocabulary.find(token) >= 0) specials.emplace_back(token);
  return specials;
}

}  // namespace

ExtendReport extend_vocabulary(const ExtendOptions& options) {
  if (fs::exists(options.out_dir) && fs::exists(options.model_dir) && fs::equivalent(options.out_dir, options.model_dir))
    throw std::invalid_argument(fmt::format("{}: --out must not be the model directory", options.out_dir.string()));
  const auto texts = read_corpus(options.corpus, options.column);
  const auto settings = tokenizer_settings(options.model_dir.string());
  const auto old_vocabulary = wordpiece::Vocabulary::load(options.model_dir / "vocab.txt");
  const WordSplitter splitter(settings, special_tokens_of(old_vocabulary));
  const auto words = count_words(texts, splitter);

  ExtendReport report;
  report.texts = static_cast<std::int64_t>(texts.size());
  const auto before = unknown_rate(words, WordMatcher(old_vocabulary));
  report.tokens_before = before.tokens;
  report.unknown_before = before.unknown;

  const auto choice = choose_new_tokens(words, old_vocabulary, options.min_count, options.max_new);
  report.candidates = choice.candidates;
  report.below_min_count = choice.below_min_count;
  report.words_too_long = choice.words_too_long;
  std::vector<std::string> new_tokens;
  for (const auto& token : choice.tokens) {
    report.new_tokens.emplace_back(token.text, token.count);
    new_tokens.push_back(token.text);
  }
  const auto sources = init_sources(choice.tokens, old_vocabulary, options.init);
  for (std::size_t i = 0; i < sources.size(); ++i)
    if (sources[i].empty()) report.rows_from_all.push_back(static_cast<std::int64_t>(i));

  std::vector<std::string> old_tokens;
  old_tokens.reserve(static_cast<std::size_t>(old_vocabulary.size()));
  for (std::int64_t id = 0; id < old_vocabulary.size(); ++id) old_tokens.push_back(old_vocabulary.token(id));
  const auto written = write_extended_model(options.model_dir, options.out_dir, old_tokens, new_tokens, sources);
  report.old_size = written.old_size;
  report.new_size = written.new_size;
  report.resized_tensors = written.resized_tensors;

  // The corpus again, with the vocabulary as written (what the tokenizer will load).
  const auto new_vocabulary = wordpiece::Vocabulary::load(options.out_dir / "vocab.txt");
  const auto after = unknown_rate(words, WordMatcher(new_vocabulary));
  report.tokens_after = after.tokens;
  report.unknown_after = after.unknown;
  return report;
}

}  // namespace bertlab::vocab
