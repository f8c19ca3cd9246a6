// `bertlab enqueue STUDY --set key=value...`: queues a trial with fixed
// params; the study's next trial (in any worker) runs it before the searcher
// is asked again. The params are checked against the study's search space.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "cli/trial_output.hpp"
#include "experiment/experiment.hpp"
#include "store/store.hpp"
#include "util/json_value.hpp"

namespace bertlab::cli {

namespace {

// Whether `value` lies in `d`'s range or choices.
bool inside(const Distribution& d, const Value& value) {
  if (d.kind == Distribution::Kind::categorical) {
    for (const auto& choice : d.choices)
      if (choice == value) return true;
    return false;
  }
  if (!value.is_number()) return false;
  if (d.kind == Distribution::Kind::int_uniform && !value.is_int()) return false;
  return value.as_double() >= d.low && value.as_double() <= d.high;
}

Table checked_params(const experiment::Experiment& experiment, const std::vector<std::string>& assignments) {
  const auto& space = experiment.search.space;
  std::vector<std::string> names;
  for (const auto& [name, d] : space.params) names.push_back(name);
  Table params;
  for (const auto& assignment : assignments) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0)
      throw ExitError(kExitUsage, fmt::format("--set {}: expected key=value", assignment));
    const std::string key = assignment.substr(0, equals);
    const auto* d = space.find(key);
    if (!d)
      throw ExitError(kExitUsage, fmt::format("--set {}: '{}' is not a parameter of the study's search space ({})",
                                              assignment, key, fmt::join(names, ", ")));
    Value value = experiment::parse_value(assignment.substr(equals + 1));
    // 1e-5 typed for an int range, or 2 for a real one: keep the distribution's type.
    if (d->kind != Distribution::Kind::categorical && d->kind != Distribution::Kind::int_uniform && value.is_int())
      value = Value(value.as_double());
    if (!inside(*d, value))
      throw ExitError(kExitUsage, fmt::format("--set {}: outside the search space of '{}'", assignment, key));
    params.insert_or_assign(key, value);
  }
  Table active;
  for (const auto& [name, d] : space.params) {
    if (!space.active(d, active)) continue;
    auto it = params.find(name);
    if (it == params.end())
      throw ExitError(kExitUsage, fmt::format("missing --set {}=...: every active parameter of the space needs a value",
                                              name));
    active.insert_or_assign(name, it->second);
  }
  for (const auto& [name, value] : params)
    if (!active.count(name))
      throw ExitError(kExitUsage, fmt::format("--set {}: the parameter is inactive for these params", name));
  experiment::with_params(experiment, active);  // the experiment accepts them (types, ranges of its own keys)
  return active;
}

}  // namespace

void add_enqueue_command(CLI::App& app) {
  struct Args {
    std::string study;
    std::vector<std::string> assignments;
    std::string store_path;
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("enqueue", "Queue a trial with fixed params, run before the searcher asks again");
  command->add_option("study", args->study, "The study")->required();
  command->add_option("--set", args->assignments, "A parameter: --set train.learning_rate=3e-5")->required();
  add_store_option(*command, args->store_path);
  command->callback([args] {
    auto store = store::open_store(args->store_path);
    const auto study = require_study(*store, args->study);
    const auto experiment = experiment::load_recorded(study.experiment, study.experiment_file);
    const auto params = checked_params(experiment, args->assignments);
    const auto queued = store->enqueue_trial(study.id, util::to_json(params), "enqueue");
    std::cout << fmt::format("queued for study {}: {} ({} waiting)\n", study.name, queued.params.dump(),
                             store->queued_trials(study.id).size());
  });
}

}  // namespace bertlab::cli
