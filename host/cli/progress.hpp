// A progress line on stderr for long work: a bar with count, rate and ETA
// when stderr is a terminal, nothing otherwise (logs stay clean; callers that
// want plain log lines check enabled()).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace bertlab::cli {

class Progress {
 public:
  Progress(std::string label, std::int64_t total);
  // `detail` is shown after the ETA (e.g. "loss 0.3412 1520 tok/s").
  void advance(std::int64_t done_now, const std::string& detail = "");
  void update(std::int64_t done, const std::string& detail = "");
  // Redraws at 100% state and ends the line.
  void finish();
  // Ends the bar's line so that other output can follow (the bar redraws on its next update).
  void interrupt_line();
  bool enabled() const { return enabled_; }

 private:
  void draw(bool final);

  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  std::string detail_;
  bool enabled_;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace bertlab::cli
