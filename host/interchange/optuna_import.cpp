#include "interchange/optuna_import.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "interchange/optuna_distribution.hpp"
#include "interchange/optuna_names.hpp"
#include "interchange/optuna_storage.hpp"
#include "store/sqlite_connection.hpp"

namespace bertlab::interchange {

namespace {

using nlohmann::json;
using store::SqliteConnection;
using store::SqliteStatement;

struct OptunaTrial {
  std::int64_t number = 0;
  std::string state;
  std::string start, complete;
  json params = json::object();
  json distributions = json::object();
  std::optional<double> value;
  std::map<std::int64_t, double> intermediate_values;
  json user_attributes = json::object();
  json system_attributes = json::object();
};

struct OptunaStudy {
  std::string name;
  Direction direction = Direction::maximize;
  json user_attributes = json::object();
  std::vector<OptunaTrial> trials;  // by number
};

// NULL plus a type is how Optuna stores NaN and the infinities.
double typed_value(const SqliteStatement& row, int value_column, int type_column) {
  const std::string type = row.text(type_column);
  if (type == "INF_POS") return std::numeric_limits<double>::infinity();
  if (type == "INF_NEG") return -std::numeric_limits<double>::infinity();
  if (type == "NAN" || row.is_null(value_column)) return std::nan("");
  return row.real(value_column);
}

json parsed(const SqliteStatement& row, int column, const std::string& where) {
  try {
    return json::parse(row.text(column));
  } catch (const json::parse_error& e) {
    throw InterchangeError(fmt::format("{}: invalid JSON: {}", where, e.what()));
  }
}

OptunaStudy read_study(OptunaStorage& optuna, const std::string& name) {
  constexpr std::string_view op = "read Optuna study";
  auto& connection = optuna.connection();
  return connection.transact(op, store::TxKind::read, [&] {
    OptunaStudy study;
    study.name = name;
    SqliteStatement find(connection, op, "SELECT study_id FROM studies WHERE study_name = ?1");
    find.bind_text(1, name);
    if (!find.step()) {
      SqliteStatement names(connection, op, "SELECT study_name FROM studies ORDER BY study_id");
      std::vector<std::string> there;
      while (names.step()) there.push_back(names.text(0));
      throw InterchangeError(fmt::format("{}: no Optuna study '{}' (the file has: {})", optuna.path(), name,
                                         there.empty() ? std::string("none") : fmt::format("{}", fmt::join(there, ", "))));
    }
    const std::int64_t study_id = find.integer(0);
    const std::string where = fmt::format("{}: study '{}'", optuna.path(), name);

    SqliteStatement directions(connection, op,
                               "SELECT direction FROM study_directions WHERE study_id = ?1 ORDER BY objective");
    directions.bind_int(1, study_id);
    std::vector<std::string> found;
    while (directions.step()) found.push_back(directions.text(0));
    if (found.size() != 1)
      throw InterchangeError(fmt::format("{} has {} objectives ({}); a bertlab study has one", where, found.size(),
                                         fmt::join(found, ", ")));
    study.direction = found.front() == "MINIMIZE" ? Direction::minimize : Direction::maximize;

    SqliteStatement study_attributes(connection, op,
                                     R"sql(SELECT "key", value_json FROM study_user_attributes WHERE study_id = ?1)sql");
    study_attributes.bind_int(1, study_id);
    while (study_attributes.step())
      study.user_attributes[study_attributes.text(0)] =
          parsed(study_attributes, 1, where + " user attribute " + study_attributes.text(0));

    SqliteStatement trials(connection, op, R"sql(
        SELECT trial_id, number, state, datetime_start, datetime_complete FROM trials
        WHERE study_id = ?1 ORDER BY number, trial_id)sql");
    trials.bind_int(1, study_id);
    std::map<std::int64_t, std::size_t> index_by_id;
    while (trials.step()) {
      index_by_id.emplace(trials.integer(0), study.trials.size());
      auto& trial = study.trials.emplace_back();
      trial.number = trials.integer(1);
      trial.state = trials.text(2);
      trial.start = from_optuna_datetime(trials.text(3));
      trial.complete = from_optuna_datetime(trials.text(4));
    }
    // Each detail query returns (trial_id, ...) for every trial of the study.
    auto details = [&](const char* sql, auto&& take) {
      SqliteStatement rows(connection, op, sql);
      rows.bind_int(1, study_id);
      while (rows.step()) {
        auto& trial = study.trials[index_by_id.at(rows.integer(0))];
        take(trial, rows, fmt::format("{} trial {}", where, trial.number));
      }
    };
    details(R"sql(SELECT p.trial_id, p.param_name, p.param_value, p.distribution_json
                  FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id WHERE t.study_id = ?1)sql",
            [&](OptunaTrial& trial, const SqliteStatement& row, const std::string& at) {
              const std::string param = row.text(1);
              json distribution = parsed(row, 3, at + " param " + param);
              try {
                trial.params[param] = from_internal(distribution, row.real(2));
              } catch (const InterchangeError& e) {
                throw InterchangeError(fmt::format("{} param {}: {}", at, param, e.what()));
              }
              trial.distributions[param] = std::move(distribution);
            });
    details(R"sql(SELECT v.trial_id, v.value, v.value_type
                  FROM trial_values v JOIN trials t ON t.trial_id = v.trial_id
                  WHERE t.study_id = ?1 AND v.objective = 0)sql",
            [&](OptunaTrial& trial, const SqliteStatement& row, const std::string&) {
              trial.value = typed_value(row, 1, 2);
            });
    details(R"sql(SELECT v.trial_id, v.step, v.intermediate_value, v.intermediate_value_type
                  FROM trial_intermediate_values v JOIN trials t ON t.trial_id = v.trial_id WHERE t.study_id = ?1)sql",
            [&](OptunaTrial& trial, const SqliteStatement& row, const std::string&) {
              trial.intermediate_values[row.integer(1)] = typed_value(row, 2, 3);
            });
    details(R"sql(SELECT a.trial_id, a."key", a.value_json
                  FROM trial_user_attributes a JOIN trials t ON t.trial_id = a.trial_id WHERE t.study_id = ?1)sql",
            [&](OptunaTrial& trial, const SqliteStatement& row, const std::string& at) {
              trial.user_attributes[row.text(1)] = parsed(row, 2, at + " user attribute " + row.text(1));
            });
    details(R"sql(SELECT a.trial_id, a."key", a.value_json
                  FROM trial_system_attributes a JOIN trials t ON t.trial_id = a.trial_id WHERE t.study_id = ?1)sql",
            [&](OptunaTrial& trial, const SqliteStatement& row, const std::string& at) {
              trial.system_attributes[row.text(1)] = parsed(row, 2, at + " system attribute " + row.text(1));
            });
    return study;
  });
}

TrialState bertlab_state(const std::string& state, const std::string& where) {
  if (state == "RUNNING") return TrialState::running;
  if (state == "COMPLETE") return TrialState::complete;
  if (state == "PRUNED") return TrialState::pruned;
  if (state == "FAIL") return TrialState::failed;
  throw InterchangeError(fmt::format("{}: unknown Optuna trial state '{}'", where, state));
}

// An Optuna trial as the store records it; the "bertlab.*" attributes of an
// exported trial go back into their fields.
store::TrialRecord to_record(const OptunaTrial& trial, const std::string& metric, const std::string& where,
                             std::size_t& infinite_values) {
  store::TrialRecord record;
  record.state = bertlab_state(trial.state, where);
  record.params = trial.params;
  record.value = trial.value;
  record.started_at = trial.start;
  record.finished_at = record.state == TrialState::running ? std::string() : trial.complete;
  record.heartbeat_at = record.finished_at.empty() ? record.started_at : record.finished_at;
  for (const auto& [step, value] : trial.intermediate_values) record.intermediate_values.push_back({step, metric, value});

  json attributes = trial.user_attributes;
  auto take = [&](const char* key) {
    auto it = attributes.find(key);
    if (it == attributes.end()) return json();
    json value = std::move(*it);
    attributes.erase(it);
    return value;
  };
  if (const json seed = take(kSeedAttribute); seed.is_number_integer()) record.seed = seed.get<std::int64_t>();
  if (const json plugins = take(kPluginsAttribute); plugins.is_object()) record.plugins = plugins;
  if (const json fingerprint = take(kDataFingerprintAttribute); fingerprint.is_string())
    record.data_fingerprint = fingerprint.get<std::string>();
  if (const json error = take(kErrorAttribute); error.is_string()) record.error = error.get<std::string>();
  if (const json artifacts = take(kArtifactsAttribute); artifacts.is_array())
    for (const auto& a : artifacts)
      record.artifacts.push_back({a.value("kind", ""), a.value("path", ""), a.value("created_at", "")});
  if (const json others = take(kOtherMetricsAttribute); others.is_object())
    for (const auto& [name, series] : others.items())
      for (const auto& [step, value] : series.items())
        record.intermediate_values.push_back(
            {std::stoll(step), name, value.is_number() ? value.get<double>() : std::nan("")});
  std::sort(record.intermediate_values.begin(), record.intermediate_values.end(), [](const auto& a, const auto& b) {
    return std::tie(a.step, a.name) < std::tie(b.step, b.name);
  });
  if (!trial.distributions.empty()) attributes[kDistributionsAttribute] = trial.distributions;
  record.attributes = std::move(attributes);

  if (record.state == TrialState::complete && !(record.value && std::isfinite(*record.value))) {
    record.error = fmt::format("imported from Optuna as COMPLETE with value {}; the store keeps finite values only",
                               record.value ? fmt::format("{}", *record.value) : std::string("none"));
    record.state = TrialState::failed;
    record.value.reset();
    ++infinite_values;
  }
  if (record.value && !std::isfinite(*record.value)) record.value.reset();
  return record;
}

}  // namespace

OptunaImport import_from_optuna(const std::string& optuna_storage, const std::string& optuna_study_name,
                                store::Store& store, const std::string& study_name, const std::string& metric) {
  OptunaStorage optuna(optuna_storage, OptunaStorage::Mode::read);
  const OptunaStudy study = read_study(optuna, optuna_study_name);
  if (store.find_study(study_name))
    throw InterchangeError(fmt::format("{}: a study named '{}' exists already; import under another name with --as",
                                       store.location(), study_name));

  OptunaImport result;
  result.study = study_name;
  auto study_attribute = [&](const char* key) {
    auto it = study.user_attributes.find(key);
    return it != study.user_attributes.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  result.metric = !metric.empty() ? metric : !study_attribute(kMetricAttribute).empty() ? study_attribute(kMetricAttribute) : "value";

  // Everything is decoded before anything is written: a bad row leaves no half-imported study.
  std::vector<store::TrialRecord> records;
  std::vector<json> waiting;
  std::vector<std::string> origins;
  std::int64_t expected_number = 0;
  for (const auto& trial : study.trials) {
    const std::string where = fmt::format("{}: study '{}' trial {}", optuna.path(), study.name, trial.number);
    if (trial.state == "WAITING") {
      waiting.push_back(trial.system_attributes.value("fixed_params", trial.params));
      const auto origin = trial.user_attributes.find(kOriginAttribute);
      origins.push_back(origin != trial.user_attributes.end() && origin->is_string()
                            ? origin->get<std::string>()
                            : fmt::format("Optuna WAITING trial {}", trial.number));
      continue;
    }
    if (trial.number != expected_number) result.renumbered = true;
    ++expected_number;
    records.push_back(to_record(trial, result.metric, where, result.infinite_values));
  }

  const auto created = store.get_or_create_study(study_name, study_attribute(kExperimentAttribute), result.metric,
                                                 study.direction, study_attribute(kExperimentFileAttribute));
  for (const auto& [key, value] : study.user_attributes.items())
    if (key.rfind("bertlab.", 0) != 0) store.set_study_attribute(created.id, key, value);
  store.set_study_attribute(created.id, kImportedFromAttribute, {{"optuna", optuna.path()}, {"study", study.name}});
  for (const auto& record : records) {
    store.insert_trial(created.id, record);
    ++result.trials;
  }
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    store.enqueue_trial(created.id, waiting[i], origins[i]);
    ++result.queued;
  }
  return result;
}

}  // namespace bertlab::interchange
