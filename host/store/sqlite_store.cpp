#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "store/sqlite_connection.hpp"
#include "store/store_rules.hpp"
#include "store/timestamp.hpp"
#include "util/sha256.hpp"

namespace bertlab::store {

namespace {

// Step i moves the schema from version i to version i + 1 (PRAGMA
// user_version), each in its own transaction. A step that has shipped is never
// edited: a schema change is a new step appended to this list.
constexpr std::array<const char*, 3> kMigrations = {
    R"sql(
-- One row per study: a named search over one experiment.
CREATE TABLE studies (
  id              INTEGER PRIMARY KEY,
  name            TEXT    NOT NULL UNIQUE,
  experiment      TEXT    NOT NULL,  -- the experiment file's text, as first run
  experiment_hash TEXT    NOT NULL,  -- sha256 hex of `experiment`
  metric          TEXT    NOT NULL,  -- the objective, e.g. 'eval_accuracy'
  direction       TEXT    NOT NULL CHECK (direction IN ('maximize', 'minimize')),
  created_at      TEXT    NOT NULL   -- ISO 8601 UTC with milliseconds, as every *_at column
);

-- One row per trial; `number` counts 0, 1, 2, ... within its study, without gaps.
CREATE TABLE trials (
  id               INTEGER PRIMARY KEY,
  study_id         INTEGER NOT NULL REFERENCES studies (id),
  number           INTEGER NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAILED')),
  params           TEXT    NOT NULL,  -- JSON object: parameter name -> value
  value            REAL,              -- the objective; set for COMPLETE, may be set for PRUNED
  error            TEXT,              -- why the trial FAILED or was PRUNED
  started_at       TEXT    NOT NULL,
  finished_at      TEXT,              -- NULL while RUNNING
  heartbeat_at     TEXT,              -- the last sign of life of the process running it
  seed             INTEGER,
  plugins          TEXT    NOT NULL,  -- JSON object: 'kind/name' -> plugin version
  data_fingerprint TEXT,              -- identifies the data the trial trained on
  UNIQUE (study_id, number)
);
-- Per-state counts of a study (history, stale RUNNING trials).
CREATE INDEX trials_by_study_state ON trials (study_id, state);

-- Metrics reported while a trial runs, for pruners and learning curves.
CREATE TABLE intermediate_values (
  trial_id INTEGER NOT NULL REFERENCES trials (id),
  step     INTEGER NOT NULL,
  name     TEXT    NOT NULL,  -- the metric, e.g. 'eval_accuracy', 'train_loss'
  value    REAL,              -- NULL stands for NaN or an infinity
  PRIMARY KEY (trial_id, step, name)
);

-- Free-form facts about a trial (device, timings, ...).
CREATE TABLE trial_attributes (
  trial_id INTEGER NOT NULL REFERENCES trials (id),
  key      TEXT    NOT NULL,
  value    TEXT    NOT NULL,  -- JSON
  PRIMARY KEY (trial_id, key)
);

-- Files a trial produced (saved models, ...).
CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY,
  trial_id   INTEGER NOT NULL REFERENCES trials (id),
  kind       TEXT    NOT NULL,  -- 'model', ...
  path       TEXT    NOT NULL,
  created_at TEXT    NOT NULL
);
CREATE INDEX artifacts_by_trial ON artifacts (trial_id);
)sql",
    R"sql(
-- Where the experiment text was read from, for workers in other processes.
ALTER TABLE studies ADD COLUMN experiment_file TEXT NOT NULL DEFAULT '';

-- Trials waiting to run with fixed params (bertlab enqueue, retries of lost trials).
CREATE TABLE queued_trials (
  id         INTEGER PRIMARY KEY,
  study_id   INTEGER NOT NULL REFERENCES studies (id),
  params     TEXT    NOT NULL,  -- JSON object: parameter name -> value
  origin     TEXT    NOT NULL,  -- 'enqueue', 'retry of trial 7'
  created_at TEXT    NOT NULL,
  trial_id   INTEGER REFERENCES trials (id)  -- the trial that ran it; NULL while waiting
);
CREATE INDEX queued_trials_waiting ON queued_trials (study_id, trial_id);
)sql",
    R"sql(
-- Free-form facts about a study (where an imported study came from, Optuna's study user attributes).
CREATE TABLE study_attributes (
  study_id INTEGER NOT NULL REFERENCES studies (id),
  key      TEXT    NOT NULL,
  value    TEXT    NOT NULL,  -- JSON
  PRIMARY KEY (study_id, key)
);
)sql",
};

}  // namespace

using Statement = SqliteStatement;
using sqlite_detail::trimmed;

namespace {

int read_user_version(SqliteConnection& connection, std::string_view op) {
  Statement pragma(connection, op, "PRAGMA user_version");
  pragma.step();
  return static_cast<int>(pragma.integer(0));
}

// Studies in id order; `name` narrows to that one study.
std::vector<StudyRecord> load_studies(SqliteConnection& connection, std::string_view op,
                                      const std::optional<std::string>& name) {
  Statement rows(connection, op, R"sql(
      SELECT id, name, experiment, experiment_hash, metric, direction, created_at, experiment_file FROM studies
      WHERE ?1 IS NULL OR name = ?1 ORDER BY id)sql");
  if (name) rows.bind_text(1, *name);
  std::vector<StudyRecord> studies;
  while (rows.step()) {
    studies.push_back({.id = rows.integer(0),
                       .name = rows.text(1),
                       .experiment = rows.text(2),
                       .experiment_hash = rows.text(3),
                       .metric = rows.text(4),
                       .direction = parse_direction(rows.text(5)),
                       .created_at = rows.text(6),
                       .experiment_file = rows.text(7)});
  }
  Statement attributes(connection, op, R"sql(
      SELECT a.study_id, a.key, a.value FROM study_attributes a JOIN studies s ON s.id = a.study_id
      WHERE ?1 IS NULL OR s.name = ?1)sql");
  if (name) attributes.bind_text(1, *name);
  while (attributes.step()) {
    auto study = std::find_if(studies.begin(), studies.end(),
                              [&](const StudyRecord& candidate) { return candidate.id == attributes.integer(0); });
    if (study != studies.end()) study->attributes[attributes.text(1)] = attributes.json(2);
  }
  return studies;
}

std::optional<StudyRecord> load_study(SqliteConnection& connection, std::string_view op, const std::string& name) {
  auto studies = load_studies(connection, op, name);
  if (studies.empty()) return std::nullopt;
  return std::move(studies.front());
}

void require_study(SqliteConnection& connection, std::string_view op, std::int64_t study_id) {
  Statement row(connection, op, "SELECT 1 FROM studies WHERE id = ?1");
  row.bind_int(1, study_id);
  if (!row.step()) throw connection.error(op, fmt::format("no study with id {}", study_id));
}

StudySummary summarize(SqliteConnection& connection, std::string_view op, StudyRecord study) {
  StudySummary summary;
  Statement counts(connection, op, "SELECT state, COUNT(*) FROM trials WHERE study_id = ?1 GROUP BY state");
  counts.bind_int(1, study.id);
  while (counts.step()) summary.counts[parse_trial_state(counts.text(0))] = counts.integer(1);

  // ?2 turns "largest first" into "smallest first"; ties go to the earliest trial.
  Statement best(connection, op, R"sql(
      SELECT number, value FROM trials
      WHERE study_id = ?1 AND state = 'COMPLETE' AND value IS NOT NULL
      ORDER BY value * ?2, number LIMIT 1)sql");
  best.bind_int(1, study.id).bind_int(2, study.direction == Direction::maximize ? -1 : 1);
  if (best.step()) {
    summary.best_trial = best.integer(0);
    summary.best_value = best.real(1);
  }
  summary.study = std::move(study);
  return summary;
}

TrialHead require_trial(SqliteConnection& connection, std::string_view op, std::int64_t trial_id) {
  Statement row(connection, op, R"sql(
      SELECT t.number, t.state, s.name FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = ?1)sql");
  row.bind_int(1, trial_id);
  if (!row.step()) throw connection.error(op, fmt::format("no trial with id {}", trial_id));
  return {row.integer(0), parse_trial_state(row.text(1)), row.text(2)};
}

std::int64_t next_trial_number(SqliteConnection& connection, std::string_view op, std::int64_t study_id) {
  Statement row(connection, op, "SELECT COALESCE(MAX(number), -1) + 1 FROM trials WHERE study_id = ?1");
  row.bind_int(1, study_id);
  row.step();
  return row.integer(0);
}

// Trials being loaded, with the lookup that attaches their details.
struct TrialSet {
  std::vector<TrialRecord> trials;
  std::unordered_map<std::int64_t, std::size_t> index_by_id;

  TrialRecord& by_id(std::int64_t id) { return trials[index_by_id.at(id)]; }
};

// The details queries select the same trials as load_trials(): ?1 is the
// study, ?2 the one trial number or NULL for all.
void load_intermediate_values(SqliteConnection& connection, std::string_view op, std::int64_t study_id,
                              std::optional<std::int64_t> number, TrialSet& set) {
  Statement rows(connection, op, R"sql(
      SELECT v.trial_id, v.step, v.name, v.value
      FROM intermediate_values v JOIN trials t ON t.id = v.trial_id
      WHERE t.study_id = ?1 AND (?2 IS NULL OR t.number = ?2) ORDER BY v.trial_id, v.step, v.name)sql");
  rows.bind_int(1, study_id).bind_optional_int(2, number);
  while (rows.step())
    set.by_id(rows.integer(0)).intermediate_values.push_back({rows.integer(1), rows.text(2), rows.real(3)});
}

void load_attributes(SqliteConnection& connection, std::string_view op, std::int64_t study_id,
                     std::optional<std::int64_t> number, TrialSet& set) {
  Statement rows(connection, op, R"sql(
      SELECT a.trial_id, a.key, a.value
      FROM trial_attributes a JOIN trials t ON t.id = a.trial_id
      WHERE t.study_id = ?1 AND (?2 IS NULL OR t.number = ?2))sql");
  rows.bind_int(1, study_id).bind_optional_int(2, number);
  while (rows.step()) set.by_id(rows.integer(0)).attributes[rows.text(1)] = rows.json(2);
}

void load_artifacts(SqliteConnection& connection, std::string_view op, std::int64_t study_id,
                    std::optional<std::int64_t> number, TrialSet& set) {
  Statement rows(connection, op, R"sql(
      SELECT a.trial_id, a.kind, a.path, a.created_at
      FROM artifacts a JOIN trials t ON t.id = a.trial_id
      WHERE t.study_id = ?1 AND (?2 IS NULL OR t.number = ?2) ORDER BY a.id)sql");
  rows.bind_int(1, study_id).bind_optional_int(2, number);
  while (rows.step()) set.by_id(rows.integer(0)).artifacts.push_back({rows.text(1), rows.text(2), rows.text(3)});
}

TrialRecord trial_from_row(const Statement& row, std::int64_t study_id) {
  TrialRecord trial;
  trial.id = row.integer(0);
  trial.study_id = study_id;
  trial.number = row.integer(1);
  trial.state = parse_trial_state(row.text(2));
  trial.params = row.json(3);
  trial.value = row.optional_real(4);
  trial.error = row.text(5);
  trial.started_at = row.text(6);
  trial.finished_at = row.text(7);
  trial.heartbeat_at = row.text(8);
  trial.seed = row.optional_integer(9);
  trial.plugins = row.json(10);
  trial.data_fingerprint = row.text(11);
  return trial;
}

// A study's trials in number order with all their details; `number` narrows
// to that one trial. Four queries however many trials there are.
std::vector<TrialRecord> load_trials(SqliteConnection& connection, std::string_view op, std::int64_t study_id,
                                     std::optional<std::int64_t> number) {
  TrialSet set;
  Statement rows(connection, op, R"sql(
      SELECT id, number, state, params, value, error, started_at, finished_at, heartbeat_at, seed, plugins,
             data_fingerprint
      FROM trials WHERE study_id = ?1 AND (?2 IS NULL OR number = ?2) ORDER BY number)sql");
  rows.bind_int(1, study_id).bind_optional_int(2, number);
  while (rows.step()) {
    set.index_by_id.emplace(rows.integer(0), set.trials.size());
    set.trials.push_back(trial_from_row(rows, study_id));
  }
  if (set.trials.empty()) return {};
  load_intermediate_values(connection, op, study_id, number, set);
  load_attributes(connection, op, study_id, number, set);
  load_artifacts(connection, op, study_id, number, set);
  return std::move(set.trials);
}

// Waiting queued trials of a study, oldest first; `limit` < 0: all.
std::vector<QueuedTrial> load_queued(SqliteConnection& connection, std::string_view op, std::int64_t study_id,
                                     std::int64_t limit) {
  Statement rows(connection, op, R"sql(
      SELECT id, params, origin, created_at FROM queued_trials
      WHERE study_id = ?1 AND trial_id IS NULL ORDER BY id LIMIT ?2)sql");
  rows.bind_int(1, study_id).bind_int(2, limit);
  std::vector<QueuedTrial> queued;
  while (rows.step()) queued.push_back({rows.integer(0), rows.json(1), rows.text(2), rows.text(3)});
  return queued;
}

QueuedTrial insert_queued(SqliteConnection& connection, std::string_view op, std::int64_t study_id,
                          const nlohmann::json& params, const std::string& origin) {
  QueuedTrial queued{.params = params, .origin = origin, .created_at = timestamp_utc()};
  Statement insert(connection, op,
                   "INSERT INTO queued_trials (study_id, params, origin, created_at) VALUES (?1, ?2, ?3, ?4)");
  insert.bind_int(1, study_id).bind_text(2, params.dump()).bind_text(3, origin).bind_text(4, queued.created_at).execute();
  queued.id = sqlite3_last_insert_rowid(connection.handle());
  return queued;
}

StoreError refused(SqliteConnection& connection, std::string_view why, std::string_view sql) {
  return connection.error("query refused", fmt::format("{} ({})", why, sql));
}

// Preparing a trailing statement only parses it; nothing runs.
void refuse_trailing_statements(SqliteConnection& connection, std::string_view op, std::string_view rest) {
  while (!trimmed(rest).empty()) {
    const auto before = rest.size();
    Statement next(connection, op, rest, &rest);
    if (next.prepared()) throw refused(connection, "only one statement is allowed", next.sql());
    if (rest.size() == before) return;
  }
}

QueryResult run_query(SqliteConnection& connection, std::string_view op, std::string_view sql) {
  std::string_view rest;
  Statement query(connection, op, sql, &rest);
  if (!query.prepared()) throw connection.error("query refused", "no SQL statement");
  refuse_trailing_statements(connection, op, rest);
  if (!sqlite3_stmt_readonly(query.get()))
    throw refused(connection, "only read-only statements are allowed", query.sql());

  QueryResult result;
  const int column_count = sqlite3_column_count(query.get());
  for (int column = 0; column < column_count; ++column)
    result.columns.emplace_back(sqlite3_column_name(query.get(), column));
  while (query.step()) {
    auto& row = result.rows.emplace_back();
    for (int column = 0; column < column_count; ++column) row.push_back(query.any(column));
  }
  return result;
}

}  // namespace

int SqliteStore::schema_version() { return static_cast<int>(kMigrations.size()); }

SqliteStore::SqliteStore(std::string path, bool read_only) : path_(std::move(path)) {
  std::error_code ignored;
  if (read_only && !std::filesystem::exists(path_, ignored)) throw StoreError("store not found: " + path_);
  connection_ = std::make_unique<SqliteConnection>(
      path_, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  auto& connection = *connection_;
  connection.retry_busy("open", [&] {
    // WAL is a property of the file, set by the first writer; readers inherit it.
    if (!read_only) connection.exec("open", "PRAGMA journal_mode = WAL");
    connection.exec("open", "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
  });
  check_schema_version(read_only);
}

SqliteStore::~SqliteStore() = default;

void SqliteStore::check_schema_version(bool read_only) {
  constexpr std::string_view op = "open";
  auto& connection = *connection_;
  const int found = connection.transact(op, TxKind::read, [&] { return read_user_version(connection, op); });
  if (auto problem = schema_version_problem(found, schema_version(), read_only)) throw connection.error(op, *problem);
  if (found < schema_version()) migrate();
}

void SqliteStore::migrate() {
  constexpr std::string_view op = "migrate schema";
  auto& connection = *connection_;
  // Other processes may be migrating the same file: each step reads the
  // version again inside its own write transaction.
  for (;;) {
    const bool stepped = connection.transact(op, TxKind::write, [&] {
      const int version = read_user_version(connection, op);
      if (version >= schema_version()) return false;
      connection.exec(op, kMigrations[static_cast<std::size_t>(version)]);
      connection.exec(op, fmt::format("PRAGMA user_version = {}", version + 1).c_str());
      return true;
    });
    if (!stepped) return;
  }
}

StudyRecord SqliteStore::get_or_create_study(const std::string& name, const std::string& experiment,
                                             const std::string& metric, Direction direction,
                                             const std::string& experiment_file) {
  constexpr std::string_view op = "create study";
  auto& connection = *connection_;
  return connection.transact(op, TxKind::write, [&] {
    if (auto existing = load_study(connection, op, name)) {
      if (existing->metric != metric || existing->direction != direction)
        throw connection.error(op, fmt::format("study '{}' exists with metric {} ({}), not {} ({})", name,
                                               existing->metric, to_string(existing->direction), metric,
                                               to_string(direction)));
      return *existing;
    }
    StudyRecord study{.name = name,
                      .experiment = experiment,
                      .experiment_hash = util::sha256_hex(experiment),
                      .metric = metric,
                      .direction = direction,
                      .created_at = timestamp_utc(),
                      .experiment_file = experiment_file};
    Statement insert(connection, op, R"sql(
        INSERT INTO studies (name, experiment, experiment_hash, metric, direction, created_at, experiment_file)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))sql");
    insert.bind_text(1, study.name)
        .bind_text(2, study.experiment)
        .bind_text(3, study.experiment_hash)
        .bind_text(4, study.metric)
        .bind_text(5, to_string(study.direction))
        .bind_text(6, study.created_at)
        .bind_text(7, study.experiment_file)
        .execute();
    study.id = sqlite3_last_insert_rowid(connection.handle());
    return study;
  });
}

std::optional<StudyRecord> SqliteStore::find_study(const std::string& name) {
  constexpr std::string_view op = "find study";
  return connection_->transact(op, TxKind::read, [&] { return load_study(*connection_, op, name); });
}

std::vector<StudySummary> SqliteStore::list_studies() {
  constexpr std::string_view op = "list studies";
  auto& connection = *connection_;
  return connection.transact(op, TxKind::read, [&] {
    std::vector<StudySummary> summaries;
    for (auto& study : load_studies(connection, op, std::nullopt))
      summaries.push_back(summarize(connection, op, std::move(study)));
    return summaries;
  });
}

void SqliteStore::set_study_attribute(std::int64_t study_id, const std::string& key, const nlohmann::json& value) {
  constexpr std::string_view op = "set study attribute";
  auto& connection = *connection_;
  connection.transact(op, TxKind::write, [&] {
    require_study(connection, op, study_id);
    Statement upsert(connection, op, R"sql(
        INSERT INTO study_attributes (study_id, key, value) VALUES (?1, ?2, ?3)
        ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value)sql");
    upsert.bind_int(1, study_id).bind_text(2, key).bind_text(3, value.dump()).execute();
  });
}

TrialRecord SqliteStore::create_trial(std::int64_t study_id, const PrepareTrial& prepare) {
  constexpr std::string_view op = "create trial";
  auto& connection = *connection_;
  return connection.transact(op, TxKind::write, [&] {
    require_study(connection, op, study_id);
    auto waiting = load_queued(connection, op, study_id, /*limit=*/1);
    std::optional<QueuedTrial> queued;
    if (!waiting.empty()) queued = std::move(waiting.front());
    const TrialInit init = prepare(load_trials(connection, op, study_id, std::nullopt), queued);
    const std::int64_t number = next_trial_number(connection, op, study_id);
    const std::string now = timestamp_utc();
    Statement insert(connection, op, R"sql(
        INSERT INTO trials (study_id, number, state, params, started_at, heartbeat_at, seed, plugins,
                            data_fingerprint)
        VALUES (?1, ?2, 'RUNNING', ?3, ?4, ?4, ?5, ?6, ?7))sql");
    insert.bind_int(1, study_id)
        .bind_int(2, number)
        .bind_text(3, init.params.dump())
        .bind_text(4, now)
        .bind_optional_int(5, init.seed)
        .bind_text(6, init.plugins.dump())
        .bind_optional_text(7, init.data_fingerprint)
        .execute();
    if (queued) {
      Statement take(connection, op, "UPDATE queued_trials SET trial_id = ?2 WHERE id = ?1");
      take.bind_int(1, queued->id).bind_int(2, sqlite3_last_insert_rowid(connection.handle())).execute();
    }
    return std::move(load_trials(connection, op, study_id, number).front());
  });
}

TrialRecord SqliteStore::insert_trial(std::int64_t study_id, const TrialRecord& trial) {
  constexpr std::string_view op = "insert trial";
  auto& connection = *connection_;
  // As if it ran here: a COMPLETE trial needs a finite value.
  const TrialHead head{trial.number, TrialState::running, fmt::format("#{}", study_id)};
  if (auto problem = finish_problem(head, trial.state, trial.value)) throw connection.error(op, *problem);
  return connection.transact(op, TxKind::write, [&] {
    require_study(connection, op, study_id);
    const std::int64_t number = next_trial_number(connection, op, study_id);
    Statement insert(connection, op, R"sql(
        INSERT INTO trials (study_id, number, state, params, value, error, started_at, finished_at, heartbeat_at,
                            seed, plugins, data_fingerprint)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12))sql");
    insert.bind_int(1, study_id)
        .bind_int(2, number)
        .bind_text(3, to_string(trial.state))
        .bind_text(4, trial.params.dump())
        .bind_optional_real(5, trial.value)
        .bind_optional_text(6, trial.error)
        .bind_text(7, trial.started_at.empty() ? timestamp_utc() : trial.started_at)
        .bind_optional_text(8, trial.finished_at)
        .bind_optional_text(9, trial.heartbeat_at)
        .bind_optional_int(10, trial.seed)
        .bind_text(11, trial.plugins.dump())
        .bind_optional_text(12, trial.data_fingerprint)
        .execute();
    const std::int64_t trial_id = sqlite3_last_insert_rowid(connection.handle());
    Statement value(connection, op, "INSERT INTO intermediate_values (trial_id, step, name, value) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& v : trial.intermediate_values)
      value.bind_int(1, trial_id).bind_int(2, v.step).bind_text(3, v.name).bind_real(4, v.value).execute();
    Statement attribute(connection, op, "INSERT INTO trial_attributes (trial_id, key, value) VALUES (?1, ?2, ?3)");
    for (const auto& [key, json] : trial.attributes.items())
      attribute.bind_int(1, trial_id).bind_text(2, key).bind_text(3, json.dump()).execute();
    Statement artifact(connection, op,
                       "INSERT INTO artifacts (trial_id, kind, path, created_at) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& a : trial.artifacts)
      artifact.bind_int(1, trial_id)
          .bind_text(2, a.kind)
          .bind_text(3, a.path)
          .bind_text(4, a.created_at.empty() ? timestamp_utc() : a.created_at)
          .execute();
    return std::move(load_trials(connection, op, study_id, number).front());
  });
}

QueuedTrial SqliteStore::enqueue_trial(std::int64_t study_id, const nlohmann::json& params, const std::string& origin) {
  constexpr std::string_view op = "enqueue trial";
  auto& connection = *connection_;
  return connection.transact(op, TxKind::write, [&] {
    require_study(connection, op, study_id);
    return insert_queued(connection, op, study_id, params, origin);
  });
}

std::vector<QueuedTrial> SqliteStore::queued_trials(std::int64_t study_id) {
  constexpr std::string_view op = "read queued trials";
  return connection_->transact(op, TxKind::read, [&] { return load_queued(*connection_, op, study_id, -1); });
}

std::vector<std::int64_t> SqliteStore::fail_stale_trials(std::int64_t study_id, std::chrono::milliseconds timeout,
                                                         bool requeue) {
  constexpr std::string_view op = "fail stale trials";
  auto& connection = *connection_;
  return connection.transact(op, TxKind::write, [&] {
    Statement stale(connection, op, R"sql(
        SELECT id, number, params, heartbeat_at FROM trials
        WHERE study_id = ?1 AND state = 'RUNNING' AND heartbeat_at < ?2 ORDER BY number)sql");
    stale.bind_int(1, study_id).bind_text(2, timestamp_utc(timeout));
    struct Lost {
      std::int64_t id, number;
      nlohmann::json params;
      std::string heartbeat_at;
    };
    std::vector<Lost> lost;
    while (stale.step()) lost.push_back({stale.integer(0), stale.integer(1), stale.json(2), stale.text(3)});
    std::vector<std::int64_t> numbers;
    const std::string now = timestamp_utc();
    for (const auto& trial : lost) {
      Statement fail(connection, op, R"sql(
          UPDATE trials SET state = 'FAILED', error = ?2, finished_at = ?3 WHERE id = ?1)sql");
      fail.bind_int(1, trial.id)
          .bind_text(2, fmt::format("worker lost: no heartbeat since {} (timeout {} s)", trial.heartbeat_at,
                                    static_cast<double>(timeout.count()) / 1000.0))
          .bind_text(3, now)
          .execute();
      if (requeue) {
        insert_queued(connection, op, study_id, trial.params, fmt::format("retry of trial {}", trial.number));
        Statement mark(connection, op, R"sql(
            INSERT INTO trial_attributes (trial_id, key, value) VALUES (?1, 'requeued', 'true')
            ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value)sql");
        mark.bind_int(1, trial.id).execute();
      }
      numbers.push_back(trial.number);
    }
    return numbers;
  });
}

// Values describe a run in progress, so only a RUNNING trial takes them; each
// report is also a sign of life.
void SqliteStore::report_intermediate(std::int64_t trial_id, std::int64_t step,
                                      const std::vector<std::pair<std::string, double>>& values) {
  constexpr std::string_view op = "report intermediate values";
  auto& connection = *connection_;
  connection.transact(op, TxKind::write, [&] {
    const TrialHead head = require_trial(connection, op, trial_id);
    if (auto problem = report_problem(head)) throw connection.error(op, *problem);
    Statement insert(connection, op, R"sql(
        INSERT INTO intermediate_values (trial_id, step, name, value) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (trial_id, step, name) DO UPDATE SET value = excluded.value)sql");
    for (const auto& [name, value] : values)
      insert.bind_int(1, trial_id).bind_int(2, step).bind_text(3, name).bind_real(4, value).execute();
    Statement touch(connection, op, "UPDATE trials SET heartbeat_at = ?2 WHERE id = ?1");
    touch.bind_int(1, trial_id).bind_text(2, timestamp_utc()).execute();
  });
}

// A finished trial keeps its last heartbeat, so a heartbeat that races
// finish_trial() is harmless.
void SqliteStore::heartbeat(std::int64_t trial_id) {
  constexpr std::string_view op = "heartbeat";
  auto& connection = *connection_;
  connection.transact(op, TxKind::write, [&] {
    require_trial(connection, op, trial_id);
    Statement touch(connection, op, "UPDATE trials SET heartbeat_at = ?2 WHERE id = ?1 AND state = 'RUNNING'");
    touch.bind_int(1, trial_id).bind_text(2, timestamp_utc()).execute();
  });
}

// Attributes and artifacts may arrive after a trial finished (a model saved
// once the value is known), so they do not check the trial's state.
void SqliteStore::set_attribute(std::int64_t trial_id, const std::string& key, const nlohmann::json& value) {
  constexpr std::string_view op = "set attribute";
  auto& connection = *connection_;
  connection.transact(op, TxKind::write, [&] {
    require_trial(connection, op, trial_id);
    Statement upsert(connection, op, R"sql(
        INSERT INTO trial_attributes (trial_id, key, value) VALUES (?1, ?2, ?3)
        ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value)sql");
    upsert.bind_int(1, trial_id).bind_text(2, key).bind_text(3, value.dump()).execute();
  });
}

void SqliteStore::add_artifact(std::int64_t trial_id, const std::string& kind, const std::string& path) {
  constexpr std::string_view op = "add artifact";
  auto& connection = *connection_;
  connection.transact(op, TxKind::write, [&] {
    require_trial(connection, op, trial_id);
    Statement insert(connection, op,
                     "INSERT INTO artifacts (trial_id, kind, path, created_at) VALUES (?1, ?2, ?3, ?4)");
    insert.bind_int(1, trial_id).bind_text(2, kind).bind_text(3, path).bind_text(4, timestamp_utc()).execute();
  });
}

void SqliteStore::finish_trial(std::int64_t trial_id, TrialState state, std::optional<double> value,
                               const std::string& error) {
  constexpr std::string_view op = "finish trial";
  auto& connection = *connection_;
  if (state == TrialState::running) throw connection.error(op, "a trial cannot be finished as RUNNING");
  connection.transact(op, TxKind::write, [&] {
    const TrialHead head = require_trial(connection, op, trial_id);
    if (auto problem = finish_problem(head, state, value)) throw connection.error(op, *problem);
    const std::string now = timestamp_utc();
    Statement update(connection, op, R"sql(
        UPDATE trials SET state = ?2, value = ?3, error = ?4, finished_at = ?5, heartbeat_at = ?5
        WHERE id = ?1)sql");
    update.bind_int(1, trial_id)
        .bind_text(2, to_string(state))
        .bind_optional_real(3, value)
        .bind_optional_text(4, error)
        .bind_text(5, now)
        .execute();
  });
}

std::vector<TrialRecord> SqliteStore::trials(std::int64_t study_id) {
  constexpr std::string_view op = "read trials";
  return connection_->transact(op, TxKind::read,
                               [&] { return load_trials(*connection_, op, study_id, std::nullopt); });
}

std::optional<TrialRecord> SqliteStore::trial(std::int64_t study_id, std::int64_t number) {
  constexpr std::string_view op = "read trial";
  return connection_->transact(op, TxKind::read, [&]() -> std::optional<TrialRecord> {
    auto found = load_trials(*connection_, op, study_id, number);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  });
}

SqliteConnection& SqliteStore::query_connection() {
  if (!query_connection_) {
    query_connection_ = std::make_unique<SqliteConnection>(path_, SQLITE_OPEN_READONLY);
    query_connection_->exec("open for queries", "PRAGMA query_only = ON");
    // An attached database would be a second file that user SQL could reach.
    sqlite3_limit(query_connection_->handle(), SQLITE_LIMIT_ATTACHED, 0);
  }
  return *query_connection_;
}

QueryResult SqliteStore::query_readonly(const std::string& sql) {
  constexpr std::string_view op = "query";
  auto& connection = query_connection();
  return connection.retry_busy(op, [&] {
    auto result = run_query(connection, op, sql);
    // BEGIN counts as read-only; a transaction left open would pin an old snapshot.
    if (!sqlite3_get_autocommit(connection.handle())) connection.exec(op, "ROLLBACK");
    return result;
  });
}

}  // namespace bertlab::store
