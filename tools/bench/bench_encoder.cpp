// Times bertlab's encoder forward (eval, no autograd) on a fixed batch and
// prints one JSON line; tools/bench/encoder runs it beside transformers.
//
//   bench_encoder MODEL_DIR BATCH SEQ DTYPE(fp32|bf16|int8) ITERATIONS [--profile]
// int8: the model quantized as `bertlab compress --method int8` does.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <fmt/format.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include "checkpoint/hf_model.hpp"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: bench_encoder MODEL_DIR BATCH SEQ fp32|bf16|int8 ITERATIONS [--profile]\n";
    return 2;
  }
  const std::string model_dir = argv[1];
  const std::int64_t batch = std::stoll(argv[2]), seq = std::stoll(argv[3]);
  const std::string dtype = argv[4];
  const bool bf16 = dtype == "bf16";
  const int iterations = std::stoi(argv[5]);
  const bool profile = argc > 6 && std::string(argv[6]) == "--profile";

  auto loaded = bertlab::checkpoint::load_model(model_dir);
  auto model = loaded.model;
  model->eval();
  if (bf16) model->to(at::kBFloat16);
  if (dtype == "int8") model->quantize_int8();
  at::manual_seed(0);
  auto ids = at::randint(1000, 20000, {batch, seq}, at::kLong);
  auto types = at::zeros_like(ids);
  auto mask = at::ones_like(ids);

  c10::InferenceMode inference;
  for (int i = 0; i < 3; ++i) model(ids, types, mask);  // warm-up: oneDNN primitives, allocator

  if (profile) {
    torch::autograd::profiler::RecordProfile guard(std::cout);
    model(ids, types, mask);
    return 0;
  }
  std::vector<double> times;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto out = model(ids, types, mask);
    (void)out.last_hidden_state.sum().item<float>();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  std::cout << fmt::format(R"({{"median_s": {}, "min_s": {}, "threads": {}}})", times[times.size() / 2],
                           times.front(), at::get_num_threads())
            << std::endl;
  return 0;
}
