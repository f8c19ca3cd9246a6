// Times bertlab's CRF (crf_algorithms.cpp, as the crf head runs it) on the
// tensors of a safetensors file written by tools/bench/crf.py: the negative
// log-likelihood (forward algorithm + path score), its backward pass, and
// Viterbi decoding. Prints one JSON line with the median times and the
// results, which crf.py compares with its plain PyTorch reference.
//
//   bench_crf INPUT.safetensors REPEATS THREADS
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "../../plugins/heads/token_classification/crf_algorithms.hpp"
#include "checkpoint/safetensors.hpp"

namespace {

double median_seconds(int repeats, const std::function<void()>& run) {
  std::vector<double> seconds;
  run();  // warm-up
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: bench_crf INPUT.safetensors REPEATS THREADS\n";
    return 2;
  }
  const int repeats = std::stoi(argv[2]);
  at::set_num_threads(std::stoi(argv[3]));
  bertlab::checkpoint::SafetensorsReader file(argv[1]);
  const auto emissions = file.tensor("emissions");
  const auto tags = file.tensor("tags");
  const auto mask = file.tensor("mask").to(at::kBool);
  bertlab::heads::CrfWeights weights{file.tensor("transitions"), file.tensor("start"), file.tensor("end")};

  at::Tensor nll, path;
  const double forward_s = median_seconds(repeats, [&] {
    c10::InferenceMode no_grad;
    nll = bertlab::heads::crf_log_partition(emissions, mask, weights) -
          bertlab::heads::crf_path_score(emissions, tags, mask, weights);
  });
  const double backward_s = median_seconds(repeats, [&] {
    auto leaf = emissions.clone().requires_grad_(true);
    auto loss = (bertlab::heads::crf_log_partition(leaf, mask, weights) -
                 bertlab::heads::crf_path_score(leaf, tags, mask, weights)).sum();
    loss.backward();
  });
  const double viterbi_s = median_seconds(repeats, [&] {
    c10::InferenceMode no_grad;
    path = bertlab::heads::crf_viterbi(emissions, mask, weights);
  });
  const auto masked_path = at::where(mask, path, at::zeros_like(path));
  std::cout << fmt::format(
                   R"({{"forward_s": {}, "forward_backward_s": {}, "viterbi_s": {}, "nll_sum": {}, "path_checksum": {}}})",
                   forward_s, backward_s, viterbi_s, nll.sum().item<double>(),
                   (masked_path * at::arange(masked_path.numel()).reshape(masked_path.sizes()).remainder(97))
                       .sum()
                       .item<std::int64_t>())
            << std::endl;
  return 0;
}
