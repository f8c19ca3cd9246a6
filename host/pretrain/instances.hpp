// Pretraining instances built as BERT builds them (Google's
// create_pretraining_data.py, create_instances_from_document):
//
//  - the sentences of a document are packed into chunks up to the target
//    length: max_length - 3 tokens, or with `short_seq_probability` a random
//    shorter target, so the model also sees short inputs;
//  - with NSP, a chunk is split at a random sentence boundary into A and B;
//    half the time B is replaced by text from another document (the unused
//    sentences of the chunk go back to the pool) and the pair is labelled
//    random; the pair is truncated, from the longer side, at a random end;
//  - without NSP (MLM only), the chunk is one segment.
//
// Two departures from the original, both for the statistics the objective
// assumes: the "random" document is drawn among the *other* documents (the
// original retries ten times and may keep its own), and a one-sentence chunk
// that the coin assigns to "is next" is split inside the sentence instead of
// always becoming a random pair, so labels stay balanced half and half.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "bertlab/tokenizer.hpp"
#include "pretrain/corpus.hpp"

namespace bertlab::pretrain {

struct Instance {
  std::vector<std::int64_t> ids;        // [CLS] A [SEP] (B [SEP])
  std::vector<std::int64_t> type_ids;   // 0 for [CLS] A [SEP], 1 for B [SEP]
  std::vector<std::uint8_t> word_start; // 1 where a word begins; special tokens 0
  std::vector<std::uint8_t> special;    // 1 for [CLS] and [SEP]: never masked
  bool random_next = false;             // the NSP label: B does not follow A
  std::int64_t document = 0;            // where A came from
  std::int64_t b_document = -1;         // where B came from (-1: no B)
};

struct InstanceOptions {
  std::int64_t max_length = 128;
  double short_seq_probability = 0.1;
  bool next_sentence = true;
};

std::vector<Instance> create_instances(const std::vector<Document>& documents, const SpecialTokens& special,
                                       const InstanceOptions& options, std::mt19937_64& rng);

}  // namespace bertlab::pretrain
