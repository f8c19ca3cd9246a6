#include "store/store.hpp"

#include <cmath>

#include <fmt/format.h>

#include "store/location.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_rules.hpp"

namespace bertlab::store {

std::unique_ptr<Store> open_store(const std::string& location, bool read_only) {
  if (is_server_location(location)) return std::make_unique<PostgresStore>(location, read_only);
  return std::make_unique<SqliteStore>(location, read_only);
}

std::optional<std::string> schema_version_problem(int found, int current, bool read_only) {
  if (found > current)
    return fmt::format("the store has schema version {}, newer than this bertlab's version {}; upgrade bertlab to open it",
                       found, current);
  if (found < current && read_only)
    return fmt::format("the store has schema version {}, older than this bertlab's version {}; open it once for "
                       "writing to migrate it",
                       found, current);
  return std::nullopt;
}

std::string TrialHead::label() const { return fmt::format("trial {} of study {}", number, study_name); }

std::optional<std::string> report_problem(const TrialHead& trial) {
  if (trial.state != TrialState::running) return fmt::format("{} is already {}", trial.label(), to_string(trial.state));
  return std::nullopt;
}

std::optional<std::string> finish_problem(const TrialHead& trial, TrialState state, std::optional<double> value) {
  if (auto problem = report_problem(trial)) return problem;
  if (state == TrialState::complete && !value) return fmt::format("{}: a COMPLETE trial needs a value", trial.label());
  if (state == TrialState::complete && !std::isfinite(*value))
    return fmt::format("{}: value {} is not finite", trial.label(), *value);
  return std::nullopt;
}

std::string to_string(Direction direction) {
  return direction == Direction::maximize ? "maximize" : "minimize";
}

Direction parse_direction(const std::string& text) {
  if (text == "maximize") return Direction::maximize;
  if (text == "minimize") return Direction::minimize;
  throw StoreError(fmt::format("unknown direction '{}' (expected maximize or minimize)", text));
}

TrialState parse_trial_state(const std::string& text) {
  for (auto state : {TrialState::running, TrialState::complete, TrialState::pruned, TrialState::failed})
    if (text == to_string(state)) return state;
  throw StoreError(
      fmt::format("unknown trial state '{}' (expected RUNNING, COMPLETE, PRUNED or FAILED)", text));
}

}  // namespace bertlab::store
