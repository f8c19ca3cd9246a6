// An example as the word operations see it: a list of words, each with its
// tag (token-classification data) and whether it may be edited. In tagged
// data only words tagged O are edited, and inserted words are tagged O, so
// entities and their tags stay as they were and tags stay aligned.
#pragma once

#include <string>
#include <vector>

#include "bertlab/head.hpp"

namespace bertlab::augment {

struct Token {
  std::string word;
  std::string tag;      // empty for untagged text
  bool editable = true; // tagged: only O words
};

struct Sentence {
  std::vector<Token> tokens;
  bool tagged = false;      // from Example::words with a tag array label
  bool characters = false;  // text units are characters (joined without spaces)
};

// Throws std::invalid_argument for what cannot be augmented word by word:
// QA examples (answer offsets would move), tags not aligned with words.
Sentence sentence_of(const Example& example);

// `original` with the sentence's words (and tags) in place of its own; the id
// gets "#aug<number>".
Example example_of(const Example& original, const Sentence& sentence, std::size_t number);

// Whether a word with this tag continues the entity before it (I-, M-, E-):
// nothing may be inserted before such a word.
bool continues_entity(const std::string& tag);

std::string text_of(const Sentence& sentence);

}  // namespace bertlab::augment
