#include "pretrain/instances.hpp"

#include <algorithm>
#include <stdexcept>

namespace bertlab::pretrain {

namespace {

// A segment under construction: ids with their word-start flags.
struct Segment {
  std::vector<std::int64_t> ids;
  std::vector<std::uint8_t> word_start;

  void append(const Sentence& sentence, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    to = std::min(to, sentence.ids.size());
    ids.insert(ids.end(), sentence.ids.begin() + static_cast<std::ptrdiff_t>(from), sentence.ids.begin() + static_cast<std::ptrdiff_t>(to));
    word_start.insert(word_start.end(), sentence.word_start.begin() + static_cast<std::ptrdiff_t>(from),
                      sentence.word_start.begin() + static_cast<std::ptrdiff_t>(to));
  }
  std::size_t size() const { return ids.size(); }
  void drop_front() {
    ids.erase(ids.begin());
    word_start.erase(word_start.begin());
  }
  void drop_back() {
    ids.pop_back();
    word_start.pop_back();
  }
};

std::int64_t uniform(std::mt19937_64& rng, std::int64_t low, std::int64_t high) {  // [low, high]
  return std::uniform_int_distribution<std::int64_t>(low, high)(rng);
}
double coin(std::mt19937_64& rng) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

// Google's truncate_seq_pair: shorten the longer segment, from the front or
// the back at random, until the pair fits.
void truncate_pair(Segment& a, Segment& b, std::size_t max_tokens, std::mt19937_64& rng) {
  while (a.size() + b.size() > max_tokens) {
    Segment& longer = a.size() > b.size() ? a : b;
    if (coin(rng) < 0.5) longer.drop_front();
    else longer.drop_back();
  }
}

void emit(const Segment& a, const Segment* b, const SpecialTokens& special, Instance& instance) {
  auto push = [&](std::int64_t id, std::int64_t type, std::uint8_t start, std::uint8_t is_special) {
    instance.ids.push_back(id);
    instance.type_ids.push_back(type);
    instance.word_start.push_back(start);
    instance.special.push_back(is_special);
  };
  push(special.cls_id, 0, 0, 1);
  for (std::size_t i = 0; i < a.size(); ++i) push(a.ids[i], 0, a.word_start[i], 0);
  push(special.sep_id, 0, 0, 1);
  if (b) {
    for (std::size_t i = 0; i < b->size(); ++i) push(b->ids[i], 1, b->word_start[i], 0);
    push(special.sep_id, 1, 0, 1);
  }
  // A truncated front may leave a "##" piece first: it starts a word now.
  for (std::size_t i = 1; i < instance.ids.size(); ++i)
    if (!instance.special[i] && instance.special[i - 1]) instance.word_start[i] = 1;
}

}  // namespace

std::vector<Instance> create_instances(const std::vector<Document>& documents, const SpecialTokens& special,
                                       const InstanceOptions& options, std::mt19937_64& rng) {
  if (options.max_length < 8) throw std::invalid_argument("pretraining needs max_length >= 8");
  if (options.next_sentence && documents.size() < 2)
    throw std::invalid_argument("next sentence prediction needs at least two documents in the corpus");
  const auto special_count = options.next_sentence ? 3 : 2;
  const auto max_tokens = static_cast<std::size_t>(options.max_length - special_count);
  std::vector<Instance> instances;
  for (std::size_t d = 0; d < documents.size(); ++d) {
    const auto& document = documents[d];
    std::size_t target = max_tokens;
    if (coin(rng) < options.short_seq_probability) target = static_cast<std::size_t>(uniform(rng, 2, static_cast<std::int64_t>(max_tokens)));
    std::vector<const Sentence*> chunk;
    std::size_t chunk_length = 0;
    for (std::size_t i = 0; i < document.size(); ++i) {
      chunk.push_back(&document[i]);
      chunk_length += document[i].ids.size();
      if (i + 1 != document.size() && chunk_length < target) continue;

      Instance instance;
      instance.document = static_cast<std::int64_t>(d);
      if (!options.next_sentence) {
        Segment a;
        for (const auto* sentence : chunk) a.append(*sentence);
        if (a.size() > max_tokens) {
          a.ids.resize(max_tokens);
          a.word_start.resize(max_tokens);
        }
        emit(a, nullptr, special, instance);
      } else {
        std::size_t a_end = chunk.size() >= 2 ? static_cast<std::size_t>(uniform(rng, 1, static_cast<std::int64_t>(chunk.size()) - 1)) : 1;
        Segment a, b;
        for (std::size_t k = 0; k < a_end; ++k) a.append(*chunk[k]);
        const bool random_next = coin(rng) < 0.5;
        if (random_next) {
          const auto target_b = target > a.size() ? target - a.size() : 1;
          auto other = static_cast<std::size_t>(uniform(rng, 0, static_cast<std::int64_t>(documents.size()) - 2));
          if (other >= d) ++other;
          const auto& random_document = documents[other];
          auto start = static_cast<std::size_t>(uniform(rng, 0, static_cast<std::int64_t>(random_document.size()) - 1));
          for (auto j = start; j < random_document.size() && b.size() < target_b; ++j) b.append(random_document[j]);
          instance.b_document = static_cast<std::int64_t>(other);
          // The chunk's sentences after A were not used: start there next.
          i -= chunk.size() - a_end;
        } else if (chunk.size() >= 2) {
          for (std::size_t k = a_end; k < chunk.size(); ++k) b.append(*chunk[k]);
          instance.b_document = static_cast<std::int64_t>(d);
        } else {
          // One sentence: its own continuation, split inside it.
          const auto& sentence = *chunk.front();
          if (sentence.ids.size() < 2) {
            chunk.clear();
            chunk_length = 0;
            continue;
          }
          const auto split = static_cast<std::size_t>(uniform(rng, 1, static_cast<std::int64_t>(sentence.ids.size()) - 1));
          a = Segment{};
          a.append(sentence, 0, split);
          b.append(sentence, split);
          instance.b_document = static_cast<std::int64_t>(d);
        }
        truncate_pair(a, b, max_tokens, rng);
        if (a.size() == 0 || b.size() == 0) {
          chunk.clear();
          chunk_length = 0;
          continue;
        }
        instance.random_next = random_next;
        emit(a, &b, special, instance);
      }
      instances.push_back(std::move(instance));
      chunk.clear();
      chunk_length = 0;
    }
  }
  return instances;
}

}  // namespace bertlab::pretrain
