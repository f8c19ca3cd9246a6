#include "cli/trial_output.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "store/trial_model.hpp"

namespace bertlab::cli {

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::optional<double> duration_of(const store::TrialRecord& trial) {
  return seconds_between(trial.started_at, trial.finished_at);
}

nlohmann::json trial_to_json(const store::TrialRecord& trial) {
  auto intermediate = nlohmann::json::array();
  for (const auto& iv : trial.intermediate_values)
    intermediate.push_back({{"step", iv.step}, {"name", iv.name}, {"value", iv.value}});
  auto artifacts = nlohmann::json::array();
  for (const auto& a : trial.artifacts)
    artifacts.push_back({{"kind", a.kind}, {"path", a.path}, {"created_at", a.created_at}});
  return {{"number", trial.number},
          {"state", to_string(trial.state)},
          {"params", trial.params},
          {"value", optional_json(trial.value)},
          {"error", trial.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(trial.error)},
          {"started_at", trial.started_at},
          {"finished_at", trial.finished_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(trial.finished_at)},
          {"duration_s", optional_json(duration_of(trial))},
          {"seed", trial.seed ? nlohmann::json(*trial.seed) : nlohmann::json(nullptr)},
          {"plugins", trial.plugins},
          {"data_fingerprint", trial.data_fingerprint},
          {"intermediate_values", intermediate},
          {"attributes", trial.attributes},
          {"artifacts", artifacts}};
}

store::StudyRecord require_study(store::Store& store, const std::string& name) {
  auto study = store.find_study(name);
  if (!study) throw ExitError(kExitError, fmt::format("no study named '{}' in {}", name, store.location()));
  return *study;
}

std::pair<std::string, std::int64_t> parse_trial_ref(const std::string& ref) {
  auto split = store::split_trial_ref(ref);
  if (!split) throw ExitError(kExitUsage, fmt::format("expected a trial as STUDY/NUMBER, got '{}'", ref));
  return *split;
}

std::pair<store::StudyRecord, store::TrialRecord> require_trial(store::Store& store, const std::string& ref) {
  auto [study_name, number] = parse_trial_ref(ref);
  auto study = require_study(store, study_name);
  auto trial = store.trial(study.id, number);
  if (!trial) throw ExitError(kExitError, fmt::format("study '{}' has no trial {}", study_name, number));
  return {study, *trial};
}

void sort_by_value(std::vector<store::TrialRecord>& trials, Direction direction) {
  const bool maximize = direction == Direction::maximize;
  std::stable_sort(trials.begin(), trials.end(), [maximize](const auto& a, const auto& b) {
    if (a.value.has_value() != b.value.has_value()) return a.value.has_value();
    if (!a.value) return a.number < b.number;
    return maximize ? *a.value > *b.value : *a.value < *b.value;
  });
}

TrialTable trial_table(const std::vector<store::TrialRecord>& trials, const std::string& metric) {
  // One column per parameter name seen in any trial, in name order.
  std::set<std::string> param_names;
  for (const auto& t : trials)
    for (const auto& [name, value] : t.params.items()) param_names.insert(name);
  TrialTable table;
  table.header = {"number", "state", metric, "duration_s"};
  for (const auto& name : param_names) table.header.push_back(name);
  table.header.push_back("error");
  for (const auto& t : trials) {
    Row row = {std::to_string(t.number), to_string(t.state), format_number(t.value), format_number(duration_of(t))};
    for (const auto& name : param_names) row.push_back(t.params.contains(name) ? format_cell(t.params[name]) : "-");
    row.push_back(t.error);
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace bertlab::cli
