#include "interchange/optuna_export.hpp"

#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiment/experiment.hpp"
#include "interchange/optuna_distribution.hpp"
#include "interchange/optuna_names.hpp"
#include "interchange/optuna_storage.hpp"
#include "store/sqlite_connection.hpp"

namespace bertlab::interchange {

namespace {

using nlohmann::json;
using store::SqliteConnection;
using store::SqliteStatement;

// The study's [search.space], when its recorded experiment still loads.
std::optional<SearchSpace> recorded_space(const store::StudyRecord& study) {
  if (study.experiment.empty()) return std::nullopt;
  try {
    return experiment::load_recorded(study.experiment, study.experiment_file).search.space;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The distribution of each param that trials carry without one of their own.
std::map<std::string, json> study_distributions(const store::StudyRecord& study,
                                                const std::vector<store::TrialRecord>& trials,
                                                const std::vector<store::QueuedTrial>& queued,
                                                std::vector<std::string>& inferred) {
  std::map<std::string, std::vector<json>> values;  // distinct, in order of appearance
  auto note = [&](const json& params, const json& own) {
    for (const auto& [name, value] : params.items()) {
      if (own.is_object() && own.contains(name)) continue;
      auto& seen = values[name];
      if (std::find(seen.begin(), seen.end(), value) == seen.end()) seen.push_back(value);
    }
  };
  for (const auto& trial : trials) note(trial.params, trial.attributes.value(kDistributionsAttribute, json()));
  for (const auto& waiting : queued) note(waiting.params, json());

  const auto space = recorded_space(study);
  std::map<std::string, json> distributions;
  for (const auto& [name, seen] : values) {
    if (const Distribution* d = space ? space->find(name) : nullptr) {
      json distribution = to_optuna_distribution(*d);
      const bool all_fit = std::all_of(seen.begin(), seen.end(),
                                       [&](const json& value) { return to_internal(distribution, value).has_value(); });
      if (all_fit) {
        distributions[name] = std::move(distribution);
        continue;
      }
    }
    distributions[name] = categorical_distribution(json(seen));
    inferred.push_back(name);
  }
  return distributions;
}

const char* optuna_state(TrialState state) {
  switch (state) {
    case TrialState::running: return "RUNNING";
    case TrialState::complete: return "COMPLETE";
    case TrialState::pruned: return "PRUNED";
    case TrialState::failed: return "FAIL";
  }
  return "FAIL";
}

// Optuna's FloatDistribution columns hold NaN and infinities as NULL plus a type.
const char* value_type(double value) {
  if (std::isnan(value)) return "NAN";
  if (std::isinf(value)) return value > 0 ? "INF_POS" : "INF_NEG";
  return "FINITE";
}

// What Optuna has no column for, as "bertlab.*" user attributes.
json provenance(const store::TrialRecord& trial, const std::string& metric) {
  json attributes = json::object();
  if (trial.seed) attributes[kSeedAttribute] = *trial.seed;
  if (!trial.plugins.empty()) attributes[kPluginsAttribute] = trial.plugins;
  if (!trial.data_fingerprint.empty()) attributes[kDataFingerprintAttribute] = trial.data_fingerprint;
  if (!trial.error.empty()) attributes[kErrorAttribute] = trial.error;
  if (!trial.artifacts.empty()) {
    json artifacts = json::array();
    for (const auto& a : trial.artifacts)
      artifacts.push_back({{"kind", a.kind}, {"path", a.path}, {"created_at", a.created_at}});
    attributes[kArtifactsAttribute] = std::move(artifacts);
  }
  json others = json::object();
  for (const auto& v : trial.intermediate_values)
    if (v.name != metric) others[v.name][std::to_string(v.step)] = std::isfinite(v.value) ? json(v.value) : json();
  if (!others.empty()) attributes[kOtherMetricsAttribute] = std::move(others);
  return attributes;
}

class Writer {
 public:
  Writer(SqliteConnection& connection, std::string_view op) : connection_(connection), op_(op) {}

  std::int64_t insert_trial(std::int64_t study_id, std::int64_t number, const char* state, const std::string& start,
                            const std::string& complete) {
    SqliteStatement insert(connection_, op_, R"sql(
        INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES (?1, ?2, ?3, ?4, ?5))sql");
    insert.bind_int(1, number)
        .bind_int(2, study_id)
        .bind_text(3, state)
        .bind_optional_text(4, to_optuna_datetime(start))
        .bind_optional_text(5, to_optuna_datetime(complete))
        .execute();
    return sqlite3_last_insert_rowid(connection_.handle());
  }

  // `table` is one of Optuna's *_attributes tables, `owner` its id column.
  void attributes(const char* table, const char* owner, std::int64_t id, const json& attributes) {
    SqliteStatement insert(connection_, op_,
                           fmt::format(R"sql(INSERT INTO {} ({}, "key", value_json) VALUES (?1, ?2, ?3))sql", table, owner));
    for (const auto& [key, value] : attributes.items())
      insert.bind_int(1, id).bind_text(2, key).bind_text(3, value.dump()).execute();
  }

  void param(std::int64_t trial_id, const std::string& name, double internal, const json& distribution) {
    SqliteStatement insert(connection_, op_, R"sql(
        INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?1, ?2, ?3, ?4))sql");
    insert.bind_int(1, trial_id).bind_text(2, name).bind_real(3, internal).bind_text(4, distribution.dump()).execute();
  }

  void value(std::int64_t trial_id, double value) {
    SqliteStatement insert(connection_, op_, R"sql(
        INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?1, 0, ?2, ?3))sql");
    insert.bind_int(1, trial_id).bind_real(2, value).bind_text(3, value_type(value)).execute();
  }

  void intermediate(std::int64_t trial_id, std::int64_t step, double value) {
    SqliteStatement insert(connection_, op_, R"sql(
        INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type)
        VALUES (?1, ?2, ?3, ?4))sql");
    insert.bind_int(1, trial_id).bind_int(2, step).bind_real(3, value).bind_text(4, value_type(value)).execute();
  }

 private:
  SqliteConnection& connection_;
  std::string_view op_;
};

}  // namespace

OptunaExport export_to_optuna(store::Store& store, const std::string& study_name, const std::string& optuna_storage,
                              const std::string& optuna_study_name) {
  const auto study = store.find_study(study_name);
  if (!study) throw InterchangeError(fmt::format("{}: no study '{}'", store.location(), study_name));
  const auto trials = store.trials(study->id);
  const auto queued = store.queued_trials(study->id);

  OptunaExport result;
  const auto distributions = study_distributions(*study, trials, queued, result.inferred_params);
  OptunaStorage optuna(optuna_storage, OptunaStorage::Mode::write);
  result.optuna_path = optuna.path();
  result.optuna_study = optuna_study_name;

  json study_attributes = study->attributes;
  study_attributes[kMetricAttribute] = study->metric;
  study_attributes[kExperimentAttribute] = study->experiment;
  study_attributes[kExperimentFileAttribute] = study->experiment_file;
  study_attributes[kExperimentHashAttribute] = study->experiment_hash;
  study_attributes[kCreatedAtAttribute] = study->created_at;

  constexpr std::string_view op = "export study";
  auto& connection = optuna.connection();
  connection.transact(op, store::TxKind::write, [&] {
    Writer write(connection, op);
    SqliteStatement exists(connection, op, "SELECT 1 FROM studies WHERE study_name = ?1");
    exists.bind_text(1, optuna_study_name);
    if (exists.step())
      throw InterchangeError(fmt::format("{}: a study named '{}' exists already (delete it with `optuna delete-study "
                                         "--storage sqlite:///{} --study-name {}`, or export with --as NEW_NAME)",
                                         optuna.path(), optuna_study_name, optuna.path(), optuna_study_name));
    SqliteStatement insert_study(connection, op, "INSERT INTO studies (study_name) VALUES (?1)");
    insert_study.bind_text(1, optuna_study_name).execute();
    const std::int64_t study_id = sqlite3_last_insert_rowid(connection.handle());
    SqliteStatement direction(connection, op,
                              "INSERT INTO study_directions (direction, study_id, objective) VALUES (?1, ?2, 0)");
    direction.bind_text(1, study->direction == Direction::maximize ? "MAXIMIZE" : "MINIMIZE").bind_int(2, study_id).execute();
    write.attributes("study_user_attributes", "study_id", study_id, study_attributes);

    std::int64_t next_number = 0;
    for (const auto& trial : trials) {
      const std::int64_t trial_id =
          write.insert_trial(study_id, trial.number, optuna_state(trial.state), trial.started_at, trial.finished_at);
      next_number = trial.number + 1;
      const json own = trial.attributes.value(kDistributionsAttribute, json::object());
      for (const auto& [name, value] : trial.params.items()) {
        const json& distribution = own.contains(name) ? own[name] : distributions.at(name);
        const auto internal = to_internal(distribution, value);
        if (!internal)
          throw InterchangeError(fmt::format("trial {}: param {} = {} is not in its distribution {}", trial.number, name,
                                             value.dump(), distribution.dump()));
        write.param(trial_id, name, *internal, distribution);
      }
      if (trial.value && (trial.state == TrialState::complete || trial.state == TrialState::pruned))
        write.value(trial_id, *trial.value);
      for (const auto& v : trial.intermediate_values)
        if (v.name == study->metric) write.intermediate(trial_id, v.step, v.value);
      json attributes = trial.attributes;
      attributes.erase(kDistributionsAttribute);
      attributes.update(provenance(trial, study->metric));
      write.attributes("trial_user_attributes", "trial_id", trial_id, attributes);
      ++result.trials;
    }
    // Optuna's enqueue_trial: a WAITING trial whose params wait in its `fixed_params`.
    for (const auto& waiting : queued) {
      const std::int64_t trial_id = write.insert_trial(study_id, next_number++, "WAITING", "", "");
      write.attributes("trial_system_attributes", "trial_id", trial_id, {{"fixed_params", waiting.params}});
      write.attributes("trial_user_attributes", "trial_id", trial_id, {{kOriginAttribute, waiting.origin}});
      ++result.trials;
    }
  });
  return result;
}

}  // namespace bertlab::interchange
