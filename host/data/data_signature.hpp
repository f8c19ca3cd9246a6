// A compact signature of a training set's vocabulary, for `warm_start =
// "similar"`: a MinHash (Broder 1997) of the set of lowercased words of its
// texts. Two signatures agree in about as many positions as the two word
// sets' Jaccard similarity, so studies can be ranked by how alike their data
// is without keeping the data.
#pragma once

#include <cstdint>
#include <vector>

#include "bertlab/head.hpp"

namespace bertlab::data {

inline constexpr std::size_t kSignatureSize = 64;

std::vector<std::uint64_t> data_signature(const std::vector<Example>& examples);

// The estimated Jaccard similarity of the two word sets, in [0, 1]; 0 when
// either signature is empty or their sizes differ.
double signature_similarity(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

}  // namespace bertlab::data
