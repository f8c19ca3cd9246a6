// `bertlab export optuna` and `bertlab import optuna`: studies moved between
// the trial store and Optuna's storage (interchange/optuna_*.hpp), so that
// Optuna's tools open bertlab's studies and Optuna's studies join bertlab's
// history and warm starts.
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "interchange/optuna_export.hpp"
#include "interchange/optuna_import.hpp"
#include "store/store.hpp"

namespace bertlab::cli {

namespace {

void add_export_optuna(CLI::App& parent) {
  struct Args {
    std::string store_path, study, to, as;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = parent.add_subcommand("optuna", "Write a study into an Optuna storage (SQLite, schema of optuna 5.0)");
  add_store_option(*command, args->store_path);
  command->add_option("--study", args->study, "The study to export")->required();
  command->add_option("--to", args->to, "The Optuna storage: a file or sqlite:///PATH (created when missing)")
      ->required();
  command->add_option("--as", args->as, "Its name in the Optuna storage (default: the same)");
  command->add_flag("--json", args->json, "Print the summary as JSON");
  command->callback([args] {
    auto store = store::open_store(args->store_path, /*read_only=*/true);
    const std::string name = args->as.empty() ? args->study : args->as;
    const auto exported = interchange::export_to_optuna(*store, args->study, args->to, name);
    for (const auto& param : exported.inferred_params)
      std::cerr << fmt::format("bertlab: warning: param '{}' has no distribution in the study's search space; "
                               "exported as categorical over the values its trials took\n",
                               param);
    if (args->json) {
      std::cout << nlohmann::json{{"study", args->study},
                                  {"optuna_storage", exported.optuna_path},
                                  {"optuna_study", exported.optuna_study},
                                  {"trials", exported.trials},
                                  {"inferred_params", exported.inferred_params}}
                       .dump()
                << '\n';
      return;
    }
    std::cout << fmt::format("exported study {} ({} trials) to {} as '{}'\n", args->study, exported.trials,
                             exported.optuna_path, exported.optuna_study);
    std::cout << fmt::format("open it: optuna.load_study(study_name=\"{}\", storage=\"sqlite:///{}\"), or "
                             "optuna-dashboard sqlite:///{}\n",
                             exported.optuna_study, exported.optuna_path, exported.optuna_path);
  });
}

void add_import_optuna(CLI::App& parent) {
  struct Args {
    std::string from, study, store_path, as, metric;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = parent.add_subcommand("optuna", "Bring a study of an Optuna storage (SQLite) into the store");
  command->add_option("--from", args->from, "The Optuna storage: a file or sqlite:///PATH")->required();
  command->add_option("--study", args->study, "The Optuna study")->required();
  add_store_option(*command, args->store_path);
  command->add_option("--as", args->as, "Its name in the store (default: the same); it must be new");
  command->add_option("--metric", args->metric,
                      "The objective's name (default: the one an exported study recorded, else 'value')");
  command->add_flag("--json", args->json, "Print the summary as JSON");
  command->callback([args] {
    auto store = store::open_store(args->store_path);
    const std::string name = args->as.empty() ? args->study : args->as;
    const auto imported = interchange::import_from_optuna(args->from, args->study, *store, name, args->metric);
    if (imported.infinite_values > 0)
      std::cerr << fmt::format("bertlab: warning: {} COMPLETE trial(s) had an infinite value and were imported as "
                               "FAILED\n",
                               imported.infinite_values);
    if (imported.renumbered)
      std::cerr << "bertlab: warning: WAITING trials stood between the others; the imported trials are numbered "
                   "0, 1, 2, ... in their order\n";
    if (args->json) {
      std::cout << nlohmann::json{{"study", imported.study},
                                  {"metric", imported.metric},
                                  {"trials", imported.trials},
                                  {"queued", imported.queued},
                                  {"infinite_values", imported.infinite_values},
                                  {"renumbered", imported.renumbered}}
                       .dump()
                << '\n';
      return;
    }
    std::cout << fmt::format("imported Optuna study {} into {} as {} (metric {}): {} trials, {} queued\n", args->study,
                             store->location(), imported.study, imported.metric, imported.trials, imported.queued);
  });
}

}  // namespace

void add_interchange_commands(CLI::App& app) {
  auto* export_command = app.add_subcommand("export", "Write a study into another tool's format");
  export_command->require_subcommand(1);
  add_export_optuna(*export_command);
  auto* import_command = app.add_subcommand("import", "Bring a study in from another tool's format");
  import_command->require_subcommand(1);
  add_import_optuna(*import_command);
}

}  // namespace bertlab::cli
