// The four word operations of EDA (Wei & Zou 2019, "EDA: Easy Data
// Augmentation Techniques for Boosting Performance on Text Classification
// Tasks"), as in their reference code, on a Sentence: only editable words
// (all of them in plain text, the O words in tagged data) are replaced,
// swapped or deleted, and inserted words are tagged O.
#pragma once

#include <cstddef>
#include <random>

#include "sentence.hpp"
#include "stopwords.hpp"
#include "synonym_source.hpp"

namespace bertlab::augment {

// Editable words that are not stop-words and have a word core (not only punctuation).
std::size_t count_replaceable(const Sentence& sentence, const StopWords& stopwords);

// Replaces up to `n` distinct replaceable words (in random order; every
// occurrence of a chosen word) by a random synonym each; words without
// synonyms are passed over. A multi-word synonym becomes several words with
// the replaced word's tag (O). Returns how many distinct words were replaced.
std::size_t synonym_replacement(Sentence& sentence, std::size_t n, const SynonymSource& source,
                                const StopWords& stopwords, std::mt19937_64& rng);

// `n` times: a random synonym of a random editable word (up to 10 tries to
// find a word with synonyms) inserted at a random position where it does
// not split an entity. Returns how many were inserted.
std::size_t random_insertion(Sentence& sentence, std::size_t n, const SynonymSource& source, std::mt19937_64& rng);

// `n` times: two random editable words swap places (up to 3 tries to draw
// two different ones).
void random_swap(Sentence& sentence, std::size_t n, std::mt19937_64& rng);

// Each editable word is deleted with probability `p`; a sentence is never
// left empty (one random original word is kept, as in the reference code).
void random_deletion(Sentence& sentence, double p, std::mt19937_64& rng);

// max(1, int(alpha * words)), as the reference code counts changes.
std::size_t changes_for(double alpha, std::size_t words);

}  // namespace bertlab::augment
