// The wordpiece plugin's encodings, options and errors. Expected values are
// what Hugging Face tokenizers 0.23 gives for the same input.
#include <doctest/doctest.h>

#include <fstream>
#include <thread>

#include "support.hpp"
#include "tokenizer_support.hpp"

using bertlab::EncodeOptions;
using bertlab::Encoding;
using bertlab::TextInput;
using bertlab::Truncation;
using bertlab::test::make_tokenizer;
using bertlab::test::ScratchDir;
using bertlab::test::spans;
using bertlab::test::Spans;
using bertlab::test::uncased;
using Strings = std::vector<std::string>;
using Ints = std::vector<std::int64_t>;
using Ids = std::vector<std::int32_t>;

namespace {

EncodeOptions no_limit() {
  EncodeOptions options;
  options.max_length = 0;
  return options;
}

std::string error_of(bertlab::Table options) {
  try {
    make_tokenizer(std::move(options));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

void write(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

}  // namespace

TEST_CASE("wordpiece: a text becomes [CLS] tokens [SEP] with offsets into the original text") {
  const auto e = uncased().encode("Hello, Café world!", no_limit());
  CHECK(e.tokens == Strings{"[CLS]", "hello", ",", "cafe", "world", "!", "[SEP]"});
  CHECK(e.ids == Ints{101, 7592, 1010, 7668, 2088, 999, 102});
  CHECK(spans(e) == Spans{{0, 0}, {0, 5}, {5, 6}, {7, 11}, {12, 17}, {17, 18}, {0, 0}});
  CHECK(e.word_ids == Ids{-1, 0, 1, 2, 3, 4, -1});
  CHECK(e.sequence_ids == Ids{-1, 0, 0, 0, 0, 0, -1});
  CHECK(e.type_ids == Ints(7, 0));
  CHECK(e.attention_mask == Ints(7, 1));
  CHECK(e.overflowing.empty());
}

TEST_CASE("wordpiece: a pair has type ids 1 for B and offsets into B") {
  const auto e = uncased().encode_pair("what jumps?", "the quick fox", no_limit());
  CHECK(e.tokens == Strings{"[CLS]", "what", "jumps", "?", "[SEP]", "the", "quick", "fox", "[SEP]"});
  CHECK(e.type_ids == Ints{0, 0, 0, 0, 0, 1, 1, 1, 1});
  CHECK(e.sequence_ids == Ids{-1, 0, 0, 0, -1, 1, 1, 1, -1});
  CHECK(e.word_ids == Ids{-1, 0, 1, 2, -1, 0, 1, 2, -1});
  CHECK(spans(e) == Spans{{0, 0}, {0, 4}, {5, 10}, {10, 11}, {0, 0}, {0, 3}, {4, 9}, {10, 13}, {0, 0}});
}

TEST_CASE("wordpiece: sub-words, unknown and over-long words, special tokens written in the text") {
  auto e = uncased().encode("unaffable [MASK]x " + std::string(101, 'a'), no_limit());
  CHECK(e.tokens == Strings{"[CLS]", "una", "##ffa", "##ble", "[MASK]", "x", "[UNK]", "[SEP]"});
  CHECK(spans(e) == Spans{{0, 0}, {0, 3}, {3, 6}, {6, 9}, {10, 16}, {16, 17}, {18, 119}, {0, 0}});
  CHECK(e.word_ids == Ids{-1, 0, 0, 0, 1, 2, 3, -1});
  CHECK(uncased().tokenize("[mask] ☃ 中文") == Strings{"[", "mask", "]", "[UNK]", "中", "文"});
}

TEST_CASE("wordpiece: invalid UTF-8 is replaced, one U+FFFD per maximal subpart, and never throws") {
  const auto e = uncased().encode(std::string_view("ab\xff" "cd \xe4\xb8 ok"), no_limit());
  CHECK(e.tokens == Strings{"[CLS]", "abc", "##d", "ok", "[SEP]"});
  CHECK(spans(e) == Spans{{0, 0}, {0, 4}, {4, 5}, {8, 10}, {0, 0}});
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  CHECK_NOTHROW(uncased().encode_pair(every_byte, every_byte, EncodeOptions{}));
}

TEST_CASE("wordpiece: options lowercase, strip_accents and tokenize_chinese_chars") {
  const auto vocab = bertlab::test::uncased_vocab();
  auto tokens = [](const bertlab::Table& options, std::string_view text) {
    return make_tokenizer(options)->tokenize(text);
  };
  CHECK(tokens({{"vocab", vocab}, {"lowercase", false}}, "Hello Café") == Strings{"[UNK]", "[UNK]"});
  CHECK(tokens({{"vocab", vocab}, {"strip_accents", false}}, "Hello Café naïve") ==
        Strings{"hello", "[UNK]", "[UNK]"});
  CHECK(tokens({{"vocab", vocab}, {"lowercase", false}, {"strip_accents", true}}, "hello café") ==
        Strings{"hello", "cafe"});
  CHECK(tokens({{"vocab", vocab}, {"tokenize_chinese_chars", false}}, "中文abc 中") ==
        Strings{"中", "##文", "##ab", "##c", "中"});
  CHECK(tokens({{"vocab", bertlab::test::chinese_vocab()}, {"lowercase", false}}, "Hello 中文 hello") ==
        Strings{"[UNK]", "中", "文", "hello"});
}

TEST_CASE("wordpiece: pre-tokenized words keep their index and offsets within the word") {
  const Strings words{"Hello", "world!", "don't", "", "Ünïcode"};
  TextInput input;
  input.words = words;
  const auto e = uncased().encode(input, no_limit());
  CHECK(e.tokens == Strings{"[CLS]", "hello", "world", "!", "don", "'", "t", "unicode", "[SEP]"});
  CHECK(e.word_ids == Ids{-1, 0, 1, 1, 2, 2, 2, 4, -1});
  CHECK(spans(e) == Spans{{0, 0}, {0, 5}, {0, 5}, {5, 6}, {0, 3}, {3, 4}, {4, 5}, {0, 7}, {0, 0}});
}

TEST_CASE("wordpiece: pad fills to a length with the pad id and masks it out") {
  auto e = uncased().encode("hello", no_limit());
  bertlab::pad(e, 5, uncased().special_tokens());
  CHECK(e.ids == Ints{101, 7592, 102, 0, 0});
  CHECK(e.tokens == Strings{"[CLS]", "hello", "[SEP]", "[PAD]", "[PAD]"});
  CHECK(e.attention_mask == Ints{1, 1, 1, 0, 0});
  CHECK(e.sequence_ids == Ids{-1, 0, -1, -1, -1});
  CHECK(e.word_ids == Ids{-1, 0, -1, -1, -1});
  bertlab::pad(e, 3, uncased().special_tokens());
  CHECK(e.size() == 5);
}

TEST_CASE("wordpiece: decode joins pieces and cleans up as HF does, skipping special tokens on request") {
  const Ints ids{101, 7592, 1010, 2088, 999, 1045, 2123, 1005, 1056, 2228, 2009, 1005,
                 1055, 103,  14477, 20961, 3468, 1012, 102};
  CHECK(uncased().decode(ids, true) == "hello, world! i don ' t think it ' s unaffable.");
  CHECK(uncased().decode(ids, false) == "[CLS] hello, world! i don ' t think it ' s [MASK] unaffable. [SEP]");
  const Ints with_unknown{101, 7592, 1010, 100, 2088, 999, 102, 0, 0};
  CHECK(uncased().decode(with_unknown, true) == "hello, world!");
  CHECK(uncased().decode(with_unknown, false) == "[CLS] hello, [UNK] world! [SEP] [PAD] [PAD]");
  const Ints out_of_range{7592, 30522};
  CHECK_THROWS_AS(uncased().decode(out_of_range, false), std::out_of_range);
}

TEST_CASE("wordpiece: vocabulary access and special tokens") {
  const auto& t = uncased();
  CHECK(t.vocab_size() == 30522);
  CHECK(t.token_to_id("##ing") == 2075);
  CHECK(t.token_to_id("no-such-token") == 100);
  CHECK(t.id_to_token(101) == "[CLS]");
  CHECK_THROWS_AS(t.id_to_token(-1), std::out_of_range);
  CHECK_THROWS_AS(t.id_to_token(30522), std::out_of_range);
  const auto special = t.special_tokens();
  CHECK(special.pad_id == 0);
  CHECK(special.unk_id == 100);
  CHECK(special.cls_id == 101);
  CHECK(special.sep_id == 102);
  CHECK(special.mask_id == 103);
  CHECK(special.pad_token == "[PAD]");
}

TEST_CASE("wordpiece: bad options and vocabularies are errors naming the option, file or token") {
  const auto vocab = bertlab::test::uncased_vocab();
  CHECK(error_of({{"vocab", vocab}, {"lower_case", true}}).find("option 'tokenizer.lower_case': unknown option") !=
        std::string::npos);
  CHECK(error_of({}).find("option 'tokenizer.vocab': required") != std::string::npos);
  CHECK(error_of({{"vocab", vocab}, {"lowercase", "yes"}}).find("option 'tokenizer.lowercase': expected a boolean") !=
        std::string::npos);
  CHECK(error_of({{"vocab", "/no/such/vocab.txt"}}).find("/no/such/vocab.txt: cannot read") != std::string::npos);

  ScratchDir dir;
  write(dir / "no_unk.txt", "[PAD]\n[CLS]\n[SEP]\nhello\n");
  CHECK(error_of({{"vocab", (dir / "no_unk.txt").string()}}).find("no_unk.txt: the vocabulary has no [UNK] token") !=
        std::string::npos);
  write(dir / "no_pad.txt", "[UNK]\n[CLS]\n[SEP]\n");
  CHECK(error_of({{"vocab", (dir / "no_pad.txt").string()}}).find("has no [PAD] token") != std::string::npos);
  write(dir / "latin1.txt", "[PAD]\n[UNK]\ncaf\xe9\n");
  CHECK(error_of({{"vocab", (dir / "latin1.txt").string()}}).find("latin1.txt:3: not valid UTF-8") !=
        std::string::npos);

  // The smallest usable vocabulary: CRLF line ends, no [MASK].
  write(dir / "tiny.txt", "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhe\r\n##llo\r\n");
  const auto tiny = make_tokenizer({{"vocab", (dir / "tiny.txt").string()}});
  CHECK(tiny->special_tokens().mask_id == -1);
  CHECK(tiny->tokenize("hello hi") == Strings{"he", "##llo", "[UNK]"});
}

TEST_CASE("wordpiece: encoding from several threads at once gives the same results") {
  const std::string text = "The quick brown fox jumps over the lazy dog; naïve café, 中文, unaffable!";
  const auto expected = uncased().encode(text, EncodeOptions{});
  std::vector<int> agreed(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < agreed.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) agreed[t] += uncased().encode(text, EncodeOptions{}).ids == expected.ids;
    });
  for (auto& thread : threads) thread.join();
  CHECK(agreed == std::vector<int>(4, 200));
}
