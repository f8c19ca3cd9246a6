// The dashboard's data as JSON: what its /api/ endpoints answer (their
// shapes are documented in openapi.json) and what `bertlab report` embeds
// in a page. Pure functions of what the store returned.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dashboard/param_importance.hpp"
#include "store/store.hpp"

namespace bertlab::dashboard {

// The summary of the study named `name`, if the store has one.
std::optional<store::StudySummary> find_summary(store::Store& store, const std::string& name);

// One row of the studies page: counts per state, best value, the model and
// head read from the study's experiment.
nlohmann::json study_summary_json(const store::StudySummary& summary);
// {"studies": [summary...]}
nlohmann::json studies_json(const std::vector<store::StudySummary>& studies);
// A summary plus the experiment text, its hash and file, the study's
// attributes and the names of the params its trials hold.
nlohmann::json study_json(const store::StudySummary& summary, const std::vector<store::TrialRecord>& trials);
// {"study": NAME, "revision": R, "trials": [...]}; `revision` changes
// whenever a trial is added, reports a value or finishes, so that a page
// redraws only when there is something new.
nlohmann::json trials_json(const store::StudyRecord& study, const std::vector<store::TrialRecord>& trials);
std::string revision_of(const std::vector<store::TrialRecord>& trials);
// A trial with its study's name, metric, direction and experiment.
nlohmann::json trial_page_json(const store::StudyRecord& study, const store::TrialRecord& trial);
nlohmann::json importances_json(const store::StudyRecord& study, const ImportanceReport& report);

}  // namespace bertlab::dashboard
