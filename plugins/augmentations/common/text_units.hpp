// The units word-level augmentations edit: whitespace-separated words, or,
// for text written without spaces (Chinese, Japanese), single characters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bertlab::augment {

struct TextUnits {
  std::vector<std::string> units;
  bool characters = false;  // units are characters, joined without spaces
};

// Whitespace words; a text without whitespace that holds CJK characters is
// split into its characters (UTF-8 code points).
TextUnits split_units(std::string_view text);

// Units back into text: with single spaces, or concatenated for characters.
std::string join_units(const std::vector<std::string>& units, bool characters);

// The UTF-8 code points of `text`, each as its bytes (an invalid byte is a unit of its own).
std::vector<std::string> code_points(std::string_view text);

// `word` split into leading punctuation, the word, trailing punctuation (ASCII
// punctuation only): "(great!" -> "(", "great", "!". Synonyms replace the core.
struct Affixes {
  std::string prefix, core, suffix;
};
Affixes split_affixes(std::string_view word);

// `replacement` written in the case style of `original`: "Quick" -> "Speedy",
// "QUICK" -> "SPEEDY"; otherwise unchanged (ASCII letters only).
std::string match_case(std::string_view original, std::string replacement);

std::string ascii_lower(std::string_view text);

}  // namespace bertlab::augment
