// The trial store: every study, trial, intermediate value, attribute and
// artifact of bertlab's history. Callers see only this interface; SQLite is
// the embedded backend (sqlite_store.cpp), PostgreSQL the one for workers on
// several machines (postgres_store.cpp); open_store() picks by location.
//
// Concurrency: several processes may use one store at once. Each write is one
// short transaction; create_trial() numbers trials inside the transaction
// that inserts them, so numbers are unique and gap-free per study.
// Errors: every failure throws StoreError with the database path and the
// operation that failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bertlab/study.hpp"

namespace bertlab::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StudyRecord {
  std::int64_t id = 0;
  std::string name;
  std::string experiment;       // the experiment file's text, as run
  std::string experiment_hash;  // sha256 hex of `experiment`
  std::string metric;
  Direction direction = Direction::maximize;
  std::string created_at;  // ISO 8601 UTC
  std::string experiment_file;  // where `experiment` was read from: its relative paths resolve against its folder
  nlohmann::json attributes = nlohmann::json::object();  // free-form facts about the study (an import's origin, ...)
};

struct StudySummary {
  StudyRecord study;
  std::map<TrialState, std::int64_t> counts;  // trials per state
  std::optional<double> best_value;           // best COMPLETE value in the study's direction
  std::optional<std::int64_t> best_trial;     // its number
};

struct IntermediateValue {
  std::int64_t step = 0;
  std::string name;  // the metric's name ("eval_accuracy", "train_loss", ...)
  double value = 0.0;
};

struct Artifact {
  std::string kind;  // "model", ...
  std::string path;
  std::string created_at;
};

struct TrialRecord {
  std::int64_t id = 0;  // store-wide id
  std::int64_t study_id = 0;
  std::int64_t number = 0;  // 0-based within the study
  TrialState state = TrialState::running;
  nlohmann::json params = nlohmann::json::object();
  std::optional<double> value;
  std::string error;  // reason, for FAILED (and PRUNED) trials
  std::string started_at;
  std::string finished_at;  // empty while running
  std::string heartbeat_at;
  std::optional<std::int64_t> seed;
  nlohmann::json plugins = nlohmann::json::object();  // {"kind/name": "version"}
  std::string data_fingerprint;
  std::vector<IntermediateValue> intermediate_values;  // by step, then name
  nlohmann::json attributes = nlohmann::json::object();
  std::vector<Artifact> artifacts;
};

// What a new trial starts with; `params` may be filled by the callback of
// create_trial, which runs inside the inserting transaction.
struct TrialInit {
  nlohmann::json params = nlohmann::json::object();
  std::optional<std::int64_t> seed;
  nlohmann::json plugins = nlohmann::json::object();
  std::string data_fingerprint;
};

// A trial waiting to run with fixed params: queued by `bertlab enqueue`, or
// a lost trial's params queued again (retry_failed). create_trial() hands the
// oldest waiting one to its `prepare` callback, and the trial it creates takes
// it in the same transaction, so each queued trial runs exactly once.
struct QueuedTrial {
  std::int64_t id = 0;
  nlohmann::json params = nlohmann::json::object();
  std::string origin;  // "enqueue", "retry of trial 7"
  std::string created_at;
};

// Rows of a read-only query: column names, then each row's values as JSON
// (null, integer, real or string; blobs as hex strings).
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
};

class Store {
 public:
  virtual ~Store() = default;

  // Where the store lives, for messages.
  virtual const std::string& location() const = 0;

  // Returns the study of that name, creating it when it does not exist.
  // An existing study keeps its metric and direction; a mismatch throws.
  // `experiment_file` (recorded with a new study) lets a worker in another
  // process resolve the experiment's relative paths.
  virtual StudyRecord get_or_create_study(const std::string& name, const std::string& experiment,
                                          const std::string& metric, Direction direction,
                                          const std::string& experiment_file = "") = 0;
  virtual std::optional<StudyRecord> find_study(const std::string& name) = 0;
  virtual std::vector<StudySummary> list_studies() = 0;
  virtual void set_study_attribute(std::int64_t study_id, const std::string& key, const nlohmann::json& value) = 0;

  // Inserts a RUNNING trial numbered one past the study's highest. `prepare`
  // runs inside the write transaction, after the study's existing trials and
  // its oldest waiting queued trial (if any) are read and before the insert:
  // a searcher's ask() goes there, so that two processes never propose from
  // the same history. When `queued` is given, the new trial takes it (its
  // params should be the queued ones). `prepare` may throw; then nothing is
  // written and the queue is untouched. Returns the new trial.
  using PrepareTrial = std::function<TrialInit(const std::vector<TrialRecord>& existing,
                                               const std::optional<QueuedTrial>& queued)>;
  virtual TrialRecord create_trial(std::int64_t study_id, const PrepareTrial& prepare) = 0;

  // Adds a trial recorded elsewhere (`bertlab store copy`, an import from
  // Optuna) as it stands: state, params, value, error, times, seed, plugins,
  // fingerprint, intermediate values, attributes and artifacts, all in one
  // transaction. It is numbered one past the study's highest, like
  // create_trial(), so copying a study's trials in order keeps their
  // numbers. Returns the trial as stored.
  virtual TrialRecord insert_trial(std::int64_t study_id, const TrialRecord& trial) = 0;

  // Queues a trial with fixed params; the next create_trial() of the study takes it first.
  virtual QueuedTrial enqueue_trial(std::int64_t study_id, const nlohmann::json& params, const std::string& origin) = 0;
  // Queued trials not yet taken, oldest first.
  virtual std::vector<QueuedTrial> queued_trials(std::int64_t study_id) = 0;

  // Marks FAILED ("worker lost: ...") every RUNNING trial of the study whose
  // heartbeat is older than `timeout`: the process running it died. With
  // `requeue`, each one's params are queued again (origin "retry of trial
  // N") and the trial gets the attribute `requeued` = true, in the same
  // transaction. Returns the numbers of the trials it failed.
  virtual std::vector<std::int64_t> fail_stale_trials(std::int64_t study_id, std::chrono::milliseconds timeout,
                                                      bool requeue) = 0;

  virtual void report_intermediate(std::int64_t trial_id, std::int64_t step,
                                   const std::vector<std::pair<std::string, double>>& values) = 0;
  virtual void heartbeat(std::int64_t trial_id) = 0;
  virtual void set_attribute(std::int64_t trial_id, const std::string& key, const nlohmann::json& value) = 0;
  virtual void add_artifact(std::int64_t trial_id, const std::string& kind, const std::string& path) = 0;
  // Ends a trial: COMPLETE (with value), PRUNED (value = best so far, if
  // any) or FAILED (error says why). Finishing a finished trial throws.
  virtual void finish_trial(std::int64_t trial_id, TrialState state, std::optional<double> value,
                            const std::string& error) = 0;

  // Trials of a study in number order, with intermediate values, attributes
  // and artifacts.
  virtual std::vector<TrialRecord> trials(std::int64_t study_id) = 0;
  virtual std::optional<TrialRecord> trial(std::int64_t study_id, std::int64_t number) = 0;

  // Runs one SQL statement on a read-only connection; anything that would
  // write fails with StoreError.
  virtual QueryResult query_readonly(const std::string& sql) = 0;
};

// Opens (creating and migrating as needed) the store at `location`: a path
// to an SQLite file, or postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (also
// postgres://) for a PostgreSQL database. Read-only stores are opened with
// `read_only`, which never creates or migrates.
std::unique_ptr<Store> open_store(const std::string& location, bool read_only = false);

std::string to_string(Direction direction);
Direction parse_direction(const std::string& text);  // "maximize" | "minimize"; throws StoreError
TrialState parse_trial_state(const std::string& text);  // "RUNNING" | ...; throws StoreError

}  // namespace bertlab::store
