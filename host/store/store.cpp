#include "store/store.hpp"

#include <fmt/format.h>

#include "store/sqlite_store.hpp"

namespace bertlab::store {

// Every location is an SQLite file today; a server backend would be chosen
// here by its location's scheme ("postgresql://...").
std::unique_ptr<Store> open_store(const std::string& location, bool read_only) {
  return std::make_unique<SqliteStore>(location, read_only);
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
