// `bertlab tokenize`: shows how the wordpiece tokenizer splits texts, as a
// table per input or as JSON Lines in the shape Hugging Face tokenizers
// reports from Python (other tools compare against it).
//
//   bertlab tokenize (--model DIR | --vocab FILE [--lowercase true|false]
//                    [--strip-accents true|false]) [--max-length N] [--pairs]
//                    (--input FILE | TEXT [TEXT_B]) [--json]
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "bertlab/tokenizer.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "cli/commands.hpp"
#include "cli/input_lines.hpp"
#include "cli/output.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::cli {

namespace {

struct TokenizeArgs {
  std::string model_dir;
  std::string vocab;
  std::string lowercase;
  std::string strip_accents;
  std::int64_t max_length = 512;
  bool pairs = false;
  std::string input;
  std::vector<std::string> texts;
  bool json = false;
};

// Inputs are encoded and printed in batches so that a large file needs
// memory for one batch of encodings only.
constexpr std::size_t kBatchSize = 4096;
// JSON output collects this much before each write to stdout.
constexpr std::size_t kFlushBytes = 1 << 20;

Table tokenizer_options(const TokenizeArgs& args) {
  if (!args.model_dir.empty()) return checkpoint::tokenizer_options(args.model_dir);
  Table options{{"vocab", args.vocab}, {"lowercase", args.lowercase != "false"}};
  if (!args.strip_accents.empty()) options.insert_or_assign("strip_accents", args.strip_accents == "true");
  return options;
}

std::vector<TextLine> read_inputs(const TokenizeArgs& args) {
  if (!args.input.empty()) return read_text_lines(args.input, args.pairs);
  if (args.pairs && args.texts.size() != 2) throw ExitError(kExitUsage, "--pairs needs --input FILE or TEXT TEXT_B");
  return {{args.texts.front(), args.texts.size() == 2 ? args.texts.back() : std::string()}};
}

void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  out += '"';
}

void append_integer(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_json_line(std::string& out, const Encoding& encoding) {
  auto list = [&](const char* key, auto&& append_item) {
    out += key;
    out += ": [";
    for (std::size_t i = 0; i < encoding.size(); ++i) {
      if (i) out += ", ";
      append_item(i);
    }
    out += ']';
  };
  out += '{';
  list("\"tokens\"", [&](std::size_t i) { append_json_string(out, encoding.tokens[i]); });
  out += ", ";
  list("\"ids\"", [&](std::size_t i) { append_integer(out, encoding.ids[i]); });
  out += ", ";
  list("\"type_ids\"", [&](std::size_t i) { append_integer(out, encoding.type_ids[i]); });
  out += ", ";
  list("\"offsets\"", [&](std::size_t i) {
    out += '[';
    append_integer(out, encoding.offsets[i].begin);
    out += ", ";
    append_integer(out, encoding.offsets[i].end);
    out += ']';
  });
  out += "}\n";
}

void write_stdout(std::string& buffer) {
  if (std::fwrite(buffer.data(), 1, buffer.size(), stdout) != buffer.size())
    throw std::runtime_error("cannot write to standard output");
  buffer.clear();
}

// The part of `text` between two code point offsets; control characters are
// shown escaped so that the table stays one line per token.
std::string covered_text(const std::string& text, const Offset& offset) {
  std::size_t code_point = 0, begin = text.size(), end = text.size();
  for (std::size_t byte = 0; byte < text.size(); ++byte) {
    if ((static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80) continue;  // continuation byte
    if (code_point == static_cast<std::size_t>(offset.begin)) begin = byte;
    if (code_point == static_cast<std::size_t>(offset.end)) {
      end = byte;
      break;
    }
    ++code_point;
  }
  std::string shown;
  for (std::size_t i = begin; i < end && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F)
      shown += fmt::format("\\x{:02x}", c);
    else
      shown += text[i];
  }
  return shown;
}

void print_encoding_table(const Encoding& encoding, const TextLine& line) {
  std::vector<Row> rows;
  rows.reserve(encoding.size());
  for (std::size_t i = 0; i < encoding.size(); ++i) {
    const auto sequence = encoding.sequence_ids[i];
    const std::string text = sequence < 0 ? std::string()
                                          : covered_text(sequence == 0 ? line.text : line.text_pair, encoding.offsets[i]);
    rows.push_back({encoding.tokens[i], std::to_string(encoding.ids[i]), std::to_string(encoding.type_ids[i]), text});
  }
  print_table(std::cout, {"token", "id", "type id", "text"}, rows);
}

void tokenize(const TokenizeArgs& args) {
  if (args.model_dir.empty() == args.vocab.empty()) throw ExitError(kExitUsage, "give one of --model DIR or --vocab FILE");
  if (args.input.empty() == args.texts.empty()) throw ExitError(kExitUsage, "give one of --input FILE or TEXT [TEXT_B]");

  plugin::PluginHost host;
  host.load_defaults();
  const auto tokenizer = host.create<Tokenizer>("wordpiece", Options(tokenizer_options(args)));

  const auto lines = read_inputs(args);
  const bool pairs = args.pairs || args.texts.size() == 2;
  EncodeOptions options;
  options.max_length = args.max_length;
  options.truncation = args.max_length > 0 ? Truncation::longest_first : Truncation::none;

  std::string json;
  std::vector<TextInput> batch;
  for (std::size_t start = 0; start < lines.size(); start += kBatchSize) {
    const auto stop = std::min(lines.size(), start + kBatchSize);
    batch.clear();
    for (std::size_t i = start; i < stop; ++i) batch.push_back({lines[i].text, lines[i].text_pair, pairs, {}});
    const auto encodings = tokenizer->encode_batch(batch, options);
    for (std::size_t i = 0; i < encodings.size(); ++i) {
      if (args.json) {
        append_json_line(json, encodings[i]);
        if (json.size() >= kFlushBytes) write_stdout(json);
      } else {
        if (start + i > 0) std::cout << '\n';
        print_encoding_table(encodings[i], lines[start + i]);
      }
    }
  }
  if (args.json) write_stdout(json);
  std::fflush(stdout);
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto args = std::make_shared<TokenizeArgs>();
  auto* command = app.add_subcommand("tokenize", "Show the WordPiece tokens of texts");
  auto* model = command->add_option("--model", args->model_dir,
                                    "Model directory: vocab.txt and tokenizer_config.json (do_lower_case, "
                                    "strip_accents, tokenize_chinese_chars)");
  auto* vocab = command->add_option("--vocab", args->vocab, "vocab.txt, one token per line")->excludes(model);
  command->add_option("--lowercase", args->lowercase, "Lower-case the text (default true)")
      ->check(CLI::IsMember({"true", "false"}))
      ->needs(vocab);
  command->add_option("--strip-accents", args->strip_accents, "Strip accents (default: as --lowercase)")
      ->check(CLI::IsMember({"true", "false"}))
      ->needs(vocab);
  command->add_option("--max-length", args->max_length, "Truncate to N tokens, longest text first; 0: no limit")
      ->default_val(512)
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--pairs", args->pairs, "Each input line is a pair 'A<TAB>B'");
  auto* input = command->add_option("--input", args->input,
                                    "One text per line; only the newline ends a line (a '\\r' before it stays in the "
                                    "text, where BERT treats it as whitespace)");
  command->add_option("TEXT", args->texts, "A text, or with TEXT_B after it a pair of texts")->expected(1, 2)->excludes(input);
  command->add_flag("--json", args->json,
                    "JSON Lines: {\"tokens\", \"ids\", \"type_ids\", \"offsets\"} per input, offsets in code points");
  command->callback([args] { tokenize(*args); });
}

}  // namespace bertlab::cli
