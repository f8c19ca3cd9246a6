// Encodes a file of texts (one per line) with the wordpiece plugin, loaded
// through the plugin host as bertlab loads it, on one thread, and prints one
// JSON line; tools/bench/tokenizer runs it beside Hugging Face tokenizers.
//
//   BERTLAB_PLUGIN_PATH=build/plugins bench_tokenizer VOCAB TEXTS REPEATS MAX_LENGTH
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bertlab/tokenizer.hpp"
#include "plugin/plugin_host.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: bench_tokenizer VOCAB TEXTS REPEATS MAX_LENGTH\n";
    return 2;
  }
  const int repeats = std::stoi(argv[3]);
  bertlab::plugin::PluginHost host;
  host.load_defaults();
  const auto tokenizer =
      host.create<bertlab::Tokenizer>("wordpiece", bertlab::Options(bertlab::Table{{"vocab", std::string(argv[1])}}));

  std::vector<std::string> texts;
  std::ifstream in(argv[2], std::ios::binary);
  for (std::string line; std::getline(in, line);) texts.push_back(std::move(line));
  if (texts.empty()) {
    std::cerr << "bench_tokenizer: no texts in " << argv[2] << '\n';
    return 1;
  }

  bertlab::EncodeOptions options;
  options.max_length = std::stoll(argv[4]);
  std::vector<double> seconds;
  std::size_t tokens = 0;
  for (int r = 0; r < repeats; ++r) {
    tokens = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& text : texts) tokens += tokenizer->encode(text, options).size();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  std::cout << fmt::format(R"({{"texts": {}, "tokens": {}, "median_s": {}, "min_s": {}}})", texts.size(), tokens,
                           seconds[seconds.size() / 2], seconds.front())
            << std::endl;
  return 0;
}
