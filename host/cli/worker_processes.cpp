#include "cli/worker_processes.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

extern char** environ;

namespace bertlab::cli {

std::vector<WorkerExit> run_workers(int count, const std::string& store, const std::string& study, int threads) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<pid_t> pids;
  for (int i = 1; i <= count; ++i) {
    std::vector<std::string> args{self,     "worker",  "--store", store, "--study", study,
                                  "--threads", std::to_string(threads), "--label", fmt::format("w{}", i)};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (const int rc = posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ); rc != 0) {
      // The ones already started finish the study on their own.
      throw std::runtime_error(fmt::format("cannot start worker {}: {}", i, std::strerror(rc)));
    }
    pids.push_back(pid);
  }
  std::vector<WorkerExit> exits;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    int status = 0;
    while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR) {
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    exits.push_back({static_cast<int>(i) + 1, code});
  }
  return exits;
}

}  // namespace bertlab::cli
