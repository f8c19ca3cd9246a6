#include "answer_metrics.hpp"

#include <algorithm>
#include <map>

#include "text.hpp"

namespace bertlab::span_extraction {

namespace {

bool is_ascii_punctuation(char32_t c) {  // Python's string.punctuation
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// re.sub(r'\b(a|an|the)\b', ' ', text): whole words only, matched on the
// original text (non-overlapping, left to right).
std::u32string remove_articles(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (i == 0 || !is_word_char(text[i - 1])) {
      for (std::u32string_view article : {U"a", U"an", U"the"}) {
        const std::size_t end = i + article.size();
        if (text.substr(i, article.size()) == article && (end == text.size() || !is_word_char(text[end]))) {
          out.push_back(U' ');
          i = end;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out.push_back(text[i++]);
  }
  return out;
}

std::vector<std::u32string> squad_tokens(std::string_view text) { return python_split(squad_normalize(decode_utf8(text))); }

double bag_f1(const std::vector<std::u32string>& predicted, const std::vector<std::u32string>& gold) {
  std::map<std::u32string, int> counts;
  for (const auto& t : gold) ++counts[t];
  int same = 0;
  for (const auto& t : predicted) {
    auto it = counts.find(t);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++same;
    }
  }
  if (same == 0) return 0;
  const double precision = static_cast<double>(same) / static_cast<double>(predicted.size());
  const double recall = static_cast<double>(same) / static_cast<double>(gold.size());
  return 2 * precision * recall / (precision + recall);
}

// The CMRC script's sp_char list. Its entry "……" is two characters and never
// equals the one character it is compared with, so it removes nothing.
bool is_cmrc_punctuation(char32_t c) {
  static constexpr std::u32string_view kChars = U"-:_*^/\\~`+=，。：？！“”；’《》·、「」（）－～『』";
  return kChars.find(c) != std::u32string_view::npos;
}

bool is_cmrc_chinese(char32_t c) { return c >= 0x4E00 && c <= 0x9FA5; }

// The stand-in for nltk.word_tokenize on a run without Chinese characters:
// whitespace splits; ? ! ; @ # $ % & ( ) [ ] { } < > " are tokens of their
// own; a comma is one unless a digit follows (Treebank keeps "1,000"); a
// final period is one unless another period precedes it.
void nltk_like_tokens(std::u32string_view run, std::vector<std::u32string>& out) {
  static constexpr std::u32string_view kAlone = U"?!;@#$%&()[]{}<>\"";
  for (auto& word : python_split(run)) {
    std::u32string current;
    for (std::size_t i = 0; i < word.size(); ++i) {
      const char32_t c = word[i];
      const bool comma = c == U',' && !(i + 1 < word.size() && word[i + 1] >= U'0' && word[i + 1] <= U'9');
      if (kAlone.find(c) != std::u32string_view::npos || comma) {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
        out.emplace_back(1, c);
      } else {
        current.push_back(c);
      }
    }
    if (!current.empty()) out.push_back(std::move(current));
  }
  // The final period of the run.
  if (!out.empty() && out.back().size() > 1 && out.back().back() == U'.' && out.back()[out.back().size() - 2] != U'.') {
    out.back().pop_back();
    out.emplace_back(U".");
  }
}

std::u32string cmrc_without_punctuation(std::string_view text) {
  const auto lowered = python_lower(decode_utf8(text));
  std::u32string out;
  for (char32_t c : python_strip(lowered))
    if (!is_cmrc_punctuation(c)) out.push_back(c);
  return out;
}

// find_lcs: the length of the longest common contiguous run of tokens.
std::size_t longest_common_run(const std::vector<std::u32string>& a, const std::vector<std::u32string>& b) {
  std::vector<std::size_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
  std::size_t best = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < b.size(); ++j) {
      current[j + 1] = a[i] == b[j] ? previous[j] + 1 : 0;
      best = std::max(best, current[j + 1]);
    }
    std::swap(previous, current);
  }
  return best;
}

}  // namespace

std::u32string squad_normalize(std::u32string_view text) {
  std::u32string lowered = python_lower(text);
  std::u32string without_punctuation;
  without_punctuation.reserve(lowered.size());
  for (char32_t c : lowered)
    if (!is_ascii_punctuation(c)) without_punctuation.push_back(c);
  std::u32string out;
  for (const auto& token : python_split(remove_articles(without_punctuation))) {
    if (!out.empty()) out.push_back(U' ');
    out += token;
  }
  return out;
}

AnswerScore squad_v1_score(std::string_view prediction, std::span<const std::string> gold) {
  AnswerScore best;
  const auto predicted = squad_normalize(decode_utf8(prediction));
  const auto predicted_tokens = python_split(predicted);
  for (const auto& answer : gold) {
    best.exact = std::max(best.exact, predicted == squad_normalize(decode_utf8(answer)) ? 1.0 : 0.0);
    best.f1 = std::max(best.f1, bag_f1(predicted_tokens, squad_tokens(answer)));
  }
  return best;
}

AnswerScore squad_v2_score(std::string_view prediction, std::span<const std::string> gold) {
  std::vector<std::string> answers;
  for (const auto& answer : gold)
    if (!squad_normalize(decode_utf8(answer)).empty()) answers.push_back(answer);
  if (answers.empty()) answers.emplace_back();
  const auto predicted = squad_normalize(decode_utf8(prediction));
  const auto predicted_tokens = python_split(predicted);
  AnswerScore best;
  for (const auto& answer : answers) {
    const auto gold_tokens = squad_tokens(answer);
    best.exact = std::max(best.exact, predicted == squad_normalize(decode_utf8(answer)) ? 1.0 : 0.0);
    const double f1 = gold_tokens.empty() || predicted_tokens.empty() ? (gold_tokens == predicted_tokens ? 1.0 : 0.0)
                                                                      : bag_f1(predicted_tokens, gold_tokens);
    best.f1 = std::max(best.f1, f1);
  }
  return best;
}

std::vector<std::u32string> cmrc_segments(std::string_view text) {
  const auto lowered = python_lower(decode_utf8(text));
  std::vector<std::u32string> out;
  std::u32string run;
  for (char32_t c : python_strip(lowered)) {
    if (is_cmrc_punctuation(c)) continue;  // rm_punc=True
    if (is_cmrc_chinese(c)) {
      if (!run.empty()) nltk_like_tokens(run, out);
      run.clear();
      out.emplace_back(1, c);
    } else {
      run.push_back(c);
    }
  }
  if (!run.empty()) nltk_like_tokens(run, out);
  return out;
}

AnswerScore cmrc_score(std::string_view prediction, std::span<const std::string> gold) {
  AnswerScore best;
  const auto predicted_segments = cmrc_segments(prediction);
  const auto predicted_text = cmrc_without_punctuation(prediction);
  for (const auto& answer : gold) {
    const auto gold_segments = cmrc_segments(answer);
    const auto common = longest_common_run(gold_segments, predicted_segments);
    if (common > 0) {
      const double precision = static_cast<double>(common) / static_cast<double>(predicted_segments.size());
      const double recall = static_cast<double>(common) / static_cast<double>(gold_segments.size());
      best.f1 = std::max(best.f1, 2 * precision * recall / (precision + recall));
    }
    if (cmrc_without_punctuation(answer) == predicted_text) best.exact = 1;
  }
  return best;
}

bool has_chinese(std::string_view text) {
  for (char32_t c : decode_utf8(text))
    if (is_cmrc_chinese(c)) return true;
  return false;
}

}  // namespace bertlab::span_extraction
