// Helpers shared by the tests: scratch directories and running the bertlab
// executable as a user would.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace bertlab::test {

// A fresh directory under the system temp dir, removed with its contents.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device device;
    path_ = std::filesystem::temp_directory_path() / ("bertlab-test-" + std::to_string(device()) + std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines of `text`, each without its '\n' (a last line without one is left out).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Single-quotes `arg` for /bin/sh.
inline std::string shell_quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `bertlab ARGS...` with `env_prefix` (e.g. "BERTLAB_PLUGIN_PATH=/x")
// and returns its exit code, stdout and stderr.
inline CommandResult run_bertlab(const std::vector<std::string>& args, const std::string& env_prefix = "") {
  ScratchDir scratch;
  std::string command = env_prefix.empty() ? "" : env_prefix + " ";
  command += shell_quote(BERTLAB_EXE);
  for (const auto& arg : args) command += " " + shell_quote(arg);
  command += " >" + shell_quote((scratch / "out").string()) + " 2>" + shell_quote((scratch / "err").string()) +
             " </dev/null";
  int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(scratch / "out");
  result.err = read_file(scratch / "err");
  return result;
}

}  // namespace bertlab::test
