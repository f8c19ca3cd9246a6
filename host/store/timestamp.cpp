#include "store/timestamp.hpp"

#include <ctime>

#include <fmt/format.h>

namespace bertlab::store {

std::string timestamp_utc(std::chrono::milliseconds ago) {
  const auto since_epoch = (std::chrono::system_clock::now() - ago).time_since_epoch();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  const std::time_t seconds = millis / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, millis % 1000);
}

}  // namespace bertlab::store
