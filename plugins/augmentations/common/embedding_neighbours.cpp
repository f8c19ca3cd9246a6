// Synonyms as the nearest neighbours of a word in a model's input (word
// piece) embeddings, by cosine similarity: a source for any language the
// vocabulary covers, with no dictionary. The embedding matrix is read from
// the model's model.safetensors directly (header JSON + raw little-endian
// data), so the plugins do not link LibTorch.
//
// Candidates are the vocabulary's whole-word entries: not "##" pieces, not
// [SPECIAL] tokens, with at least one letter (any script). Neighbours in
// embedding space are related words, not always synonyms: antonyms ("good"
// and "bad") are often close, which is why `min_similarity` and
// `neighbours` bound them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synonym_source.hpp"
#include "text_units.hpp"

namespace bertlab::augment {

namespace {

std::vector<std::string> read_vocabulary(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open the vocabulary");
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(line);
  }
  return tokens;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
  const int exponent = (h >> 10) & 0x1f;
  const std::uint32_t mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0) magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31) magnitude = mantissa ? NAN : INFINITY;
  else magnitude = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  std::uint32_t bits;
  std::memcpy(&bits, &magnitude, 4);
  bits |= sign;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

// The word embedding matrix of `file` (a tensor whose name ends in
// "embeddings.word_embeddings.weight"), as float32 rows.
std::vector<float> read_word_embeddings(const std::filesystem::path& file, std::int64_t& rows, std::int64_t& columns) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open the model's weights");
  std::uint64_t header_size = 0;
  in.read(reinterpret_cast<char*>(&header_size), 8);
  if (!in || header_size == 0 || header_size > (100u << 20))
    throw std::runtime_error(file.string() + ": not a safetensors file (bad header size)");
  std::string header(header_size, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_size));
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(header);
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(file.string() + ": not a safetensors file (" + error.what() + ")");
  }
  const std::string suffix = "embeddings.word_embeddings.weight";
  for (const auto& [name, entry] : meta.items()) {
    if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const auto dtype = entry.at("dtype").get<std::string>();
    const auto shape = entry.at("shape").get<std::vector<std::int64_t>>();
    const auto offsets = entry.at("data_offsets").get<std::vector<std::uint64_t>>();
    const std::size_t width = dtype == "F32" ? 4 : (dtype == "F16" || dtype == "BF16") ? 2 : 0;
    if (width == 0) throw std::runtime_error(file.string() + ": " + name + " is " + dtype + "; expected F32, F16 or BF16");
    if (shape.size() != 2 || offsets.size() != 2 ||
        offsets[1] - offsets[0] != static_cast<std::uint64_t>(shape[0] * shape[1]) * width)
      throw std::runtime_error(file.string() + ": " + name + ": shape and data offsets do not agree");
    rows = shape[0];
    columns = shape[1];
    std::vector<char> raw(offsets[1] - offsets[0]);
    in.seekg(static_cast<std::streamoff>(8 + header_size + offsets[0]));
    in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    if (!in) throw std::runtime_error(file.string() + ": truncated (" + name + " ends past the end of the file)");
    std::vector<float> out(static_cast<std::size_t>(rows * columns));
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (width == 4) {
        std::memcpy(&out[i], raw.data() + 4 * i, 4);
      } else {
        std::uint16_t bits;
        std::memcpy(&bits, raw.data() + 2 * i, 2);
        if (dtype == "F16") {
          out[i] = half_to_float(bits);
        } else {
          const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
          std::memcpy(&out[i], &wide, 4);
        }
      }
    }
    return out;
  }
  throw std::runtime_error(file.string() + ": no tensor named *" + suffix);
}

// A whole word with a letter: ASCII letters, or any non-ASCII code point
// (other scripts; punctuation there is rare in BERT vocabularies).
bool candidate(const std::string& token) {
  if (token.empty() || token.rfind("##", 0) == 0) return false;
  if (token.size() > 2 && token.front() == '[' && token.back() == ']') return false;
  return std::any_of(token.begin(), token.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
  });
}

class EmbeddingNeighbours final : public SynonymSource {
 public:
  EmbeddingNeighbours(const std::filesystem::path& model_dir, std::int64_t neighbours, double min_similarity)
      : neighbours_(neighbours), min_similarity_(min_similarity) {
    const auto vocabulary = read_vocabulary(model_dir / "vocab.txt");
    std::int64_t rows = 0;
    const auto embeddings = read_word_embeddings(model_dir / "model.safetensors", rows, columns_);
    if (rows < static_cast<std::int64_t>(vocabulary.size()))
      throw std::runtime_error((model_dir / "model.safetensors").string() + ": " + std::to_string(rows) +
                               " word embeddings for " + std::to_string(vocabulary.size()) + " vocabulary entries");
    for (std::size_t id = 0; id < vocabulary.size(); ++id) {
      if (!candidate(vocabulary[id])) continue;
      const float* row = embeddings.data() + id * static_cast<std::size_t>(columns_);
      double norm = 0;
      for (std::int64_t c = 0; c < columns_; ++c) norm += static_cast<double>(row[c]) * row[c];
      if (norm == 0) continue;
      const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
      index_.emplace(vocabulary[id], words_.size());
      words_.push_back(vocabulary[id]);
      for (std::int64_t c = 0; c < columns_; ++c) unit_rows_.push_back(row[c] * scale);
    }
    if (words_.empty()) throw std::runtime_error(model_dir.string() + ": the vocabulary has no whole words");
  }

  std::vector<std::string> synonyms(const std::string& word) const override {
    auto it = index_.find(word);
    if (it == index_.end()) it = index_.find(ascii_lower(word));  // an uncased vocabulary
    if (it == index_.end()) return {};
    std::lock_guard lock(mutex_);
    if (auto cached = cache_.find(it->second); cached != cache_.end()) return cached->second;
    const std::size_t columns = static_cast<std::size_t>(columns_);
    const float* query = unit_rows_.data() + it->second * columns;
    std::vector<std::pair<float, std::size_t>> scored;
    for (std::size_t w = 0; w < words_.size(); ++w) {
      if (w == it->second) continue;
      const float* row = unit_rows_.data() + w * columns;
      float dot = 0;
      for (std::size_t c = 0; c < columns; ++c) dot += query[c] * row[c];
      if (dot >= min_similarity_) scored.emplace_back(dot, w);
    }
    // Most similar first; ties by vocabulary order, so lists never depend on sorting details.
    const auto keep = std::min(scored.size(), static_cast<std::size_t>(neighbours_));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                      [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::vector<std::string> out;
    for (std::size_t i = 0; i < keep; ++i) out.push_back(words_[scored[i].second]);
    return cache_.emplace(it->second, std::move(out)).first->second;
  }

 private:
  std::int64_t neighbours_;
  double min_similarity_;
  std::int64_t columns_ = 0;
  std::vector<std::string> words_;                 // the candidates
  std::map<std::string, std::size_t> index_;       // word -> candidate index
  std::vector<float> unit_rows_;                   // candidates' embeddings, unit length
  mutable std::mutex mutex_;
  mutable std::map<std::size_t, std::vector<std::string>> cache_;
};

}  // namespace

std::shared_ptr<const SynonymSource> embedding_neighbours(const std::filesystem::path& model_dir,
                                                          std::int64_t neighbours, double min_similarity) {
  return std::make_shared<EmbeddingNeighbours>(model_dir, neighbours, min_similarity);
}

}  // namespace bertlab::augment
