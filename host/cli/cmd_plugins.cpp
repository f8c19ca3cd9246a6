#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::cli {

void add_plugins_command(CLI::App& app) {
  struct Args {
    std::string kind;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("plugins", "List the plugins bertlab can load");
  command->add_option("--kind", args->kind, "Only this kind")
      ->check(CLI::IsMember({"tokenizer", "head", "augmentation", "searcher", "pruner"}));
  command->add_flag("--json", args->json, "Print a JSON array");
  command->callback([args] {
    plugin::PluginHost host;
    host.load_defaults();
    // Unusable files are reported, one line each, and do not stop the listing.
    for (const auto& problem : host.problems()) std::cerr << "bertlab: skipped " << problem.message() << '\n';

    std::vector<const plugin::PluginRecord*> selected;
    for (const auto& record : host.plugins())
      if (args->kind.empty() || record.kind == args->kind) selected.push_back(&record);
    std::sort(selected.begin(), selected.end(), [](auto* a, auto* b) {
      return std::tie(a->kind, a->name) < std::tie(b->kind, b->name);
    });

    if (args->json) {
      auto out = nlohmann::json::array();
      for (const auto* r : selected)
        out.push_back({{"kind", r->kind},
                       {"name", r->name},
                       {"version", r->version},
                       {"description", r->description},
                       {"file", r->file.string()}});
      std::cout << out.dump() << '\n';
      return;
    }
    std::vector<Row> rows;
    for (const auto* r : selected) rows.push_back({r->kind, r->name, r->version, r->description, r->file.string()});
    print_table(std::cout, {"kind", "name", "version", "description", "file"}, rows);
  });
}

}  // namespace bertlab::cli
