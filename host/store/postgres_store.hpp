// The PostgreSQL backend of the trial store, for workers on several machines
// sharing one study: `--store postgresql://USER@HOST:PORT/DB`. The same
// tables as the SQLite store (timestamps and JSON as the same text, so both
// answer queries alike), migrated in the same steps under an advisory lock.
//
// Concurrency: create_trial() locks the study's row (SELECT ... FOR UPDATE)
// for its transaction, so trial numbers are unique and gap-free and two
// workers never ask the searcher from the same history; the queued trial it
// takes is locked with FOR UPDATE SKIP LOCKED. A serialization failure or
// deadlock reruns the transaction.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace bertlab::store {

class PgConnection;

class PostgresStore final : public Store {
 public:
  // The schema version this code creates and reads (the SQLite store's).
  static int schema_version();

  // Connects to `url`; `read_only` never creates, migrates or writes.
  PostgresStore(const std::string& url, bool read_only);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  const std::string& location() const override;

  StudyRecord get_or_create_study(const std::string& name, const std::string& experiment,
                                  const std::string& metric, Direction direction,
                                  const std::string& experiment_file = "") override;
  std::optional<StudyRecord> find_study(const std::string& name) override;
  std::vector<StudySummary> list_studies() override;
  void set_study_attribute(std::int64_t study_id, const std::string& key, const nlohmann::json& value) override;

  TrialRecord create_trial(std::int64_t study_id, const PrepareTrial& prepare) override;
  TrialRecord insert_trial(std::int64_t study_id, const TrialRecord& trial) override;
  QueuedTrial enqueue_trial(std::int64_t study_id, const nlohmann::json& params, const std::string& origin) override;
  std::vector<QueuedTrial> queued_trials(std::int64_t study_id) override;
  std::vector<std::int64_t> fail_stale_trials(std::int64_t study_id, std::chrono::milliseconds timeout,
                                              bool requeue) override;
  void report_intermediate(std::int64_t trial_id, std::int64_t step,
                           const std::vector<std::pair<std::string, double>>& values) override;
  void heartbeat(std::int64_t trial_id) override;
  void set_attribute(std::int64_t trial_id, const std::string& key, const nlohmann::json& value) override;
  void add_artifact(std::int64_t trial_id, const std::string& kind, const std::string& path) override;
  void finish_trial(std::int64_t trial_id, TrialState state, std::optional<double> value,
                    const std::string& error) override;

  std::vector<TrialRecord> trials(std::int64_t study_id) override;
  std::optional<TrialRecord> trial(std::int64_t study_id, std::int64_t number) override;

  QueryResult query_readonly(const std::string& sql) override;

 private:
  void check_schema_version(bool read_only);
  void migrate();

  std::unique_ptr<PgConnection> connection_;
};

}  // namespace bertlab::store
