#include "cli/progress.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

namespace bertlab::cli {

Progress::Progress(std::string label, std::int64_t total)
    : label_(std::move(label)), total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}

void Progress::advance(std::int64_t done_now, const std::string& detail) { update(done_ + done_now, detail); }

void Progress::update(std::int64_t done, const std::string& detail) {
  done_ = done;
  detail_ = detail;
  // Redrawing more than ~10 times a second only costs time.
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() { draw(true); }

void Progress::interrupt_line() {
  if (!line_open_) return;
  std::fputc('\n', stderr);
  line_open_ = false;
}

void Progress::draw(bool final) {
  if (!enabled_ || total_ <= 0) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  // \x1b[K clears what a longer previous line left behind.
  std::fputs(fmt::format("\r{} [{}] {}/{} {:.1f}/s ETA {:.0f}s {}\x1b[K", label_, bar, done_, total_, rate, eta,
                         detail_)
                 .c_str(),
             stderr);
  line_open_ = !final;
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace bertlab::cli
