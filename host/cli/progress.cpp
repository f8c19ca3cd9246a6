#include "cli/progress.hpp"

#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

namespace bertlab::cli {

Progress::Progress(std::string label, std::int64_t total)
    : label_(std::move(label)), total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}

void Progress::advance(std::int64_t done_now) {
  done_ += done_now;
  // Redrawing more than ~10 times a second only costs time.
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() { draw(true); }

void Progress::draw(bool final) {
  if (!enabled_ || total_ <= 0) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fputs(fmt::format("\r{} [{}] {}/{} {:.1f}/s ETA {:.0f}s ", label_, bar, done_, total_, rate, eta).c_str(),
             stderr);
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace bertlab::cli
