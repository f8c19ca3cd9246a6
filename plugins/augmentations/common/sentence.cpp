#include "sentence.hpp"

#include <stdexcept>

#include "text_units.hpp"

namespace bertlab::augment {

Sentence sentence_of(const Example& example) {
  Sentence sentence;
  if (!example.words.empty()) {
    sentence.tagged = example.label.is_array();
    // Char-per-line data (Chinese) keeps its words, single characters, joined without spaces in `text`.
    std::string joined;
    for (const auto& word : example.words) joined += word;
    sentence.characters = example.words.size() > 1 && example.text == joined;
    if (sentence.tagged && example.label.as_array().size() != example.words.size())
      throw std::invalid_argument("example " + example.id + ": " + std::to_string(example.label.as_array().size()) +
                                  " tags for " + std::to_string(example.words.size()) + " words");
    for (std::size_t i = 0; i < example.words.size(); ++i) {
      Token token{example.words[i], "", true};
      if (sentence.tagged) {
        const Value& tag = example.label.as_array()[i];
        if (!tag.is_string()) throw std::invalid_argument("example " + example.id + ": expected a string tag per word");
        token.tag = tag.as_string();
        token.editable = token.tag == "O";
      }
      sentence.tokens.push_back(std::move(token));
    }
    return sentence;
  }
  if (example.label.is_array())
    throw std::invalid_argument("example " + example.id +
                                ": word-level augmentation does not apply to question answering "
                                "(the answers' character offsets would move)");
  auto units = split_units(example.text);
  sentence.characters = units.characters;
  for (auto& unit : units.units) sentence.tokens.push_back({std::move(unit), "", true});
  return sentence;
}

Example example_of(const Example& original, const Sentence& sentence, std::size_t number) {
  Example out = original;
  out.id = original.id + "#aug" + std::to_string(number);
  if (!original.words.empty()) {
    out.words.clear();
    Array tags;
    for (const auto& token : sentence.tokens) {
      out.words.push_back(token.word);
      tags.emplace_back(token.tag);
    }
    if (sentence.tagged) out.label = Value(std::move(tags));
    // The readers keep the words joined in `text` too: with spaces, or without for char-per-line data.
    out.text = join_units(out.words, sentence.characters);
    return out;
  }
  out.text = text_of(sentence);
  return out;
}

bool continues_entity(const std::string& tag) {
  if (tag.empty() || tag == "O") return false;
  const char kind = tag[0];
  return (kind == 'I' || kind == 'M' || kind == 'E') && (tag.size() == 1 || tag[1] == '-');
}

std::string text_of(const Sentence& sentence) {
  std::vector<std::string> words;
  for (const auto& token : sentence.tokens) words.push_back(token.word);
  return join_units(words, sentence.characters);
}

}  // namespace bertlab::augment
