// The linear-chain CRF against brute force: on small random cases (up to 5
// positions, up to 4 tags, masked rows of every length including empty) the
// log-partition equals the log-sum-exp over every tag sequence, the path
// score equals the sum of its terms, Viterbi finds the best sequence; the
// gradients equal central finite differences in double precision; and the
// layer's constraints, learning-rate multiplier and real weights behave.
#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <cmath>
#include <limits>
#include <vector>

#include "../plugins/heads/token_classification/crf.hpp"
#include "../plugins/heads/token_classification/crf_algorithms.hpp"
#include "../plugins/heads/token_classification/word_positions.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

using namespace bertlab::heads;

namespace {

struct Case {
  at::Tensor emissions, mask;
  CrfWeights weights;
  std::vector<std::int64_t> lengths;
};

// Batch 4 with lengths covering 0..length.
Case random_case(std::int64_t length, std::int64_t tags, std::uint64_t seed) {
  at::manual_seed(seed);
  Case c;
  const std::int64_t batch = 4;
  c.emissions = at::randn({batch, length, tags}, at::kDouble);
  c.weights = {at::randn({tags, tags}, at::kDouble), at::randn({tags}, at::kDouble), at::randn({tags}, at::kDouble)};
  c.lengths = {length, length > 1 ? length - 1 : length, 0, length > 2 ? 2 : length};
  c.mask = at::zeros({batch, length}, at::kBool);
  for (std::int64_t b = 0; b < batch; ++b) c.mask[b].slice(0, 0, c.lengths[b]).fill_(true);
  return c;
}

double path_score(const Case& c, std::int64_t b, const std::vector<std::int64_t>& path) {
  if (path.empty()) return 0;
  auto e = c.emissions.accessor<double, 3>();
  auto t = c.weights.transitions.accessor<double, 2>();
  double score = c.weights.start[path[0]].item<double>() + c.weights.end[path.back()].item<double>();
  for (std::size_t i = 0; i < path.size(); ++i) {
    score += e[b][static_cast<std::int64_t>(i)][path[i]];
    if (i > 0) score += t[path[i - 1]][path[i]];
  }
  return score;
}

// Every sequence of `length` tags, as base-`tags` digits.
std::vector<std::vector<std::int64_t>> all_paths(std::int64_t length, std::int64_t tags) {
  std::vector<std::vector<std::int64_t>> out;
  std::int64_t count = 1;
  for (std::int64_t i = 0; i < length; ++i) count *= tags;
  for (std::int64_t n = 0; n < count; ++n) {
    std::vector<std::int64_t> path;
    for (std::int64_t i = 0, rest = n; i < length; ++i, rest /= tags) path.push_back(rest % tags);
    out.push_back(path);
  }
  return out;
}

}  // namespace

TEST_CASE("crf: log-partition, path scores and Viterbi equal brute-force enumeration") {
  std::uint64_t seed = 1;
  for (std::int64_t length = 1; length <= 5; ++length) {
    for (std::int64_t tags = 1; tags <= 4; ++tags) {
      const auto c = random_case(length, tags, seed++);
      const auto log_z = crf_log_partition(c.emissions, c.mask, c.weights);
      const auto best = crf_viterbi(c.emissions, c.mask, c.weights);
      at::manual_seed(seed);
      const auto gold = at::randint(tags, {4, length}, at::kLong);
      const auto scores = crf_path_score(c.emissions, gold, c.mask, c.weights);
      for (std::int64_t b = 0; b < 4; ++b) {
        INFO("length ", length, ", tags ", tags, ", row ", b, " of length ", c.lengths[b]);
        double max_score = -std::numeric_limits<double>::infinity(), sum = 0;
        std::vector<std::int64_t> argmax;
        const auto paths = all_paths(c.lengths[b], tags);
        for (const auto& path : paths) {
          const double s = path_score(c, b, path);
          if (s > max_score) {
            max_score = s;
            argmax = path;
          }
        }
        for (const auto& path : paths) sum += std::exp(path_score(c, b, path) - max_score);
        const double expected_log_z = c.lengths[b] == 0 ? 0.0 : max_score + std::log(sum);
        CHECK(log_z[b].item<double>() == doctest::Approx(expected_log_z).epsilon(1e-12));
        for (std::int64_t i = 0; i < c.lengths[b]; ++i) CHECK(best[b][i].item<std::int64_t>() == argmax[static_cast<std::size_t>(i)]);
        std::vector<std::int64_t> gold_path;
        for (std::int64_t i = 0; i < c.lengths[b]; ++i) gold_path.push_back(gold[b][i].item<std::int64_t>());
        CHECK(scores[b].item<double>() == doctest::Approx(path_score(c, b, gold_path)).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("crf: gradients of the negative log-likelihood equal central finite differences") {
  auto c = random_case(4, 3, 99);
  at::manual_seed(5);
  const auto gold = at::randint(3, {4, 4}, at::kLong);
  std::vector<at::Tensor> inputs{c.emissions, c.weights.transitions, c.weights.start, c.weights.end};
  auto nll = [&](const std::vector<at::Tensor>& x) {
    const CrfWeights w{x[1], x[2], x[3]};
    return (crf_log_partition(x[0], c.mask, w) - crf_path_score(x[0], gold, c.mask, w)).sum();
  };
  std::vector<at::Tensor> leaves;
  for (auto& x : inputs) leaves.push_back(x.clone().requires_grad_(true));
  nll(leaves).backward();
  const double h = 1e-6;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    auto flat = inputs[k].reshape({-1});
    for (std::int64_t i = 0; i < flat.numel(); ++i) {
      auto plus = inputs, minus = inputs;
      plus[k] = inputs[k].clone();
      minus[k] = inputs[k].clone();
      plus[k].view({-1})[i] += h;
      minus[k].view({-1})[i] -= h;
      const double numeric = (nll(plus).item<double>() - nll(minus).item<double>()) / (2 * h);
      INFO("input ", k, " element ", i);
      CHECK(leaves[k].grad().reshape({-1})[i].item<double>() == doctest::Approx(numeric).epsilon(1e-6));
    }
  }
}

TEST_CASE("crf: BIO constraints keep Viterbi from O -> I-X, B-X -> I-Y and starting with I-X") {
  const std::vector<std::string> labels{"B-LOC", "B-PER", "I-LOC", "I-PER", "O"};
  Crf crf(5, 100.0, bio_allowed_transitions(labels));
  crf->init_weights(3);
  // Emissions that, alone, would say I-PER, O, I-LOC, B-PER, I-LOC.
  auto emissions = at::full({1, 5, 5}, -5.0);
  const std::vector<std::int64_t> wanted{3, 4, 2, 1, 2};
  for (std::int64_t i = 0; i < 5; ++i) emissions[0][i][wanted[static_cast<std::size_t>(i)]] = 5.0;
  const auto path = crf->decode(emissions, at::ones({1, 5}, at::kBool));
  for (std::int64_t i = 0; i < 5; ++i) {
    const auto tag = labels[static_cast<std::size_t>(path[0][i].item<std::int64_t>())];
    if (tag[0] != 'I') continue;
    REQUIRE(i > 0);
    const auto previous = labels[static_cast<std::size_t>(path[0][i - 1].item<std::int64_t>())];
    CHECK(previous != "O");
    CHECK(previous.substr(2) == tag.substr(2));
  }
  // Without constraints the same emissions decode as they say.
  Crf free(5, 100.0, std::nullopt);
  free->init_weights(3);
  const auto unconstrained = free->decode(emissions, at::ones({1, 5}, at::kBool));
  for (std::int64_t i = 0; i < 5; ++i) CHECK(unconstrained[0][i].item<std::int64_t>() == wanted[static_cast<std::size_t>(i)]);
}

TEST_CASE("crf: the learning-rate multiplier moves the real transitions about multiplier * lr per Adam step") {
  for (double multiplier : {1.0, 100.0}) {
    Crf crf(3, multiplier, std::nullopt);
    crf->init_weights(4);
    const auto before = crf->real_weights().at("transitions").detach().clone();
    torch::optim::Adam adam(crf->parameters(), torch::optim::AdamOptions(1e-3));
    at::manual_seed(2);
    const auto emissions = at::randn({2, 4, 3});
    const auto tags = at::randint(3, {2, 4}, at::kLong);
    adam.zero_grad();
    crf->negative_log_likelihood(emissions, tags, at::ones({2, 4}, at::kBool)).sum().backward();
    adam.step();
    const auto moved = (crf->real_weights().at("transitions") - before).abs().max().item<double>();
    // Adam's first step is lr * sign(gradient) on raw = real / multiplier.
    CHECK(moved == doctest::Approx(multiplier * 1e-3).epsilon(1e-3));
  }
  // The real weights survive a save and a load into a layer with another multiplier.
  Crf a(3, 100.0, std::nullopt), b(3, 7.0, std::nullopt);
  a->init_weights(8);
  b->load_real_weights(a->real_weights());
  CHECK(at::allclose(a->real_weights().at("transitions"), b->real_weights().at("transitions")));
  CHECK(at::allclose(a->real_weights().at("end_transitions"), b->real_weights().at("end_transitions")));
}

TEST_CASE("crf: word positions gather each row's first sub-tokens into a compact prefix") {
  auto mask = at::tensor({0, 1, 0, 1, 1, 0, /**/ 0, 0, 0, 0, 0, 0, /**/ 0, 0, 1, 0, 0, 0}, at::kLong).reshape({3, 6}) != 0;
  const auto positions = word_positions(mask);
  CHECK(positions.index.sizes() == at::IntArrayRef{3, 3});
  CHECK(at::equal(positions.index[0], at::tensor({1, 3, 4}, at::kLong)));
  CHECK(at::equal(positions.mask[1], at::tensor({0, 0, 0}, at::kLong) != 0));
  CHECK(positions.index[2][0].item<std::int64_t>() == 2);
  CHECK(at::equal(positions.mask[2], at::tensor({1, 0, 0}, at::kLong) != 0));
  const auto values = at::arange(18, at::kFloat).reshape({3, 6, 1}).expand({3, 6, 2});
  const auto gathered = gather_words(values, positions);
  CHECK(gathered.sizes() == at::IntArrayRef{3, 3, 2});
  CHECK(gathered[0][2][1].item<float>() == 4.0f);
  CHECK(gathered[2][0][0].item<float>() == 14.0f);
}
