// UTF-8 and the pieces of Python's str semantics the scorers use, so that
// normalizing an answer here gives what the official Python scripts give.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bertlab::span_extraction {

// Code points of UTF-8 text; an ill-formed byte becomes U+FFFD, as Python's
// decode(errors="replace") does, so nothing here throws on bad input.
std::u32string decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);

// Byte position of every code point of `text`, plus its size at the end:
// code-point offsets (the tokenizer's, SQuAD's) to byte slices.
std::vector<std::size_t> code_point_bytes(std::string_view text);

bool is_python_space(char32_t c);  // str.isspace()
bool is_word_char(char32_t c);     // re's \w
std::u32string python_lower(std::u32string_view text);  // str.lower()
// str.split() with no argument.
std::vector<std::u32string> python_split(std::u32string_view text);
// str.strip() with no argument.
std::u32string_view python_strip(std::u32string_view text);

}  // namespace bertlab::span_extraction
