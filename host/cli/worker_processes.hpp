// `bertlab run --workers N`: N `bertlab worker` processes on one study, each
// with its share of the CPU threads. They share nothing but the store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bertlab::cli {

struct WorkerExit {
  int index = 0;      // 1-based
  int exit_code = 0;  // 128 + signal when killed
};

// Starts `count` copies of this executable as `bertlab worker --store STORE
// --study STUDY --threads T --label wI` and waits for all of them. SIGINT
// reaches them through the terminal's process group; each fails its running
// trial as interrupted and exits 130.
std::vector<WorkerExit> run_workers(int count, const std::string& store, const std::string& study, int threads);

}  // namespace bertlab::cli
