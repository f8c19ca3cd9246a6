// The process's resident memory, for per-trial records: a study that runs
// many trials in one process must not grow from trial to trial, and these
// numbers in the store are how a user sees that it does not.
#pragma once

#include <optional>

namespace bertlab::util {

struct ResidentMemory {
  double current_mib = 0;  // VmRSS now
  double peak_mib = 0;     // VmHWM: the most the process has held so far
};

// From /proc/self/status; nullopt where there is no procfs.
std::optional<ResidentMemory> resident_memory();

}  // namespace bertlab::util
