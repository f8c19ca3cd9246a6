// `bertlab store copy SRC DST [--study NAME]...`: studies copied between
// stores with every trial and detail (store/store_copy.hpp).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "store/store.hpp"
#include "store/store_copy.hpp"

namespace bertlab::cli {

void add_store_command(CLI::App& app) {
  auto* store_command = app.add_subcommand("store", "Work on whole stores");
  store_command->require_subcommand(1);
  struct Args {
    std::string from, to;
    std::vector<std::string> studies;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* copy = store_command->add_subcommand("copy", "Copy studies, with all their trials, from one store to another");
  copy->add_option("source", args->from, "The store to read")->required();
  copy->add_option("destination", args->to, "The store to write (created when missing)")->required();
  copy->add_option("--study", args->studies, "A study to copy (repeatable; default: every study)");
  copy->add_flag("--json", args->json, "Print what was copied as JSON");
  copy->callback([args] {
    auto from = store::open_store(args->from, /*read_only=*/true);
    auto to = store::open_store(args->to);
    const auto copied = store::copy_studies(*from, *to, args->studies);
    if (args->json) {
      auto rows = nlohmann::json::array();
      for (const auto& study : copied)
        rows.push_back({{"study", study.name}, {"trials", study.trials}, {"queued", study.queued}});
      std::cout << rows.dump() << '\n';
      return;
    }
    for (const auto& study : copied)
      std::cout << fmt::format("copied study {}: {} trials, {} queued\n", study.name, study.trials, study.queued);
  });
}

}  // namespace bertlab::cli
