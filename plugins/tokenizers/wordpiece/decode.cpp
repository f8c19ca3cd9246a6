// Ids back to text as HF's WordPiece decoder does it: tokens joined by
// spaces, "##" pieces glued to the token before, and its cleanup of spaces
// before punctuation and English contractions.
#include <array>
#include <string_view>
#include <utility>

#include "wordpiece_tokenizer.hpp"

namespace bertlab::wordpiece {

namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

void clean_up(std::string& token) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kReplacements{{
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  }};
  for (const auto& [from, to] : kReplacements) replace_all(token, from, to);
}

}  // namespace

std::string WordPieceTokenizer::decode(std::span<const std::int64_t> ids, bool skip_special_tokens) const {
  std::string text;
  std::string piece;
  bool first = true;
  for (const auto id : ids) {
    const auto& token = vocabulary_.token(id);
    if (skip_special_tokens && splitter_.is_special(id)) continue;
    if (first)
      piece = token;
    else if (token.starts_with(WordPieceMatcher::kContinuingPrefix))
      piece = token.substr(WordPieceMatcher::kContinuingPrefix.size());
    else
      piece = " " + token;
    first = false;
    clean_up(piece);
    text += piece;
  }
  return text;
}

}  // namespace bertlab::wordpiece
