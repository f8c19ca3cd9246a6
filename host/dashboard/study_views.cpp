#include "dashboard/study_views.hpp"

#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "cli/trial_output.hpp"

namespace bertlab::dashboard {

namespace {

constexpr TrialState kStates[] = {TrialState::running, TrialState::complete, TrialState::pruned, TrialState::failed};

// The model and head as the experiment names them. The text was valid when
// the study ran; a text that no longer parses (or an imported study without
// one) shows neither rather than failing the page.
std::pair<nlohmann::json, nlohmann::json> model_and_head(const std::string& experiment) {
  nlohmann::json model = nullptr, head = nullptr;
  try {
    const auto table = toml::parse(experiment);
    if (auto path = table["model"]["path"].value<std::string>())
      model = *path;
    else if (auto from_trial = table["model"]["from_trial"].value<std::string>())
      model = "trial " + *from_trial;
    else if (table["model"]["config"].is_table())
      model = "from scratch";
    if (auto plugin = table["head"]["plugin"].value<std::string>())
      head = *plugin;
    else if (table["pretrain"].is_table())
      head = "pretraining";
    else if (table["model"].is_table())
      head = "sequence-classification";  // the experiment file's default head
  } catch (const std::exception&) {
  }
  return {model, head};
}

}  // namespace

std::optional<store::StudySummary> find_summary(store::Store& store, const std::string& name) {
  for (auto& summary : store.list_studies())
    if (summary.study.name == name) return std::move(summary);
  return std::nullopt;
}

nlohmann::json study_summary_json(const store::StudySummary& summary) {
  nlohmann::json states = nlohmann::json::object();
  std::int64_t total = 0;
  for (auto state : kStates) {
    auto it = summary.counts.find(state);
    const std::int64_t n = it == summary.counts.end() ? 0 : it->second;
    states[to_string(state)] = n;
    total += n;
  }
  auto [model, head] = model_and_head(summary.study.experiment);
  return {{"name", summary.study.name},
          {"metric", summary.study.metric},
          {"direction", store::to_string(summary.study.direction)},
          {"created_at", summary.study.created_at},
          {"model", model},
          {"head", head},
          {"trials", total},
          {"states", states},
          {"best_value", cli::optional_json(summary.best_value)},
          {"best_trial", summary.best_trial ? nlohmann::json(*summary.best_trial) : nlohmann::json(nullptr)}};
}

nlohmann::json studies_json(const std::vector<store::StudySummary>& studies) {
  auto rows = nlohmann::json::array();
  for (const auto& summary : studies) rows.push_back(study_summary_json(summary));
  return {{"studies", rows}};
}

nlohmann::json study_json(const store::StudySummary& summary, const std::vector<store::TrialRecord>& trials) {
  auto out = study_summary_json(summary);
  std::set<std::string> params;
  std::set<std::string> series;
  for (const auto& trial : trials) {
    for (const auto& [name, value] : trial.params.items()) params.insert(name);
    for (const auto& iv : trial.intermediate_values) series.insert(iv.name);
  }
  out["experiment"] = summary.study.experiment;
  out["experiment_hash"] = summary.study.experiment_hash;
  out["experiment_file"] = summary.study.experiment_file;
  out["attributes"] = summary.study.attributes;
  out["params"] = params;
  out["intermediate_names"] = series;
  out["revision"] = revision_of(trials);
  return out;
}

std::string revision_of(const std::vector<store::TrialRecord>& trials) {
  std::size_t finished = 0, values = 0;
  for (const auto& trial : trials) {
    finished += trial.state != TrialState::running;
    values += trial.intermediate_values.size();
  }
  return fmt::format("{}.{}.{}", trials.size(), finished, values);
}

nlohmann::json trials_json(const store::StudyRecord& study, const std::vector<store::TrialRecord>& trials) {
  auto rows = nlohmann::json::array();
  for (const auto& trial : trials) rows.push_back(cli::trial_to_json(trial));
  return {{"study", study.name}, {"revision", revision_of(trials)}, {"trials", rows}};
}

nlohmann::json trial_page_json(const store::StudyRecord& study, const store::TrialRecord& trial) {
  return {{"study",
           {{"name", study.name},
            {"metric", study.metric},
            {"direction", store::to_string(study.direction)},
            {"experiment", study.experiment},
            {"experiment_hash", study.experiment_hash}}},
          {"trial", cli::trial_to_json(trial)}};
}

nlohmann::json importances_json(const store::StudyRecord& study, const ImportanceReport& report) {
  auto params = nlohmann::json::array();
  for (const auto& p : report.params) params.push_back({{"param", p.param}, {"importance", p.importance}});
  return {{"study", study.name}, {"method", report.method}, {"trials_used", report.trials_used}, {"importances", params}};
}

}  // namespace bertlab::dashboard
