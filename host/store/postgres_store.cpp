#include "store/postgres_store.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "store/postgres_connection.hpp"
#include "store/store_rules.hpp"
#include "store/timestamp.hpp"
#include "util/sha256.hpp"

namespace bertlab::store {

namespace {

// The SQLite store's migrations (sqlite_store.cpp) in PostgreSQL's dialect:
// step i moves the schema from version i to i + 1. BIGSERIAL keys stand for
// SQLite's INTEGER PRIMARY KEY, DOUBLE PRECISION for REAL; timestamps and
// JSON are the same text. A shipped step is never edited.
constexpr std::array<const char*, 3> kMigrations = {
    R"sql(
CREATE TABLE studies (
  id              BIGSERIAL PRIMARY KEY,
  name            TEXT      NOT NULL UNIQUE,
  experiment      TEXT      NOT NULL,
  experiment_hash TEXT      NOT NULL,
  metric          TEXT      NOT NULL,
  direction       TEXT      NOT NULL CHECK (direction IN ('maximize', 'minimize')),
  created_at      TEXT      NOT NULL
);
CREATE TABLE trials (
  id               BIGSERIAL PRIMARY KEY,
  study_id         BIGINT    NOT NULL REFERENCES studies (id),
  number           BIGINT    NOT NULL,
  state            TEXT      NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAILED')),
  params           TEXT      NOT NULL,
  value            DOUBLE PRECISION,
  error            TEXT,
  started_at       TEXT      NOT NULL,
  finished_at      TEXT,
  heartbeat_at     TEXT,
  seed             BIGINT,
  plugins          TEXT      NOT NULL,
  data_fingerprint TEXT,
  UNIQUE (study_id, number)
);
CREATE INDEX trials_by_study_state ON trials (study_id, state);
CREATE TABLE intermediate_values (
  trial_id BIGINT NOT NULL REFERENCES trials (id),
  step     BIGINT NOT NULL,
  name     TEXT   NOT NULL,
  value    DOUBLE PRECISION,
  PRIMARY KEY (trial_id, step, name)
);
CREATE TABLE trial_attributes (
  trial_id BIGINT NOT NULL REFERENCES trials (id),
  key      TEXT   NOT NULL,
  value    TEXT   NOT NULL,
  PRIMARY KEY (trial_id, key)
);
CREATE TABLE artifacts (
  id         BIGSERIAL PRIMARY KEY,
  trial_id   BIGINT NOT NULL REFERENCES trials (id),
  kind       TEXT   NOT NULL,
  path       TEXT   NOT NULL,
  created_at TEXT   NOT NULL
);
CREATE INDEX artifacts_by_trial ON artifacts (trial_id);
)sql",
    R"sql(
ALTER TABLE studies ADD COLUMN experiment_file TEXT NOT NULL DEFAULT '';
CREATE TABLE queued_trials (
  id         BIGSERIAL PRIMARY KEY,
  study_id   BIGINT NOT NULL REFERENCES studies (id),
  params     TEXT   NOT NULL,
  origin     TEXT   NOT NULL,
  created_at TEXT   NOT NULL,
  trial_id   BIGINT REFERENCES trials (id)
);
CREATE INDEX queued_trials_waiting ON queued_trials (study_id, trial_id);
)sql",
    R"sql(
CREATE TABLE study_attributes (
  study_id BIGINT NOT NULL REFERENCES studies (id),
  key      TEXT   NOT NULL,
  value    TEXT   NOT NULL,
  PRIMARY KEY (study_id, key)
);
)sql",
};

// Held by the transaction that reads or moves the schema version, so that
// processes opening a new database at once migrate it once.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7298510385)";

constexpr bool kRead = true;
constexpr bool kWrite = false;

int read_schema_version(PgConnection& connection, std::string_view op) {
  connection.exec(op, "CREATE TABLE IF NOT EXISTS bertlab_schema (version INTEGER NOT NULL)");
  auto rows = connection.exec(op, "SELECT version FROM bertlab_schema");
  return rows.rows() == 0 ? 0 : static_cast<int>(rows.integer(0, 0));
}

std::vector<StudyRecord> load_studies(PgConnection& connection, std::string_view op,
                                      const std::optional<std::string>& name) {
  PgParams params;
  if (name) params.add(*name); else params.add_null();
  auto rows = connection.exec(op, R"sql(
      SELECT id, name, experiment, experiment_hash, metric, direction, created_at, experiment_file FROM studies
      WHERE $1::text IS NULL OR name = $1 ORDER BY id)sql", params);
  std::vector<StudyRecord> studies;
  for (int r = 0; r < rows.rows(); ++r) {
    studies.push_back({.id = rows.integer(r, 0),
                       .name = rows.text(r, 1),
                       .experiment = rows.text(r, 2),
                       .experiment_hash = rows.text(r, 3),
                       .metric = rows.text(r, 4),
                       .direction = parse_direction(rows.text(r, 5)),
                       .created_at = rows.text(r, 6),
                       .experiment_file = rows.text(r, 7)});
  }
  auto attributes = connection.exec(op, R"sql(
      SELECT a.study_id, a.key, a.value FROM study_attributes a JOIN studies s ON s.id = a.study_id
      WHERE $1::text IS NULL OR s.name = $1)sql", params);
  for (int r = 0; r < attributes.rows(); ++r) {
    const auto id = attributes.integer(r, 0);
    auto study = std::find_if(studies.begin(), studies.end(), [&](const StudyRecord& s) { return s.id == id; });
    if (study != studies.end()) study->attributes[attributes.text(r, 1)] = attributes.json(r, 2);
  }
  return studies;
}

std::optional<StudyRecord> load_study(PgConnection& connection, std::string_view op, const std::string& name) {
  auto studies = load_studies(connection, op, name);
  if (studies.empty()) return std::nullopt;
  return std::move(studies.front());
}

// Locks the study's row for the transaction: trial creation in a study is serialized.
void lock_study(PgConnection& connection, std::string_view op, std::int64_t study_id) {
  if (connection.exec(op, "SELECT 1 FROM studies WHERE id = $1 FOR UPDATE", PgParams().add(study_id)).rows() == 0)
    throw connection.error(op, fmt::format("no study with id {}", study_id));
}

void require_study(PgConnection& connection, std::string_view op, std::int64_t study_id) {
  if (connection.exec(op, "SELECT 1 FROM studies WHERE id = $1", PgParams().add(study_id)).rows() == 0)
    throw connection.error(op, fmt::format("no study with id {}", study_id));
}

StudySummary summarize(PgConnection& connection, std::string_view op, StudyRecord study) {
  StudySummary summary;
  auto counts = connection.exec(op, "SELECT state, COUNT(*) FROM trials WHERE study_id = $1 GROUP BY state",
                                PgParams().add(study.id));
  for (int r = 0; r < counts.rows(); ++r) summary.counts[parse_trial_state(counts.text(r, 0))] = counts.integer(r, 1);
  auto best = connection.exec(op, R"sql(
      SELECT number, value FROM trials
      WHERE study_id = $1 AND state = 'COMPLETE' AND value IS NOT NULL
      ORDER BY value * $2, number LIMIT 1)sql",
                              PgParams().add(study.id).add(std::int64_t{study.direction == Direction::maximize ? -1 : 1}));
  if (best.rows() > 0) {
    summary.best_trial = best.integer(0, 0);
    summary.best_value = best.real(0, 1);
  }
  summary.study = std::move(study);
  return summary;
}

// The trial's row is locked for the transaction, as SQLite's write lock would.
TrialHead require_trial(PgConnection& connection, std::string_view op, std::int64_t trial_id) {
  auto row = connection.exec(op, R"sql(
      SELECT t.number, t.state, s.name FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = $1
      FOR UPDATE OF t)sql",
                             PgParams().add(trial_id));
  if (row.rows() == 0) throw connection.error(op, fmt::format("no trial with id {}", trial_id));
  return {row.integer(0, 0), parse_trial_state(row.text(0, 1)), row.text(0, 2)};
}

std::int64_t next_trial_number(PgConnection& connection, std::string_view op, std::int64_t study_id) {
  return connection.exec(op, "SELECT COALESCE(MAX(number), -1) + 1 FROM trials WHERE study_id = $1",
                         PgParams().add(study_id))
      .integer(0, 0);
}

// A study's trials in number order with all their details; `number` narrows
// to that one trial. $1 is the study, $2 the one trial number or NULL.
std::vector<TrialRecord> load_trials(PgConnection& connection, std::string_view op, std::int64_t study_id,
                                     std::optional<std::int64_t> number) {
  PgParams params;
  params.add(study_id).add(number);
  auto rows = connection.exec(op, R"sql(
      SELECT id, number, state, params, value, error, started_at, finished_at, heartbeat_at, seed, plugins,
             data_fingerprint
      FROM trials WHERE study_id = $1 AND ($2::bigint IS NULL OR number = $2) ORDER BY number)sql", params);
  std::vector<TrialRecord> trials;
  std::unordered_map<std::int64_t, std::size_t> index_by_id;
  for (int r = 0; r < rows.rows(); ++r) {
    TrialRecord trial;
    trial.id = rows.integer(r, 0);
    trial.study_id = study_id;
    trial.number = rows.integer(r, 1);
    trial.state = parse_trial_state(rows.text(r, 2));
    trial.params = rows.json(r, 3);
    trial.value = rows.optional_real(r, 4);
    trial.error = rows.text(r, 5);
    trial.started_at = rows.text(r, 6);
    trial.finished_at = rows.text(r, 7);
    trial.heartbeat_at = rows.text(r, 8);
    trial.seed = rows.optional_integer(r, 9);
    trial.plugins = rows.json(r, 10);
    trial.data_fingerprint = rows.text(r, 11);
    index_by_id.emplace(trial.id, trials.size());
    trials.push_back(std::move(trial));
  }
  if (trials.empty()) return trials;
  auto by_id = [&](std::int64_t id) -> TrialRecord& { return trials[index_by_id.at(id)]; };
  constexpr const char* kOfTheseTrials =
      "JOIN trials t ON t.id = d.trial_id WHERE t.study_id = $1 AND ($2::bigint IS NULL OR t.number = $2)";
  auto values = connection.exec(
      op, fmt::format("SELECT d.trial_id, d.step, d.name, d.value FROM intermediate_values d {} "
                      "ORDER BY d.trial_id, d.step, d.name",
                      kOfTheseTrials),
      params);
  for (int r = 0; r < values.rows(); ++r)
    by_id(values.integer(r, 0)).intermediate_values.push_back({values.integer(r, 1), values.text(r, 2), values.real(r, 3)});
  auto attributes =
      connection.exec(op, fmt::format("SELECT d.trial_id, d.key, d.value FROM trial_attributes d {}", kOfTheseTrials), params);
  for (int r = 0; r < attributes.rows(); ++r)
    by_id(attributes.integer(r, 0)).attributes[attributes.text(r, 1)] = attributes.json(r, 2);
  auto artifacts = connection.exec(
      op, fmt::format("SELECT d.trial_id, d.kind, d.path, d.created_at FROM artifacts d {} ORDER BY d.id", kOfTheseTrials),
      params);
  for (int r = 0; r < artifacts.rows(); ++r)
    by_id(artifacts.integer(r, 0)).artifacts.push_back({artifacts.text(r, 1), artifacts.text(r, 2), artifacts.text(r, 3)});
  return trials;
}

std::vector<QueuedTrial> to_queued(const PgResult& rows) {
  std::vector<QueuedTrial> queued;
  for (int r = 0; r < rows.rows(); ++r)
    queued.push_back({rows.integer(r, 0), rows.json(r, 1), rows.text(r, 2), rows.text(r, 3)});
  return queued;
}

QueuedTrial insert_queued(PgConnection& connection, std::string_view op, std::int64_t study_id,
                          const nlohmann::json& params, const std::string& origin) {
  QueuedTrial queued{.params = params, .origin = origin, .created_at = timestamp_utc()};
  auto row = connection.exec(
      op, "INSERT INTO queued_trials (study_id, params, origin, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
      PgParams().add(study_id).add(params.dump()).add(origin).add(queued.created_at));
  queued.id = row.integer(0, 0);
  return queued;
}

void upsert_attribute(PgConnection& connection, std::string_view op, std::int64_t trial_id, const std::string& key,
                      const std::string& value_json) {
  connection.exec(op, R"sql(
      INSERT INTO trial_attributes (trial_id, key, value) VALUES ($1, $2, $3)
      ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value)sql",
                  PgParams().add(trial_id).add(key).add(value_json));
}

void insert_artifact(PgConnection& connection, std::string_view op, std::int64_t trial_id, const Artifact& artifact) {
  connection.exec(op, "INSERT INTO artifacts (trial_id, kind, path, created_at) VALUES ($1, $2, $3, $4)",
                  PgParams().add(trial_id).add(artifact.kind).add(artifact.path).add(
                      artifact.created_at.empty() ? timestamp_utc() : artifact.created_at));
}

}  // namespace

int PostgresStore::schema_version() { return static_cast<int>(kMigrations.size()); }

PostgresStore::PostgresStore(const std::string& url, bool read_only)
    : connection_(std::make_unique<PgConnection>(url)) {
  check_schema_version(read_only);
}

PostgresStore::~PostgresStore() = default;

const std::string& PostgresStore::location() const { return connection_->location(); }

void PostgresStore::check_schema_version(bool read_only) {
  constexpr std::string_view op = "open";
  auto& connection = *connection_;
  int found = 0;
  if (read_only) {
    found = connection.transact(op, kRead, [&] {
      auto exists = connection.exec(op, "SELECT to_regclass('bertlab_schema') IS NOT NULL");
      if (exists.text(0, 0) != "t") return 0;
      auto rows = connection.exec(op, "SELECT version FROM bertlab_schema");
      return rows.rows() == 0 ? 0 : static_cast<int>(rows.integer(0, 0));
    });
    if (found == 0) throw connection.error(op, "store not found: the database has no bertlab tables");
  } else {
    found = connection.transact(op, kWrite, [&] {
      connection.exec(op, kSchemaLock);
      return read_schema_version(connection, op);
    });
  }
  if (auto problem = schema_version_problem(found, schema_version(), read_only)) throw connection.error(op, *problem);
  if (found < schema_version()) migrate();
}

void PostgresStore::migrate() {
  constexpr std::string_view op = "migrate schema";
  auto& connection = *connection_;
  connection.transact(op, kWrite, [&] {
    connection.exec(op, kSchemaLock);
    int version = read_schema_version(connection, op);
    for (; version < schema_version(); ++version)
      connection.exec_script(op, kMigrations[static_cast<std::size_t>(version)]);
    connection.exec(op, "DELETE FROM bertlab_schema");
    connection.exec(op, "INSERT INTO bertlab_schema (version) VALUES ($1)", PgParams().add(std::int64_t{version}));
  });
}

StudyRecord PostgresStore::get_or_create_study(const std::string& name, const std::string& experiment,
                                               const std::string& metric, Direction direction,
                                               const std::string& experiment_file) {
  constexpr std::string_view op = "create study";
  auto& connection = *connection_;
  return connection.transact(op, kWrite, [&] {
    // Two processes creating the same study: one inserts, the other waits on the row and then reads it.
    const std::string created_at = timestamp_utc();
    connection.exec(op, R"sql(
        INSERT INTO studies (name, experiment, experiment_hash, metric, direction, created_at, experiment_file)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING)sql",
                    PgParams()
                        .add(name)
                        .add(experiment)
                        .add(util::sha256_hex(experiment))
                        .add(metric)
                        .add(to_string(direction))
                        .add(created_at)
                        .add(experiment_file));
    auto study = load_study(connection, op, name);
    if (!study) throw connection.error(op, fmt::format("study '{}' vanished while being created", name));
    if (study->metric != metric || study->direction != direction)
      throw connection.error(op, fmt::format("study '{}' exists with metric {} ({}), not {} ({})", name, study->metric,
                                             to_string(study->direction), metric, to_string(direction)));
    return *study;
  });
}

std::optional<StudyRecord> PostgresStore::find_study(const std::string& name) {
  constexpr std::string_view op = "find study";
  return connection_->transact(op, kRead, [&] { return load_study(*connection_, op, name); });
}

std::vector<StudySummary> PostgresStore::list_studies() {
  constexpr std::string_view op = "list studies";
  auto& connection = *connection_;
  return connection.transact(op, kRead, [&] {
    std::vector<StudySummary> summaries;
    for (auto& study : load_studies(connection, op, std::nullopt))
      summaries.push_back(summarize(connection, op, std::move(study)));
    return summaries;
  });
}

void PostgresStore::set_study_attribute(std::int64_t study_id, const std::string& key, const nlohmann::json& value) {
  constexpr std::string_view op = "set study attribute";
  auto& connection = *connection_;
  connection.transact(op, kWrite, [&] {
    require_study(connection, op, study_id);
    connection.exec(op, R"sql(
        INSERT INTO study_attributes (study_id, key, value) VALUES ($1, $2, $3)
        ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value)sql",
                    PgParams().add(study_id).add(key).add(value.dump()));
  });
}

TrialRecord PostgresStore::create_trial(std::int64_t study_id, const PrepareTrial& prepare) {
  constexpr std::string_view op = "create trial";
  auto& connection = *connection_;
  return connection.transact(op, kWrite, [&] {
    lock_study(connection, op, study_id);
    std::optional<QueuedTrial> queued;
    auto waiting = to_queued(connection.exec(op, R"sql(
        SELECT id, params, origin, created_at FROM queued_trials WHERE study_id = $1 AND trial_id IS NULL
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)sql",
                                              PgParams().add(study_id)));
    if (!waiting.empty()) queued = std::move(waiting.front());
    const TrialInit init = prepare(load_trials(connection, op, study_id, std::nullopt), queued);
    const std::int64_t number = next_trial_number(connection, op, study_id);
    const std::string now = timestamp_utc();
    auto inserted = connection.exec(op, R"sql(
        INSERT INTO trials (study_id, number, state, params, started_at, heartbeat_at, seed, plugins, data_fingerprint)
        VALUES ($1, $2, 'RUNNING', $3, $4, $4, $5, $6, $7) RETURNING id)sql",
                                    PgParams()
                                        .add(study_id)
                                        .add(number)
                                        .add(init.params.dump())
                                        .add(now)
                                        .add(init.seed)
                                        .add(init.plugins.dump())
                                        .add_optional(init.data_fingerprint));
    if (queued)
      connection.exec(op, "UPDATE queued_trials SET trial_id = $2 WHERE id = $1",
                      PgParams().add(queued->id).add(inserted.integer(0, 0)));
    return std::move(load_trials(connection, op, study_id, number).front());
  });
}

TrialRecord PostgresStore::insert_trial(std::int64_t study_id, const TrialRecord& trial) {
  constexpr std::string_view op = "insert trial";
  auto& connection = *connection_;
  // As if it ran here: a COMPLETE trial needs a finite value.
  const TrialHead head{trial.number, TrialState::running, fmt::format("#{}", study_id)};
  if (auto problem = finish_problem(head, trial.state, trial.value)) throw connection.error(op, *problem);
  return connection.transact(op, kWrite, [&] {
    lock_study(connection, op, study_id);
    const std::int64_t number = next_trial_number(connection, op, study_id);
    auto inserted = connection.exec(op, R"sql(
        INSERT INTO trials (study_id, number, state, params, value, error, started_at, finished_at, heartbeat_at,
                            seed, plugins, data_fingerprint)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id)sql",
                                    PgParams()
                                        .add(study_id)
                                        .add(number)
                                        .add(to_string(trial.state))
                                        .add(trial.params.dump())
                                        .add(trial.value)
                                        .add_optional(trial.error)
                                        .add(trial.started_at.empty() ? timestamp_utc() : trial.started_at)
                                        .add_optional(trial.finished_at)
                                        .add_optional(trial.heartbeat_at)
                                        .add(trial.seed)
                                        .add(trial.plugins.dump())
                                        .add_optional(trial.data_fingerprint));
    const std::int64_t trial_id = inserted.integer(0, 0);
    for (const auto& v : trial.intermediate_values)
      connection.exec(op, "INSERT INTO intermediate_values (trial_id, step, name, value) VALUES ($1, $2, $3, $4)",
                      PgParams().add(trial_id).add(v.step).add(v.name).add(v.value));
    for (const auto& [key, json] : trial.attributes.items()) upsert_attribute(connection, op, trial_id, key, json.dump());
    for (const auto& artifact : trial.artifacts) insert_artifact(connection, op, trial_id, artifact);
    return std::move(load_trials(connection, op, study_id, number).front());
  });
}

QueuedTrial PostgresStore::enqueue_trial(std::int64_t study_id, const nlohmann::json& params, const std::string& origin) {
  constexpr std::string_view op = "enqueue trial";
  auto& connection = *connection_;
  return connection.transact(op, kWrite, [&] {
    require_study(connection, op, study_id);
    return insert_queued(connection, op, study_id, params, origin);
  });
}

std::vector<QueuedTrial> PostgresStore::queued_trials(std::int64_t study_id) {
  constexpr std::string_view op = "read queued trials";
  auto& connection = *connection_;
  return connection.transact(op, kRead, [&] {
    return to_queued(connection.exec(op, R"sql(
        SELECT id, params, origin, created_at FROM queued_trials WHERE study_id = $1 AND trial_id IS NULL
        ORDER BY id)sql",
                                     PgParams().add(study_id)));
  });
}

std::vector<std::int64_t> PostgresStore::fail_stale_trials(std::int64_t study_id, std::chrono::milliseconds timeout,
                                                           bool requeue) {
  constexpr std::string_view op = "fail stale trials";
  auto& connection = *connection_;
  return connection.transact(op, kWrite, [&] {
    auto stale = connection.exec(op, R"sql(
        SELECT id, number, params, heartbeat_at FROM trials
        WHERE study_id = $1 AND state = 'RUNNING' AND heartbeat_at < $2 ORDER BY number FOR UPDATE)sql",
                                 PgParams().add(study_id).add(timestamp_utc(timeout)));
    std::vector<std::int64_t> numbers;
    const std::string now = timestamp_utc();
    for (int r = 0; r < stale.rows(); ++r) {
      const std::int64_t id = stale.integer(r, 0);
      const std::int64_t number = stale.integer(r, 1);
      connection.exec(op, "UPDATE trials SET state = 'FAILED', error = $2, finished_at = $3 WHERE id = $1",
                      PgParams().add(id).add(fmt::format("worker lost: no heartbeat since {} (timeout {} s)",
                                                         stale.text(r, 3),
                                                         static_cast<double>(timeout.count()) / 1000.0))
                          .add(now));
      if (requeue) {
        insert_queued(connection, op, study_id, stale.json(r, 2), fmt::format("retry of trial {}", number));
        upsert_attribute(connection, op, id, "requeued", "true");
      }
      numbers.push_back(number);
    }
    return numbers;
  });
}

void PostgresStore::report_intermediate(std::int64_t trial_id, std::int64_t step,
                                        const std::vector<std::pair<std::string, double>>& values) {
  constexpr std::string_view op = "report intermediate values";
  auto& connection = *connection_;
  connection.transact(op, kWrite, [&] {
    const TrialHead head = require_trial(connection, op, trial_id);
    if (auto problem = report_problem(head)) throw connection.error(op, *problem);
    for (const auto& [name, value] : values)
      connection.exec(op, R"sql(
          INSERT INTO intermediate_values (trial_id, step, name, value) VALUES ($1, $2, $3, $4)
          ON CONFLICT (trial_id, step, name) DO UPDATE SET value = excluded.value)sql",
                      PgParams().add(trial_id).add(step).add(name).add(value));
    connection.exec(op, "UPDATE trials SET heartbeat_at = $2 WHERE id = $1", PgParams().add(trial_id).add(timestamp_utc()));
  });
}

void PostgresStore::heartbeat(std::int64_t trial_id) {
  constexpr std::string_view op = "heartbeat";
  auto& connection = *connection_;
  connection.transact(op, kWrite, [&] {
    require_trial(connection, op, trial_id);
    connection.exec(op, "UPDATE trials SET heartbeat_at = $2 WHERE id = $1 AND state = 'RUNNING'",
                    PgParams().add(trial_id).add(timestamp_utc()));
  });
}

void PostgresStore::set_attribute(std::int64_t trial_id, const std::string& key, const nlohmann::json& value) {
  constexpr std::string_view op = "set attribute";
  auto& connection = *connection_;
  connection.transact(op, kWrite, [&] {
    require_trial(connection, op, trial_id);
    upsert_attribute(connection, op, trial_id, key, value.dump());
  });
}

void PostgresStore::add_artifact(std::int64_t trial_id, const std::string& kind, const std::string& path) {
  constexpr std::string_view op = "add artifact";
  auto& connection = *connection_;
  connection.transact(op, kWrite, [&] {
    require_trial(connection, op, trial_id);
    insert_artifact(connection, op, trial_id, {kind, path, ""});
  });
}

void PostgresStore::finish_trial(std::int64_t trial_id, TrialState state, std::optional<double> value,
                                 const std::string& error) {
  constexpr std::string_view op = "finish trial";
  auto& connection = *connection_;
  if (state == TrialState::running) throw connection.error(op, "a trial cannot be finished as RUNNING");
  connection.transact(op, kWrite, [&] {
    const TrialHead head = require_trial(connection, op, trial_id);
    if (auto problem = finish_problem(head, state, value)) throw connection.error(op, *problem);
    const std::string now = timestamp_utc();
    connection.exec(op, R"sql(
        UPDATE trials SET state = $2, value = $3, error = $4, finished_at = $5, heartbeat_at = $5 WHERE id = $1)sql",
                    PgParams().add(trial_id).add(to_string(state)).add(value).add_optional(error).add(now));
  });
}

std::vector<TrialRecord> PostgresStore::trials(std::int64_t study_id) {
  constexpr std::string_view op = "read trials";
  return connection_->transact(op, kRead, [&] { return load_trials(*connection_, op, study_id, std::nullopt); });
}

std::optional<TrialRecord> PostgresStore::trial(std::int64_t study_id, std::int64_t number) {
  constexpr std::string_view op = "read trial";
  return connection_->transact(op, kRead, [&]() -> std::optional<TrialRecord> {
    auto found = load_trials(*connection_, op, study_id, number);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  });
}

// A READ ONLY transaction refuses every write; the extended query protocol
// refuses a second statement ("cannot insert multiple commands into a
// prepared statement").
QueryResult PostgresStore::query_readonly(const std::string& sql) {
  constexpr std::string_view op = "query";
  auto& connection = *connection_;
  return connection.transact(op, kRead, [&] {
    auto rows = connection.exec("query refused", sql);
    QueryResult result;
    for (int c = 0; c < rows.columns(); ++c) result.columns.push_back(rows.column_name(c));
    for (int r = 0; r < rows.rows(); ++r) {
      auto& row = result.rows.emplace_back();
      for (int c = 0; c < rows.columns(); ++c) row.push_back(rows.any(r, c));
    }
    return result;
  });
}

}  // namespace bertlab::store
