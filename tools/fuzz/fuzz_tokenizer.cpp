// Fuzzes the wordpiece tokenizer with arbitrary bytes: single texts, pairs and
// pre-tokenized words, under random truncation settings, then checks what
// every encoding promises (parallel vectors of one length, offsets inside the
// text, the length limit) and decodes the ids again.
//
// Input layout: 4 control bytes, then the text; with a pair, the first 0xFF
// byte separates A from B (no UTF-8 text contains 0xFF), and words are the
// text split at '\n'.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "utf8.hpp"
#include "wordpiece_tokenizer.hpp"

namespace {

using bertlab::EncodeOptions;
using bertlab::Encoding;
using bertlab::Truncation;
using bertlab::wordpiece::WordPieceTokenizer;

const WordPieceTokenizer& tokenizer(unsigned which) {
  static const WordPieceTokenizer uncased(bertlab::Options(bertlab::Table{{"vocab", BERTLAB_UNCASED_VOCAB}}));
  static const WordPieceTokenizer cased(bertlab::Options(bertlab::Table{
      {"vocab", BERTLAB_CHINESE_VOCAB}, {"lowercase", false}, {"tokenize_chinese_chars", false}}));
  static const WordPieceTokenizer cased_stripped(bertlab::Options(bertlab::Table{
      {"vocab", BERTLAB_CHINESE_VOCAB}, {"lowercase", false}, {"strip_accents", true}}));
  switch (which % 3) {
    case 0: return uncased;
    case 1: return cased;
    default: return cased_stripped;
  }
}

void require(bool condition) {
  if (!condition) std::abort();
}

std::size_t code_points(std::string_view text) {
  std::vector<char32_t> decoded;
  bertlab::wordpiece::decode_utf8(text, decoded);
  return decoded.size();
}

void check(const Encoding& e, std::size_t length_a, std::size_t length_b, const std::vector<std::string>& words) {
  const auto n = e.size();
  require(e.type_ids.size() == n && e.attention_mask.size() == n && e.tokens.size() == n && e.offsets.size() == n &&
          e.sequence_ids.size() == n && e.word_ids.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& offset = e.offsets[i];
    require(0 <= offset.begin && offset.begin <= offset.end);
    const auto sequence = e.sequence_ids[i];
    require(sequence >= -1 && sequence <= 1);
    if (sequence < 0) {
      require(offset.begin == 0 && offset.end == 0 && e.word_ids[i] == -1);
      continue;
    }
    require(offset.begin < offset.end && e.word_ids[i] >= 0);
    std::size_t limit = sequence == 0 ? length_a : length_b;
    if (!words.empty()) limit = code_points(words.at(static_cast<std::size_t>(e.word_ids[i])));
    require(static_cast<std::size_t>(offset.end) <= limit);
    require(e.type_ids[i] == sequence);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const unsigned mode = data[0];
  const auto& t = tokenizer(data[1]);
  EncodeOptions options;
  options.max_length = data[2] % 64;
  options.truncation = static_cast<Truncation>((mode >> 2) & 3);
  options.add_special_tokens = (mode & 16) == 0;
  options.return_overflowing = (mode & 32) != 0;
  options.stride = data[3] % 8;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 4), size - 4);

  bertlab::TextInput input;
  std::vector<std::string> words;
  std::string_view text_b;
  std::string_view text_a = bytes;
  switch (mode & 3) {
    case 1: {
      const auto separator = bytes.find('\xff');
      input.is_pair = true;
      text_a = bytes.substr(0, separator);
      text_b = separator == std::string_view::npos ? std::string_view() : bytes.substr(separator + 1);
      break;
    }
    case 2:
      for (std::size_t start = 0; start <= bytes.size();) {
        const auto end = std::min(bytes.find('\n', start), bytes.size());
        words.emplace_back(bytes.substr(start, end - start));
        start = end + 1;
      }
      input.words = words;
      break;
    default:
      break;
  }
  input.text = text_a;
  input.text_pair = text_b;

  Encoding encoding;
  try {
    encoding = t.encode(input, options);
  } catch (const std::invalid_argument&) {
    return 0;  // truncation settings that cannot be met are refused, as documented
  }
  const auto length_a = code_points(text_a), length_b = code_points(text_b);
  check(encoding, length_a, length_b, words);
  const bool truncating = options.truncation != Truncation::none && options.max_length > 0;
  if (truncating) require(encoding.size() <= static_cast<std::size_t>(options.max_length));
  for (const auto& window : encoding.overflowing) check(window, length_a, length_b, words);
  if (!options.return_overflowing) require(encoding.overflowing.empty());

  (void)t.decode(encoding.ids, (mode & 64) != 0);
  (void)t.tokenize(text_a);
  return 0;
}
