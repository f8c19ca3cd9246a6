#include "util/process_memory.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace bertlab::util {

std::optional<ResidentMemory> resident_memory() {
  std::ifstream status("/proc/self/status");
  if (!status) return std::nullopt;
  ResidentMemory memory;
  int found = 0;
  std::string line;
  while (std::getline(status, line)) {
    // Lines like "VmRSS:\t  123456 kB".
    double* target = line.starts_with("VmRSS:")   ? &memory.current_mib
                     : line.starts_with("VmHWM:") ? &memory.peak_mib
                                                  : nullptr;
    if (target == nullptr) continue;
    std::istringstream fields(line.substr(line.find(':') + 1));
    double kib = 0;
    if (!(fields >> kib)) return std::nullopt;
    *target = kib / 1024.0;
    ++found;
  }
  if (found != 2) return std::nullopt;
  return memory;
}

}  // namespace bertlab::util
