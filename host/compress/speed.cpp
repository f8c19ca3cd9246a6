#include "compress/speed.hpp"

#include <algorithm>
#include <chrono>

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include "train/inference.hpp"

namespace bertlab::compress {

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

Speed measure_speed(model::BertModel& bert, Head& head, const std::vector<Feature>& features, std::int64_t pad_id,
                    bool bf16, int repeats) {
  using clock = std::chrono::steady_clock;
  bert->eval();
  head.module().eval();
  c10::InferenceMode inference;
  train::AutocastScope autocast(train::on_cpu(bf16));
  const auto run = [&](const std::vector<std::size_t>& indices) {
    auto batch = train::make_batch(features, indices, head, pad_id);
    auto encoded = train::run_encoder(bert, batch, head.needs_all_hidden_states());
    head.forward(encoded, batch);
  };
  const auto time = [&](const std::vector<std::vector<std::size_t>>& batches) {
    const auto start = clock::now();
    for (const auto& batch : batches) run(batch);
    return std::chrono::duration<double>(clock::now() - start).count();
  };

  const auto single_count = std::min<std::size_t>(32, features.size());
  std::vector<std::vector<std::size_t>> singles;
  for (std::size_t i = 0; i < single_count; ++i) singles.push_back({i});
  std::vector<std::vector<std::size_t>> batches;
  const auto batched_count = std::min<std::size_t>(256, features.size());
  for (std::size_t start = 0; start < batched_count; start += 32) {
    batches.emplace_back();
    for (std::size_t i = start; i < std::min(batched_count, start + 32); ++i) batches.back().push_back(i);
  }

  Speed speed;
  speed.threads = at::get_num_threads();
  speed.repeats = repeats;
  time(singles);  // warm-up: first-call allocations, oneDNN primitive creation
  std::vector<double> latencies;
  for (int r = 0; r < repeats; ++r) latencies.push_back(time(singles) / static_cast<double>(single_count) * 1000.0);
  speed.latency_ms = median(latencies);
  time(batches);
  std::vector<double> rates;
  for (int r = 0; r < repeats; ++r) rates.push_back(static_cast<double>(batched_count) / time(batches));
  speed.examples_per_second = median(rates);
  return speed;
}

}  // namespace bertlab::compress
