#include "cli/input_lines.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace bertlab::cli {

std::vector<TextLine> read_text_lines(const std::filesystem::path& file, bool pairs) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open the input file", file.string()));
  std::vector<TextLine> lines;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!pairs) {
      lines.push_back({std::move(line), {}});
      continue;
    }
    auto tab = line.find('\t');
    if (tab == std::string::npos)
      throw std::runtime_error(fmt::format("{}:{}: expected a pair 'A<TAB>B', found no tab", file.string(), number));
    lines.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return lines;
}

}  // namespace bertlab::cli
