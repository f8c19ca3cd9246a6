// The SQLite backend of the trial store: one file shared by every process on
// a machine. WAL mode lets readers (`bertlab history`) run next to writers,
// which take turns on short BEGIN IMMEDIATE transactions. Each logical write
// is one transaction, so a process killed at any point leaves the file
// consistent.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace bertlab::store {

class SqliteConnection;

class SqliteStore final : public Store {
 public:
  // The schema version (PRAGMA user_version) this code creates and reads.
  static int schema_version();

  // Opens `path`; `read_only` never creates, migrates or writes the file.
  SqliteStore(std::string path, bool read_only);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& location() const override { return path_; }

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
  SqliteConnection& query_connection();

  std::string path_;
  std::unique_ptr<SqliteConnection> connection_;
  // Opened on the first query_readonly(): user SQL never runs on a connection that can write.
  std::unique_ptr<SqliteConnection> query_connection_;
};

}  // namespace bertlab::store
