// Each `bertlab` subcommand registers itself on the application here; its
// callback does the work and throws on failure (see app.cpp for exit codes).
#pragma once

#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace bertlab::cli {

// A failure with a specific exit code (app.cpp maps other exceptions to 1).
class ExitError : public std::runtime_error {
 public:
  ExitError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// Exit codes: 0 success, 1 an error in the work (bad file, store, plugin),
// 2 bad command line, 130 interrupted (`run`).
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// `--store PATH` on a subcommand, defaulting to bertlab.db in the working directory.
inline CLI::Option* add_store_option(CLI::App& command, std::string& store_path) {
  return command.add_option("--store", store_path, "Trial store: an SQLite file, or postgresql://USER@HOST:PORT/DB")->default_val("bertlab.db");
}

void add_plugins_command(CLI::App& app);
void add_history_commands(CLI::App& app);  // history, trials, show, query
void add_run_command(CLI::App& app);
void add_pretrain_command(CLI::App& app);
void add_worker_command(CLI::App& app);
void add_enqueue_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_encode_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_augment_command(CLI::App& app);
void add_vocab_command(CLI::App& app);  // vocab extend, vocab train
void add_compress_command(CLI::App& app);
void add_interchange_commands(CLI::App& app);  // export optuna, import optuna
void add_store_command(CLI::App& app);         // store copy
void add_dashboard_commands(CLI::App& app);    // dashboard, report

int run(int argc, char** argv);

}  // namespace bertlab::cli
