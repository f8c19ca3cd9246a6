// How fast a model answers: latency at batch 1 and throughput at batch 32
// on real eval features (encoder + head, inference mode), each the median of
// repeated timed runs after a warm-up run, with the thread count stated.
#pragma once

#include <cstdint>
#include <vector>

#include "bertlab/head.hpp"
#include "model/bert_model.hpp"

namespace bertlab::compress {

struct Speed {
  double latency_ms = 0;          // batch 1, median per example
  double examples_per_second = 0; // batch 32, median pass
  int threads = 0;
  int repeats = 0;
};

// Times the first 32 features one at a time and the first 256 in batches of
// 32 (fewer when there are fewer), `repeats` times each.
Speed measure_speed(model::BertModel& bert, Head& head, const std::vector<Feature>& features, std::int64_t pad_id,
                    bool bf16, int repeats);

}  // namespace bertlab::compress
