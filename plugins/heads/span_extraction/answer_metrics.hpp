// Answer scoring as the official scripts do it, for one question at a time
// (the head averages and reports percentages, as the scripts do):
//  - SQuAD v1.1 (evaluate-v1.1.py): answers normalized (lowercase, ASCII
//    punctuation removed, the articles a/an/the removed, whitespace
//    collapsed); exact match, and F1 over the bag of normalized tokens;
//    max over the gold answers.
//  - SQuAD v2.0 (evaluate-v2.0.py): the same normalization; gold answers
//    that normalize to nothing are dropped and an unanswerable question's
//    only gold answer is ""; F1 is 1 when prediction and gold are both
//    empty, 0 when only one is.
//  - CMRC 2018 (cmrc2018_evaluate.py): text lowercased and stripped, its
//    punctuation list removed; Chinese characters (U+4E00..U+9FA5) are
//    tokens of their own; F1 from the longest common run of tokens; exact
//    match on the text with its punctuation removed. The script tokenizes
//    the non-Chinese runs with nltk.word_tokenize; bertlab does not depend on
//    NLTK and splits them at whitespace and around the punctuation NLTK's
//    Treebank rules split off in most contexts (see cmrc_segments).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bertlab::span_extraction {

// SQuAD's normalize_answer.
std::u32string squad_normalize(std::u32string_view text);

struct AnswerScore {
  double exact = 0;
  double f1 = 0;
};

AnswerScore squad_v1_score(std::string_view prediction, std::span<const std::string> gold);
AnswerScore squad_v2_score(std::string_view prediction, std::span<const std::string> gold);
AnswerScore cmrc_score(std::string_view prediction, std::span<const std::string> gold);

// mixed_segmentation(text, rm_punc=True) of the CMRC 2018 script, with the
// NLTK stand-in described above.
std::vector<std::u32string> cmrc_segments(std::string_view text);

// Whether a text has a character of the CMRC script's Chinese range.
bool has_chinese(std::string_view text);

}  // namespace bertlab::span_extraction
