#include "data/squad.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bertlab::data {

namespace {

using nlohmann::json;

// Code points of valid UTF-8 (nlohmann rejects ill-formed strings while parsing).
std::u32string code_points(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t cp = length == 1 ? lead : length == 2 ? (lead & 0x1F) : length == 3 ? (lead & 0x0F) : (lead & 0x07);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out.push_back(cp);
    i += length;
  }
  return out;
}

// Where the answer text occurs nearest to `given` (a code-point offset), or -1.
std::int64_t nearest_occurrence(const std::u32string& context, const std::u32string& answer, std::int64_t given) {
  std::int64_t best = -1;
  for (auto at = context.find(answer); at != std::u32string::npos; at = context.find(answer, at + 1)) {
    const auto offset = static_cast<std::int64_t>(at);
    if (best < 0 || std::llabs(offset - given) < std::llabs(best - given)) best = offset;
    if (offset > given) break;  // later ones are farther still
  }
  return best;
}

class Reader {
 public:
  Reader(const std::string& text, Dataset& out) : text_(text), out_(out), file_(out.file.string()) {}

  const json& member(const json& object, const char* key, const std::string& path, json::value_t type) const {
    if (!object.is_object()) throw error(path, fmt::format("expected an object, got {}", object.type_name()));
    auto it = object.find(key);
    if (it == object.end()) throw error(path, fmt::format("no key '{}'", key));
    const bool ok = it->type() == type || (type == json::value_t::number_integer && it->is_number_integer());
    if (!ok) {
      const char* expected = type == json::value_t::string ? "a string"
                             : type == json::value_t::array ? "an array"
                                                            : "an integer";
      throw error(path + "." + key, fmt::format("expected {}, got {}", expected, it->type_name()));
    }
    return *it;
  }

  DataError error(const std::string& path, const std::string& message) const {
    return DataError(fmt::format("{}: {}: {}", file_, path, message));
  }

  // The line the question's id is on, found by scanning forward from the
  // previous question's: nlohmann keeps no positions, and ids come in file order.
  std::int64_t line_of(const std::string& id) {
    const auto quoted = json(id).dump();
    const auto at = text_.find(quoted, cursor_);
    if (at == std::string::npos) return line_;
    line_ += std::count(text_.begin() + static_cast<std::ptrdiff_t>(cursor_),
                        text_.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    cursor_ = at;
    return line_;
  }

  void question(const json& qa, const std::string& path, const std::string& context, const std::u32string& context_cp,
                const std::string& title, bool require_labels) {
    Example example;
    example.id = member(qa, "id", path, json::value_t::string).get<std::string>();
    example.text = member(qa, "question", path, json::value_t::string).get<std::string>();
    example.text_pair = context;
    example.is_pair = true;
    example.fields.emplace("title", Value(title));
    bool impossible = false;
    if (auto it = qa.find("is_impossible"); it != qa.end()) {
      if (!it->is_boolean()) throw error(path + ".is_impossible", fmt::format("expected true or false, got {}", it->type_name()));
      impossible = it->get<bool>();
      example.fields.emplace("is_impossible", Value(impossible));
    }
    if (qa.contains("answers")) {
      const auto& answers = member(qa, "answers", path, json::value_t::array);
      Array label;
      for (std::size_t k = 0; k < answers.size(); ++k) label.push_back(answer(answers[k], fmt::format("{}.answers[{}]", path, k), context_cp));
      if (label.empty() && !impossible && require_labels)
        throw error(path + ".answers", "empty, and the question is not marked is_impossible");
      example.label = Value(std::move(label));
    } else if (require_labels) {
      throw error(path, "no key 'answers'");
    }
    out_.lines.push_back(line_of(example.id));
    out_.examples.push_back(std::move(example));
  }

  Value answer(const json& item, const std::string& path, const std::u32string& context) {
    const auto text = member(item, "text", path, json::value_t::string).get<std::string>();
    auto start = member(item, "answer_start", path, json::value_t::number_integer).get<std::int64_t>();
    const auto answer = code_points(text);
    const auto fits = [&](std::int64_t at) {
      return at >= 0 && static_cast<std::size_t>(at) + answer.size() <= context.size() &&
             context.compare(static_cast<std::size_t>(at), answer.size(), answer) == 0;
    };
    if (!fits(start)) {
      const auto found = nearest_occurrence(context, answer, start);
      if (found >= 0) {
        start = found;
        ++out_.repaired_answers;
      } else {
        ++out_.unlocated_answers;
      }
    }
    return Value(Table{{"text", Value(text)}, {"answer_start", Value(start)}});
  }

 private:
  const std::string& text_;
  Dataset& out_;
  std::string file_;
  std::size_t cursor_ = 0;
  std::int64_t line_ = 1;
};

}  // namespace

std::optional<ArticleRange> parse_article_range(std::string_view text, std::string& error) {
  const auto colon = text.find(':');
  auto number = [](std::string_view digits, std::int64_t& value) {
    if (digits.empty()) return false;
    auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return result.ec == std::errc{} && result.ptr == digits.data() + digits.size() && value >= 0;
  };
  ArticleRange range;
  const auto begin = text.substr(0, colon), end = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  std::int64_t value = 0;
  bool ok = colon != std::string_view::npos && (begin.empty() || number(begin, range.begin));
  if (ok && !end.empty()) {
    ok = number(end, value) && value > range.begin;
    range.end = value;
  }
  if (ok && begin.empty() && end.empty()) ok = false;
  if (!ok) {
    error = fmt::format("expected a slice of articles \"begin:end\" (as Python's data[begin:end], e.g. \"0:38\", "
                        "\"38:\"; non-negative, begin < end), got \"{}\"",
                        text);
    return std::nullopt;
  }
  return range;
}

void read_squad(const std::string& text, const Columns& columns, std::int64_t limit, bool require_labels,
                Dataset& out) {
  const std::string file = out.file.string();
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    throw DataError(fmt::format("{}: not valid JSON: {}", file, e.what()));
  }
  Reader reader(text, out);
  const auto& articles = reader.member(document, "data", "top level", json::value_t::array);
  ArticleRange range;
  if (!columns.articles.empty()) {
    std::string message;
    auto parsed = parse_article_range(columns.articles, message);
    if (!parsed) throw DataError(fmt::format("{}: articles: {}", file, message));
    range = *parsed;
  }
  const auto count = static_cast<std::int64_t>(articles.size());
  const auto end = range.end.value_or(count);
  if (range.begin >= count || end > count)
    throw DataError(fmt::format("{}: articles \"{}\" lie outside the file's {} articles (0:{})", file, columns.articles,
                                count, count));
  for (auto a = range.begin; a < end; ++a) {
    const auto path = fmt::format("data[{}]", a);
    const auto& article = articles[static_cast<std::size_t>(a)];
    const auto& paragraphs = reader.member(article, "paragraphs", path, json::value_t::array);
    std::string title;
    if (article.is_object() && article.contains("title") && article["title"].is_string()) title = article["title"].get<std::string>();
    for (std::size_t p = 0; p < paragraphs.size(); ++p) {
      const auto paragraph_path = fmt::format("{}.paragraphs[{}]", path, p);
      const auto& paragraph = paragraphs[p];
      const auto context = reader.member(paragraph, "context", paragraph_path, json::value_t::string).get<std::string>();
      const auto context_cp = code_points(context);
      const auto& qas = reader.member(paragraph, "qas", paragraph_path, json::value_t::array);
      for (std::size_t q = 0; q < qas.size(); ++q) {
        if (limit > 0 && static_cast<std::int64_t>(out.examples.size()) == limit) break;
        reader.question(qas[q], fmt::format("{}.qas[{}]", paragraph_path, q), context, context_cp, title, require_labels);
      }
    }
  }
  if (out.repaired_answers > 0 || out.unlocated_answers > 0) {
    std::cerr << fmt::format(
        "bertlab: note: {}: {} answer_start offsets did not point at their answer and were moved to the nearest "
        "occurrence of its text; {} answers are not in their context (scored, but not used as training spans)\n",
        file, out.repaired_answers, out.unlocated_answers);
  }
}

}  // namespace bertlab::data
