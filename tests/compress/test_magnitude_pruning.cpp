// One-shot magnitude pruning reaches its sparsity exactly, globally or per
// matrix, zeroes the smallest weights, and leaves everything else alone.
#include <set>

#include <ATen/ATen.h>

#include "compress/magnitude_pruning.hpp"
#include "tiny_bert.hpp"

#include <doctest/doctest.h>

using namespace bertlab;

TEST_CASE("magnitude pruning: per-matrix scope makes every linear weight exactly that sparse") {
  auto bert = test::tiny_bert(21, 2);
  auto embeddings_before = bert->embeddings->word_embeddings->weight.clone();
  const auto report = compress::prune_magnitude(bert, 0.8, "layer");
  CHECK(report.sparsity == doctest::Approx(0.8).epsilon(1e-3));
  for (const auto& [name, weight] : compress::linear_weights(bert)) {
    INFO(name);
    CHECK(weight.eq(0).sum().item<std::int64_t>() == std::llround(weight.numel() * 0.8));
  }
  CHECK(bert->embeddings->word_embeddings->weight.equal(embeddings_before));
}

TEST_CASE("magnitude pruning: global scope removes the smallest weights of all matrices together") {
  auto bert = test::tiny_bert(22, 2);
  std::vector<at::Tensor> before;
  for (const auto& [name, weight] : compress::linear_weights(bert)) before.push_back(weight.abs().flatten().clone());
  auto all = at::cat(before);
  const auto threshold = std::get<0>(all.sort()).select(0, std::llround(all.numel() * 0.5) - 1).item<float>();

  const auto report = compress::prune_magnitude(bert, 0.5, "global");
  CHECK(report.zeros == std::llround(all.numel() * 0.5));
  std::size_t i = 0;
  for (const auto& [name, weight] : compress::linear_weights(bert)) {
    // Every surviving weight is at least as large as every removed one.
    auto kept = before[i++].masked_select(weight.flatten().ne(0));
    CHECK(kept.min().item<float>() >= threshold);
  }
  // Matrices end up with different sparsities (ranked together, not each alone).
  auto weights = compress::linear_weights(bert);
  std::set<std::int64_t> zero_shares;
  for (const auto& [name, weight] : weights) zero_shares.insert(weight.eq(0).sum().item<std::int64_t>() * 1000 / weight.numel());
  CHECK(zero_shares.size() > 1);
}

TEST_CASE("magnitude pruning: the CSR size shrinks with sparsity and bad arguments are refused") {
  auto bert = test::tiny_bert(23, 2);
  const auto dense = compress::sparse_size(bert);
  compress::prune_magnitude(bert, 0.9, "global");
  CHECK(compress::sparse_size(bert) < dense / 2);
  CHECK_THROWS_WITH_AS(compress::prune_magnitude(bert, 1.0, "global"), doctest::Contains("(0, 1)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(compress::prune_magnitude(bert, 0.5, "rows"), doctest::Contains("global or layer"),
                       std::invalid_argument);
}
