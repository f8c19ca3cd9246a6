// Trials as the commands show them: as JSON, as table rows, and found by
// "STUDY/NUMBER" references. Shared by the store-reading commands, `run`'s
// end-of-study summary and `predict`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/output.hpp"
#include "store/store.hpp"

namespace bertlab::cli {

// The value, or JSON null.
nlohmann::json optional_json(const std::optional<double>& value);
std::optional<double> duration_of(const store::TrialRecord& trial);
nlohmann::json trial_to_json(const store::TrialRecord& trial);

// The study by name, or an ExitError naming the store.
store::StudyRecord require_study(store::Store& store, const std::string& name);
// "STUDY/NUMBER" (the study name itself may contain '/'), or a usage ExitError.
std::pair<std::string, std::int64_t> parse_trial_ref(const std::string& ref);
// The trial a "STUDY/NUMBER" reference names, or an ExitError.
std::pair<store::StudyRecord, store::TrialRecord> require_trial(store::Store& store, const std::string& ref);

// Best first for the study's direction; trials without a value last, by number.
void sort_by_value(std::vector<store::TrialRecord>& trials, Direction direction);

// number, state, the metric, duration, one column per parameter, error.
struct TrialTable {
  Row header;
  std::vector<Row> rows;
};
TrialTable trial_table(const std::vector<store::TrialRecord>& trials, const std::string& metric);

}  // namespace bertlab::cli
