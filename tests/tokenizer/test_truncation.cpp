// Truncation strategies, their errors and overflowing windows with a stride.
// Expected values are what Hugging Face tokenizers 0.23 gives (its
// return_overflowing_tokens order included).
#include <doctest/doctest.h>

#include "tokenizer_support.hpp"

using bertlab::EncodeOptions;
using bertlab::Encoding;
using bertlab::Truncation;
using bertlab::test::spans;
using bertlab::test::Spans;
using bertlab::test::uncased;
using Strings = std::vector<std::string>;
using Ints = std::vector<std::int64_t>;
using Ids = std::vector<std::int32_t>;

namespace {

constexpr const char* kFox = "the quick brown fox jumps over the lazy dog";

EncodeOptions truncate_to(std::int64_t max_length, Truncation truncation = Truncation::longest_first,
                          std::int64_t stride = 0) {
  EncodeOptions options;
  options.max_length = max_length;
  options.truncation = truncation;
  options.stride = stride;
  options.return_overflowing = true;
  return options;
}

std::vector<Strings> windows(const Encoding& e) {
  std::vector<Strings> out{e.tokens};
  for (const auto& o : e.overflowing) out.push_back(o.tokens);
  return out;
}

}  // namespace

TEST_CASE("truncation: a single text keeps max_length tokens with its special tokens") {
  const auto e = uncased().encode(kFox, truncate_to(6));
  CHECK(e.tokens == Strings{"[CLS]", "the", "quick", "brown", "fox", "[SEP]"});
  CHECK(windows(e).size() == 3);  // the rest comes back in windows of 4 content tokens
  CHECK(uncased().encode(kFox, truncate_to(6, Truncation::none)).size() == 11);
  CHECK(uncased().encode(kFox, truncate_to(0)).size() == 11);
  EncodeOptions bare = truncate_to(4);
  bare.add_special_tokens = false;
  const auto plain = uncased().encode("a b c d e f", bare);
  CHECK(plain.tokens == Strings{"a", "b", "c", "d"});
  CHECK(plain.overflowing.at(0).tokens == Strings{"e", "f"});
}

TEST_CASE("truncation: overflowing windows of a single text overlap by the stride") {
  const auto e = uncased().encode(kFox, truncate_to(6, Truncation::longest_first, 1));
  CHECK(windows(e) == std::vector<Strings>{{"[CLS]", "the", "quick", "brown", "fox", "[SEP]"},
                                           {"[CLS]", "fox", "jumps", "over", "the", "[SEP]"},
                                           {"[CLS]", "the", "lazy", "dog", "[SEP]"}});
  const auto& last = e.overflowing.back();
  CHECK(spans(last) == Spans{{0, 0}, {31, 34}, {35, 39}, {40, 43}, {0, 0}});
  CHECK(last.word_ids == Ids{-1, 6, 7, 8, -1});
  CHECK(last.sequence_ids == Ids{-1, 0, 0, 0, -1});
}

TEST_CASE("truncation: longest_first shares the room between A and B as HF does") {
  // 2 + 3, not 3 + 2: HF's closed form, not a one-token-at-a-time loop.
  const auto e = uncased().encode_pair("one two three", "a b c d e f g h i j", truncate_to(8));
  CHECK(e.tokens == Strings{"[CLS]", "one", "two", "[SEP]", "a", "b", "c", "[SEP]"});
  CHECK(e.type_ids == Ints{0, 0, 0, 0, 1, 1, 1, 1});
}

TEST_CASE("truncation: overflowing windows of a pair come in HF's order") {
  const auto e = uncased().encode_pair("one two three four five six", "a b c d e f g h",
                                       truncate_to(9, Truncation::longest_first, 1));
  const std::vector<Strings> a{{"one", "two", "three"}, {"three", "four", "five"}, {"five", "six"}};
  const std::vector<Strings> b{{"a", "b", "c"}, {"c", "d", "e"}, {"e", "f", "g"}, {"g", "h"}};
  auto joined = [](const Strings& x, const Strings& y) {
    Strings out{"[CLS]"};
    out.insert(out.end(), x.begin(), x.end());
    out.push_back("[SEP]");
    out.insert(out.end(), y.begin(), y.end());
    out.push_back("[SEP]");
    return out;
  };
  // Each later window of A with B's kept part and each later window of B,
  // then A's kept part with each later window of B.
  std::vector<Strings> expected{joined(a[0], b[0])};
  for (std::size_t i = 1; i < a.size(); ++i)
    for (const auto& window : b) expected.push_back(joined(a[i], window));
  for (std::size_t j = 1; j < b.size(); ++j) expected.push_back(joined(a[0], b[j]));
  CHECK(windows(e) == expected);
}

TEST_CASE("truncation: only_second cuts the context and keeps the question, for QA") {
  const auto e = uncased().encode_pair("what jumps?", kFox, truncate_to(10, Truncation::only_second, 1));
  CHECK(windows(e) ==
        std::vector<Strings>{{"[CLS]", "what", "jumps", "?", "[SEP]", "the", "quick", "brown", "fox", "[SEP]"},
                             {"[CLS]", "what", "jumps", "?", "[SEP]", "fox", "jumps", "over", "the", "[SEP]"},
                             {"[CLS]", "what", "jumps", "?", "[SEP]", "the", "lazy", "dog", "[SEP]"}});
  const auto& second = e.overflowing.front();
  CHECK(spans(second) == Spans{{0, 0}, {0, 4}, {5, 10}, {10, 11}, {0, 0}, {16, 19}, {20, 25}, {26, 30}, {31, 34}, {0, 0}});
  CHECK(second.word_ids == Ids{-1, 0, 1, 2, -1, 3, 4, 5, 6, -1});
  CHECK(second.type_ids == Ints{0, 0, 0, 0, 0, 1, 1, 1, 1, 1});

  EncodeOptions no_windows = truncate_to(10, Truncation::only_second, 1);
  no_windows.return_overflowing = false;
  CHECK(uncased().encode_pair("what jumps?", kFox, no_windows).overflowing.empty());
}

TEST_CASE("truncation: max_length equal to the special tokens moves all content to one window") {
  const auto e = uncased().encode("hello world", truncate_to(2));
  CHECK(windows(e) == std::vector<Strings>{{"[CLS]", "[SEP]"}, {"[CLS]", "hello", "world", "[SEP]"}});
}

TEST_CASE("truncation: options that cannot be met are std::invalid_argument") {
  auto fails = [](auto&& encode) {
    try {
      encode();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(fails([] { uncased().encode("one two three four", truncate_to(3, Truncation::only_second)); }) ==
        "truncation only_second needs a pair of texts");
  CHECK(fails([] { uncased().encode_pair("one", "a b c d e f g h i j", truncate_to(5, Truncation::only_first)); }) ==
        "cannot fit max_length 5 by truncating only the first text: it has 1 tokens and 9 must go");
  CHECK(fails([] { uncased().encode("hello world again and again", truncate_to(4, Truncation::longest_first, 2)); }) ==
        "stride 2 must be smaller than the 2 tokens left to the truncated text");
  CHECK(fails([] { uncased().encode("hello", truncate_to(1)); }) == "max_length 1 leaves no room for the 2 special tokens");
  CHECK(fails([] { uncased().encode_pair("a", "b", truncate_to(2)); }) ==
        "max_length 2 leaves no room for the 3 special tokens");
  // Nothing to cut, nothing to complain about.
  CHECK(uncased().encode("one", truncate_to(3, Truncation::only_second)).tokens == Strings{"[CLS]", "one", "[SEP]"});
}
