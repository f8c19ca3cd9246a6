// Pretraining data as BERT builds it: masking statistics, NSP pairs,
// whole-word masking, Chinese word segmentation, fresh masks per epoch.
#include <map>
#include <random>
#include <set>

#include "pretrain/corpus.hpp"
#include "pretrain/instances.hpp"
#include "pretrain/masking.hpp"

#include <doctest/doctest.h>

using namespace bertlab::pretrain;

namespace {

constexpr std::int64_t kVocab = 5000, kMask = 4;

bertlab::SpecialTokens special_tokens() {
  bertlab::SpecialTokens special;
  special.pad_id = 0;
  special.unk_id = 1;
  special.cls_id = 2;
  special.sep_id = 3;
  special.mask_id = kMask;
  return special;
}

// Documents whose token ids tell where they came from: document d uses ids
// 100 + 40 d ... 100 + 40 d + 39, and every third piece continues a word.
std::vector<Document> numbered_documents(std::size_t count, std::mt19937_64& rng) {
  std::vector<Document> documents(count);
  for (std::size_t d = 0; d < count; ++d) {
    const auto sentences = 3 + rng() % 10;
    for (std::size_t s = 0; s < sentences; ++s) {
      Sentence sentence;
      const auto length = 3 + rng() % 20;
      for (std::size_t t = 0; t < length; ++t) {
        sentence.ids.push_back(100 + 40 * static_cast<std::int64_t>(d) + static_cast<std::int64_t>(rng() % 40));
        sentence.word_start.push_back(t % 3 == 0 ? 1 : 0);
      }
      documents[d].push_back(std::move(sentence));
    }
  }
  return documents;
}

std::int64_t document_of(std::int64_t id) { return (id - 100) / 40; }

MaskingOptions masking(bool whole_word) {
  return MaskingOptions{.whole_word = whole_word, .vocab_size = kVocab, .mask_id = kMask};
}

}  // namespace

TEST_CASE("masking: over 100k tokens, 15% selected, of which 80% [MASK], 10% random, 10% unchanged") {
  std::mt19937_64 rng(1);
  std::vector<Instance> instances;
  std::int64_t content = 0;
  while (content < 100'000) {
    Instance instance;
    instance.ids.push_back(2);
    instance.special.push_back(1);
    instance.word_start.push_back(0);
    const auto length = 20 + rng() % 100;
    for (std::size_t i = 0; i < length; ++i) {
      instance.ids.push_back(100 + static_cast<std::int64_t>(rng() % 4000));
      instance.special.push_back(0);
      instance.word_start.push_back(1);
    }
    instance.ids.push_back(3);
    instance.special.push_back(1);
    instance.word_start.push_back(0);
    instance.type_ids.assign(instance.ids.size(), 0);
    content += static_cast<std::int64_t>(length);
    instances.push_back(std::move(instance));
  }
  std::int64_t selected = 0, masked = 0, random = 0, unchanged = 0;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    std::mt19937_64 draw(1000 + i);
    auto out = mask_instance(instances[i], masking(false), draw);
    for (std::size_t t = 0; t < out.labels.size(); ++t) {
      if (instances[i].special[t]) {
        CHECK(out.labels[t] == -100);
        CHECK(out.input_ids[t] == instances[i].ids[t]);
        continue;
      }
      if (out.labels[t] == -100) {
        CHECK(out.input_ids[t] == instances[i].ids[t]);
        continue;
      }
      CHECK(out.labels[t] == instances[i].ids[t]);
      ++selected;
      if (out.input_ids[t] == kMask) ++masked;
      else if (out.input_ids[t] != instances[i].ids[t]) ++random;
      else ++unchanged;
    }
  }
  const double selected_share = static_cast<double>(selected) / static_cast<double>(content);
  INFO("selected ", selected, " of ", content, "; [MASK] ", masked, ", random ", random, ", unchanged ", unchanged);
  CHECK(std::abs(selected_share - 0.15) < 0.01);
  CHECK(std::abs(static_cast<double>(masked) / static_cast<double>(selected) - 0.8) < 0.01);
  CHECK(std::abs(static_cast<double>(random) / static_cast<double>(selected) - 0.1) < 0.01);
  CHECK(std::abs(static_cast<double>(unchanged) / static_cast<double>(selected) - 0.1) < 0.01);
}

TEST_CASE("masking: the same seed draws the same masks, another epoch's seed draws others") {
  std::mt19937_64 rng(3);
  auto documents = numbered_documents(20, rng);
  auto instances = create_instances(documents, special_tokens(), {.max_length = 64}, rng);
  REQUIRE(instances.size() > 10);
  std::mt19937_64 a(42), b(42), c(43);
  auto first = mask_instance(instances[0], masking(false), a);
  auto again = mask_instance(instances[0], masking(false), b);
  auto other = mask_instance(instances[0], masking(false), c);
  CHECK(first.input_ids == again.input_ids);
  CHECK(first.labels == again.labels);
  CHECK(first.labels != other.labels);
}

TEST_CASE("next sentence pairs: half random, random B never from A's document, real B follows A") {
  std::mt19937_64 rng(7);
  auto documents = numbered_documents(600, rng);
  auto instances = create_instances(documents, special_tokens(), {.max_length = 64}, rng);
  REQUIRE(instances.size() > 1000);
  std::int64_t random_pairs = 0;
  for (const auto& instance : instances) {
    // [CLS] A [SEP] B [SEP], types 0 then 1, within max_length.
    REQUIRE(instance.ids.size() <= 64);
    CHECK(instance.ids.front() == 2);
    CHECK(instance.ids.back() == 3);
    std::set<std::int64_t> a_documents, b_documents;
    for (std::size_t t = 0; t < instance.ids.size(); ++t) {
      if (instance.special[t]) continue;
      (instance.type_ids[t] == 0 ? a_documents : b_documents).insert(document_of(instance.ids[t]));
    }
    REQUIRE(a_documents.size() == 1);
    REQUIRE(b_documents.size() == 1);
    CHECK(*a_documents.begin() == instance.document);
    CHECK(*b_documents.begin() == instance.b_document);
    if (instance.random_next) {
      ++random_pairs;
      CHECK(instance.b_document != instance.document);
    } else {
      CHECK(instance.b_document == instance.document);
    }
  }
  const double share = static_cast<double>(random_pairs) / static_cast<double>(instances.size());
  INFO("random pairs: ", random_pairs, " of ", instances.size());
  CHECK(std::abs(share - 0.5) < 0.03);
}

TEST_CASE("instances without NSP are one segment of one document, packed up to max_length") {
  std::mt19937_64 rng(9);
  auto documents = numbered_documents(50, rng);
  auto instances = create_instances(documents, special_tokens(), {.max_length = 64, .short_seq_probability = 0, .next_sentence = false}, rng);
  std::int64_t full = 0;
  for (const auto& instance : instances) {
    CHECK(instance.ids.size() <= 64);
    CHECK(instance.b_document == -1);
    CHECK(std::count(instance.ids.begin(), instance.ids.end(), 3) == 1);
    for (auto type : instance.type_ids) CHECK(type == 0);
    full += instance.ids.size() >= 40;
  }
  CHECK(full > static_cast<std::int64_t>(instances.size()) / 2);  // packing, not one sentence each
}

TEST_CASE("whole-word masking never splits a word") {
  std::mt19937_64 rng(11);
  auto documents = numbered_documents(100, rng);
  auto instances = create_instances(documents, special_tokens(), {.max_length = 128}, rng);
  std::int64_t words_masked = 0;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const auto& instance = instances[i];
    std::mt19937_64 draw(i);
    auto out = mask_instance(instance, masking(true), draw);
    // Words: a word-start piece and the continuation pieces after it.
    for (std::size_t t = 0; t < instance.ids.size();) {
      if (instance.special[t]) {
        ++t;
        continue;
      }
      auto end = t + 1;
      while (end < instance.ids.size() && !instance.special[end] && !instance.word_start[end]) ++end;
      std::size_t selected = 0;
      for (auto k = t; k < end; ++k) selected += out.labels[k] != -100;
      CHECK((selected == 0 || selected == end - t));
      words_masked += selected > 0;
      t = end;
    }
  }
  CHECK(words_masked > 500);
}

TEST_CASE("Chinese whole words: forward maximum matching over runs of CJK characters") {
  std::unordered_set<std::string> words{"自然", "自然语言", "语言", "处理"};
  std::vector<std::string> pieces{"我", "爱", "自", "然", "语", "言", "处", "理", "hello", "##s", "处", "理"};
  Sentence sentence;
  sentence.ids.assign(pieces.size(), 100);
  sentence.word_start.assign(pieces.size(), 1);
  sentence.word_start[9] = 0;  // ##s
  mark_chinese_words(pieces, words, sentence);
  CHECK(sentence.word_start == std::vector<std::uint8_t>{1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0});
}
