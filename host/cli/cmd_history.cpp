// The commands that read the trial store: history, trials, show, query.
// All open the store read-only, so they are safe next to running studies.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/trial_output.hpp"
#include "store/store.hpp"

namespace bertlab::cli {

namespace {

constexpr TrialState kStates[] = {TrialState::running, TrialState::complete, TrialState::pruned,
                                  TrialState::failed};

void history(const std::string& store_path, bool json) {
  auto store = store::open_store(store_path, /*read_only=*/true);
  auto studies = store->list_studies();
  if (json) {
    auto out = nlohmann::json::array();
    for (const auto& s : studies) {
      nlohmann::json counts = nlohmann::json::object();
      std::int64_t total = 0;
      for (auto state : kStates) {
        auto it = s.counts.find(state);
        std::int64_t n = it == s.counts.end() ? 0 : it->second;
        counts[to_string(state)] = n;
        total += n;
      }
      out.push_back({{"study", s.study.name},
                     {"metric", s.study.metric},
                     {"direction", store::to_string(s.study.direction)},
                     {"created_at", s.study.created_at},
                     {"experiment_hash", s.study.experiment_hash},
                     {"trials", total},
                     {"states", counts},
                     {"best_value", optional_json(s.best_value)},
                     {"best_trial", s.best_trial ? nlohmann::json(*s.best_trial) : nlohmann::json(nullptr)}});
    }
    std::cout << out.dump() << '\n';
    return;
  }
  std::vector<Row> rows;
  for (const auto& s : studies) {
    auto count = [&](TrialState state) {
      auto it = s.counts.find(state);
      return it == s.counts.end() ? std::int64_t{0} : it->second;
    };
    std::int64_t total = 0;
    for (auto state : kStates) total += count(state);
    rows.push_back({s.study.name, s.study.metric, store::to_string(s.study.direction), std::to_string(total),
                    std::to_string(count(TrialState::running)), std::to_string(count(TrialState::complete)),
                    std::to_string(count(TrialState::pruned)), std::to_string(count(TrialState::failed)),
                    format_number(s.best_value), s.best_trial ? std::to_string(*s.best_trial) : "-",
                    s.study.created_at});
  }
  print_table(std::cout,
              {"study", "metric", "direction", "trials", "running", "complete", "pruned", "failed", "best",
               "best trial", "created"},
              rows);
}

struct TrialsArgs {
  std::string study;
  std::string store_path;
  std::string sort = "number";
  std::int64_t top = 0;
  bool json = false;
  bool csv = false;
};

void trials(const TrialsArgs& args) {
  auto store = store::open_store(args.store_path, /*read_only=*/true);
  auto study = require_study(*store, args.study);
  auto trials = store->trials(study.id);

  std::string sort = args.sort;
  if (args.top > 0 && sort == "number") sort = "value";
  if (sort == "value") {
    sort_by_value(trials, study.direction);
  } else if (sort == "duration") {
    std::stable_sort(trials.begin(), trials.end(), [](const auto& a, const auto& b) {
      return duration_of(a).value_or(-1) > duration_of(b).value_or(-1);
    });
  }
  if (args.top > 0) {
    std::erase_if(trials, [](const auto& t) { return !t.value.has_value(); });
    if (trials.size() > static_cast<std::size_t>(args.top)) trials.resize(static_cast<std::size_t>(args.top));
  }

  if (args.json) {
    auto out = nlohmann::json::array();
    for (const auto& t : trials) out.push_back(trial_to_json(t));
    std::cout << out.dump() << '\n';
    return;
  }
  auto table = trial_table(trials, study.metric);
  if (args.csv) {
    print_csv(std::cout, table.header, table.rows);
  } else {
    print_table(std::cout, table.header, table.rows);
  }
}

void show(const std::string& ref, const std::string& store_path, bool json) {
  auto store = store::open_store(store_path, /*read_only=*/true);
  auto [study, found] = require_trial(*store, ref);
  const auto* trial = &found;
  if (json) {
    auto out = trial_to_json(*trial);
    out["study"] = study.name;
    out["metric"] = study.metric;
    out["direction"] = store::to_string(study.direction);
    std::cout << out.dump() << '\n';
    return;
  }
  auto& out = std::cout;
  out << fmt::format("trial     {}/{}\n", study.name, trial->number);
  out << fmt::format("state     {}\n", to_string(trial->state));
  out << fmt::format("{:<9} {}  ({})\n", study.metric, format_number(trial->value), store::to_string(study.direction));
  if (!trial->error.empty()) out << fmt::format("error     {}\n", trial->error);
  out << fmt::format("started   {}\n", trial->started_at);
  out << fmt::format("finished  {}\n", trial->finished_at.empty() ? "-" : trial->finished_at);
  out << fmt::format("duration  {} s\n", format_number(duration_of(*trial)));
  out << fmt::format("seed      {}\n", trial->seed ? std::to_string(*trial->seed) : "-");
  out << fmt::format("data      {}\n", trial->data_fingerprint.empty() ? "-" : trial->data_fingerprint);
  out << "\nparams\n";
  for (const auto& [name, value] : trial->params.items()) out << fmt::format("  {:<24} {}\n", name, format_cell(value));
  out << "\nplugins\n";
  for (const auto& [name, version] : trial->plugins.items())
    out << fmt::format("  {:<24} {}\n", name, format_cell(version));
  if (!trial->intermediate_values.empty()) {
    out << "\nintermediate values\n";
    std::vector<Row> rows;
    for (const auto& iv : trial->intermediate_values)
      rows.push_back({std::to_string(iv.step), iv.name, format_number(iv.value)});
    print_table(out, {"step", "name", "value"}, rows);
  }
  if (!trial->attributes.empty()) {
    out << "\nattributes\n";
    for (const auto& [key, value] : trial->attributes.items()) out << fmt::format("  {:<24} {}\n", key, format_cell(value));
  }
  if (!trial->artifacts.empty()) {
    out << "\nartifacts\n";
    for (const auto& a : trial->artifacts) out << fmt::format("  {:<8} {}\n", a.kind, a.path);
  }
}

void query(const std::string& sql, const std::string& store_path, bool json, bool csv) {
  auto store = store::open_store(store_path, /*read_only=*/true);
  auto result = store->query_readonly(sql);
  if (json) {
    auto out = nlohmann::json::array();
    for (const auto& row : result.rows) {
      nlohmann::json object = nlohmann::json::object();
      for (std::size_t i = 0; i < result.columns.size(); ++i) object[result.columns[i]] = row[i];
      out.push_back(std::move(object));
    }
    std::cout << out.dump() << '\n';
    return;
  }
  std::vector<Row> rows;
  for (const auto& row : result.rows) {
    Row cells;
    for (const auto& value : row) cells.push_back(csv && value.is_null() ? "" : format_cell(value));
    rows.push_back(std::move(cells));
  }
  if (csv) {
    print_csv(std::cout, result.columns, rows);
  } else {
    print_table(std::cout, result.columns, rows);
  }
}

}  // namespace

void add_history_commands(CLI::App& app) {
  {
    struct Args {
      std::string store_path;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* command = app.add_subcommand("history", "Studies with trial counts per state and best value");
    add_store_option(*command, args->store_path);
    command->add_flag("--json", args->json, "Print a JSON array");
    command->callback([args] { history(args->store_path, args->json); });
  }
  {
    auto args = std::make_shared<TrialsArgs>();
    auto* command = app.add_subcommand("trials", "The trials of a study");
    command->add_option("study", args->study, "Study name")->required();
    add_store_option(*command, args->store_path);
    command->add_option("--sort", args->sort, "Order: number, value (best first) or duration")
        ->check(CLI::IsMember({"number", "value", "duration"}));
    command->add_option("--top", args->top, "Only the N best complete trials")->check(CLI::PositiveNumber);
    auto* json = command->add_flag("--json", args->json, "Print a JSON array with every field");
    auto* csv = command->add_flag("--csv", args->csv, "Print CSV");
    json->excludes(csv);
    command->callback([args] { trials(*args); });
  }
  {
    struct Args {
      std::string trial;
      std::string store_path;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* command = app.add_subcommand("show", "Everything recorded about one trial");
    command->add_option("trial", args->trial, "STUDY/NUMBER")->required();
    add_store_option(*command, args->store_path);
    command->add_flag("--json", args->json, "Print a JSON object");
    command->callback([args] { show(args->trial, args->store_path, args->json); });
  }
  {
    struct Args {
      std::string sql;
      std::string store_path;
      bool json = false;
      bool csv = false;
    };
    auto args = std::make_shared<Args>();
    auto* command = app.add_subcommand("query", "Run one read-only SQL statement on the store");
    command->add_option("sql", args->sql, "SQL (SELECT, WITH, read-only PRAGMA)")->required();
    add_store_option(*command, args->store_path);
    auto* json = command->add_flag("--json", args->json, "Print a JSON array of row objects");
    auto* csv = command->add_flag("--csv", args->csv, "Print CSV");
    json->excludes(csv);
    command->callback([args] { query(args->sql, args->store_path, args->json, args->csv); });
  }
}

}  // namespace bertlab::cli
