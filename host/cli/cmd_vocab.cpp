// `bertlab vocab extend`: add the characters a corpus needs to a model's
// vocabulary (resizing its embeddings); `bertlab vocab train`: learn a
// WordPiece vocabulary for pretraining from scratch. See host/vocab/.
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "vocab/corpus.hpp"
#include "vocab/extend_vocabulary.hpp"
#include "vocab/wordpiece_trainer.hpp"

namespace bertlab::cli {

namespace {

double percent(std::int64_t part, std::int64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

nlohmann::json extend_json(const vocab::ExtendReport& report, const std::string& out_dir) {
  nlohmann::json tokens = nlohmann::json::array();
  for (std::size_t i = 0; i < report.new_tokens.size(); ++i)
    tokens.push_back({{"id", report.old_size + static_cast<std::int64_t>(i)},
                      {"token", report.new_tokens[i].first},
                      {"count", report.new_tokens[i].second}});
  return {{"out", out_dir},
          {"texts", report.texts},
          {"old_vocab_size", report.old_size},
          {"new_vocab_size", report.new_size},
          {"added", report.new_tokens.size()},
          {"candidates", report.candidates},
          {"below_min_count", report.below_min_count},
          {"words_too_long", report.words_too_long},
          {"rows_from_mean_of_all", report.rows_from_all.size()},
          {"resized_tensors", report.resized_tensors},
          {"unk_before", {{"tokens", report.tokens_before}, {"unk", report.unknown_before},
                          {"percent", percent(report.unknown_before, report.tokens_before)}}},
          {"unk_after", {{"tokens", report.tokens_after}, {"unk", report.unknown_after},
                         {"percent", percent(report.unknown_after, report.tokens_after)}}},
          {"new_tokens", tokens}};
}

void print_extend(const vocab::ExtendReport& report, const std::string& out_dir) {
  std::cout << fmt::format("wrote {}: vocabulary {} -> {} (+{} tokens; {} candidates, {} seen fewer than --min-count)\n",
                           out_dir, report.old_size, report.new_size, report.new_tokens.size(), report.candidates,
                           report.below_min_count);
  std::string examples;
  for (std::size_t i = 0; i < report.new_tokens.size() && i < 20; ++i)
    examples += fmt::format("{}{} ({})", i ? ", " : "", report.new_tokens[i].first, report.new_tokens[i].second);
  if (!examples.empty()) std::cout << "new tokens (count): " << examples << (report.new_tokens.size() > 20 ? ", ..." : "") << '\n';
  std::cout << fmt::format("[UNK] in the corpus: {:.3f}% of {} tokens before, {:.3f}% of {} tokens after\n",
                           percent(report.unknown_before, report.tokens_before), report.tokens_before,
                           percent(report.unknown_after, report.tokens_after), report.tokens_after);
  std::cout << fmt::format("new rows from the mean of all rows (no known piece): {}; resized: {}\n",
                           report.rows_from_all.size(), fmt::join(report.resized_tensors, ", "));
  if (report.words_too_long > 0)
    std::cout << fmt::format("{} word occurrences stay [UNK] for being longer than 100 characters\n",
                             report.words_too_long);
}

void add_extend_command(CLI::App& vocab) {
  struct Args {
    vocab::ExtendOptions options;
    std::string init = "mean-of-pieces";
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = vocab.add_subcommand("extend", "Add the characters of a corpus that the vocabulary writes as [UNK]");
  command->add_option("--model", args->options.model_dir, "Hugging Face BERT model directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--corpus", args->options.corpus, "Plain text (a sentence per line), or a csv/tsv/jsonl file")
      ->required();
  command->add_option("--column", args->options.column, "The text column of a csv/tsv/jsonl corpus (default: text)");
  command->add_option("--min-count", args->options.min_count, "Add only tokens seen at least this often")
      ->default_val(2)
      ->check(CLI::PositiveNumber);
  command->add_option("--max-new", args->options.max_new, "Add at most this many tokens, the most frequent (0: all)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  command->add_option("--init", args->init, "New rows: mean of the old pieces' rows, or mean of all rows")
      ->default_val("mean-of-pieces")
      ->check(CLI::IsMember({"mean-of-pieces", "mean"}));
  command->add_option("--out", args->options.out_dir, "Model directory to write")->required();
  command->add_flag("--json", args->json, "Print the summary as JSON");
  command->callback([args] {
    args->options.init = args->init == "mean" ? vocab::InitMode::mean : vocab::InitMode::mean_of_pieces;
    const auto report = vocab::extend_vocabulary(args->options);
    if (args->json)
      std::cout << extend_json(report, args->options.out_dir.string()).dump(2) << '\n';
    else
      print_extend(report, args->options.out_dir.string());
  });
}

void add_train_command(CLI::App& vocab) {
  struct Args {
    std::string corpus;
    std::string column;
    std::string out;
    vocab::TrainOptions options;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = vocab.add_subcommand("train", "Learn a WordPiece vocabulary (as Hugging Face tokenizers' trainer)");
  command->add_option("--corpus", args->corpus, "Plain text (a sentence per line), or a csv/tsv/jsonl file")->required();
  command->add_option("--column", args->column, "The text column of a csv/tsv/jsonl corpus (default: text)");
  command->add_option("--size", args->options.size, "Vocabulary size, special tokens included")
      ->required()
      ->check(CLI::PositiveNumber);
  command->add_option("--min-frequency", args->options.min_frequency, "Merge only pairs seen this often")
      ->default_val(2)
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--lowercase,!--cased", args->options.lowercase, "Lower-case (and strip accents); default on")
      ->default_val(true);
  auto* strip_accents = command->add_flag("--strip-accents,!--keep-accents", args->options.strip_accents,
                                          "Default: as --lowercase");
  command->add_flag("--chinese-chars,!--no-chinese-chars", args->options.chinese_chars,
                    "CJK characters as words of their own; default on")
      ->default_val(true);
  command->add_option("--limit-alphabet", args->options.limit_alphabet, "Keep the N most frequent characters (0: all)")
      ->default_val(1000)
      ->check(CLI::NonNegativeNumber);
  command->add_option("--out", args->out, "vocab.txt to write")->required();
  command->add_flag("--json", args->json, "Print the summary as JSON");
  command->callback([args, strip_accents] {
    if (strip_accents->count() == 0) args->options.strip_accents = args->options.lowercase;
    const auto texts = vocab::read_corpus(args->corpus, args->column);
    const auto result = vocab::train_wordpiece(texts, args->options);
    {
      std::ofstream out(args->out, std::ios::binary);
      for (const auto& token : result.vocabulary) out << token << '\n';
      if (!out) throw std::runtime_error(fmt::format("{}: cannot write", args->out));
    }
    const auto size = static_cast<std::int64_t>(result.vocabulary.size());
    if (args->json) {
      std::cout << nlohmann::json{{"out", args->out},
                                  {"size", size},
                                  {"requested_size", args->options.size},
                                  {"texts", texts.size()},
                                  {"words", result.words},
                                  {"alphabet", result.alphabet},
                                  {"dropped_characters", result.dropped_characters},
                                  {"initial_size", result.initial_size},
                                  {"merges", result.merges}}
                       .dump(2)
                << '\n';
    } else {
      std::cout << fmt::format("wrote {}: {} tokens ({} special, {} characters, {} merges) from {} distinct words\n",
                               args->out, size, args->options.special_tokens.size(), result.alphabet, result.merges,
                               result.words);
      if (result.dropped_characters > 0)
        std::cout << fmt::format("{} rare characters left out by --limit-alphabet\n", result.dropped_characters);
    }
    if (size < args->options.size)
      std::cerr << fmt::format("bertlab: note: no pair is seen --min-frequency {} times any more; the vocabulary has "
                               "{} tokens, not {}\n",
                               args->options.min_frequency, size, args->options.size);
  });
}

}  // namespace

void add_vocab_command(CLI::App& app) {
  auto* vocab = app.add_subcommand("vocab", "Vocabulary tools: extend a model's vocabulary, train a new one");
  vocab->require_subcommand(1);
  add_extend_command(*vocab);
  add_train_command(*vocab);
}

}  // namespace bertlab::cli
