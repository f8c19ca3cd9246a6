// The wordpiece plugin as bertlab creates it (through the plugin host), on the
// all-MiniLM-L6-v2 uncased vocabulary unless a test says otherwise.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bertlab/tokenizer.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::test {

inline std::string uncased_vocab() { return std::string(BERTLAB_MINILM_DIR) + "/vocab.txt"; }
inline std::string chinese_vocab() { return std::string(BERTLAB_SHARED_DATA) + "/models/bert-base-chinese/vocab.txt"; }

inline std::shared_ptr<Tokenizer> make_tokenizer(Table options) {
  plugin::PluginHost host;
  host.load_from(BERTLAB_PLUGIN_DIR, /*required=*/true);
  return host.create<Tokenizer>("wordpiece", Options(std::move(options), "tokenizer"));
}

// Loading the vocabulary is the slow part, so tests share this one.
inline const Tokenizer& uncased() {
  static const auto tokenizer = make_tokenizer({{"vocab", uncased_vocab()}});
  return *tokenizer;
}

using Spans = std::vector<std::pair<std::int64_t, std::int64_t>>;

inline Spans spans(const Encoding& encoding) {
  Spans out;
  for (const auto& offset : encoding.offsets) out.emplace_back(offset.begin, offset.end);
  return out;
}

}  // namespace bertlab::test
