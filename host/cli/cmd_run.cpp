#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace bertlab::cli {

void add_run_command(CLI::App& app) {
  struct Args {
    std::string experiment;
    std::vector<std::string> overrides;
    std::string store_path;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("run", "Run the study an experiment file describes");
  command->add_option("experiment", args->experiment, "Experiment TOML file")->required()->check(CLI::ExistingFile);
  command->add_option("--set", args->overrides, "Override a key: --set train.learning_rate=3e-5");
  add_store_option(*command, args->store_path);
  command->add_flag("--json", args->json, "Print a JSON summary as the last line");
  command->callback([args] {
    throw ExitError(kExitUnavailable, "'run' needs the fine-tuning engine, which this build does not have yet");
  });
}

}  // namespace bertlab::cli
