// A progress line on stderr for long work: a bar with count, rate and ETA
// when stderr is a terminal, nothing otherwise (logs stay clean).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace bertlab::cli {

class Progress {
 public:
  Progress(std::string label, std::int64_t total);
  void advance(std::int64_t done_now);
  void finish();

 private:
  void draw(bool final);

  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace bertlab::cli
