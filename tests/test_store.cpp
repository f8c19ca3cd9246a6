// The trial store: schema versions, round trips, numbering, several writer
// processes at once, a writer killed inside a transaction, the queue, and
// the read-only query path. The behaviour every backend shares runs on
// SQLite and on a real PostgreSQL server (tests/postgres_server.hpp) alike.
// Writer processes are tests/store_writer.cpp.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "postgres_server.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"
#include "support.hpp"
#include "util/sha256.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using bertlab::Direction;
using bertlab::TrialState;
using namespace bertlab::store;

// Raw SQLite on a connection of the test's own, to see the file as it is.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // The first column of the first row, as text.
  std::string value(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) == SQLITE_OK);
    std::string text;
    if (sqlite3_step(statement) == SQLITE_ROW) text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    return text;
  }
  void exec(const char* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }

 private:
  sqlite3* db_ = nullptr;
};

// The backends the shared tests run on: where a new, empty store lives, and
// the backend's own consistency check after processes were killed.
struct Sqlite {
  static std::string new_store(const bertlab::test::ScratchDir& dir) { return (dir / "trials.db").string(); }
  static void check_integrity(const std::string& location) {
    CHECK(RawDb(location).value("PRAGMA integrity_check") == "ok");
  }
};
struct Postgres {
  static std::string new_store(const bertlab::test::ScratchDir&) {
    return bertlab::test::postgres_server().new_database();
  }
  static void check_integrity(const std::string&) {}  // the server's: a killed client's transaction is rolled back
};

// The message of the StoreError that `action` throws.
std::string error_of(const std::function<void()>& action) {
  std::string message;
  try {
    action();
  } catch (const StoreError& e) {
    message = e.what();
  }
  CHECK_MESSAGE(!message.empty(), "expected a StoreError");
  return message;
}

TrialInit with_params(nlohmann::json params) {
  TrialInit init;
  init.params = std::move(params);
  return init;
}

TrialRecord new_trial(Store& store, std::int64_t study_id) {
  return store.create_trial(study_id, [](const std::vector<TrialRecord>&, const std::optional<QueuedTrial>&) { return TrialInit{}; });
}

// Starts tests/store_writer with `args`; its stdout goes to `stdout_fd` when given.
pid_t spawn_writer(const std::vector<std::string>& args, int stdout_fd = -1) {
  std::vector<char*> argv{const_cast<char*>(BERTLAB_STORE_WRITER)};
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, BERTLAB_STORE_WRITER, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(rc == 0, "posix_spawn " << BERTLAB_STORE_WRITER << ": " << std::strerror(rc));
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

// Reads `fd` until `text` has arrived; false when the writer closed it first.
bool read_until(int fd, std::string_view text) {
  std::string received;
  char buffer[256];
  while (received.find(text) == std::string::npos) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) return false;
    received.append(buffer, static_cast<std::size_t>(got));
  }
  return true;
}

}  // namespace

TYPE_TO_STRING(Sqlite);
TYPE_TO_STRING(Postgres);

TEST_CASE("sha256_hex matches the FIPS 180-2 test vectors") {
  using bertlab::util::sha256_hex;
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits the first block.
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1'000'000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("a new store has the current schema version and reopening it changes nothing") {
  bertlab::test::ScratchDir dir;
  const auto path = (dir / "trials.db").string();
  open_store(path)->get_or_create_study("s", "exp", "accuracy", Direction::maximize);
  const auto version = std::to_string(SqliteStore::schema_version());
  CHECK(RawDb(path).value("PRAGMA user_version") == version);
  CHECK(RawDb(path).value("PRAGMA journal_mode") == "wal");
  const auto schema = RawDb(path).value("SELECT group_concat(sql, ';') FROM sqlite_schema");

  auto reopened = open_store(path);
  CHECK(RawDb(path).value("PRAGMA user_version") == version);
  CHECK(RawDb(path).value("SELECT group_concat(sql, ';') FROM sqlite_schema") == schema);
  CHECK(reopened->find_study("s").has_value());
  CHECK(open_store(path, /*read_only=*/true)->find_study("s").has_value());
}

TEST_CASE("a store from a newer bertlab is refused, naming both versions") {
  bertlab::test::ScratchDir dir;
  const auto path = (dir / "trials.db").string();
  open_store(path);
  const int future = SqliteStore::schema_version() + 1;
  RawDb(path).exec(fmt::format("PRAGMA user_version = {}", future).c_str());

  for (bool read_only : {false, true}) {
    const auto message = error_of([&] { open_store(path, read_only); });
    CHECK(message.find(path) != std::string::npos);
    CHECK(message.find(fmt::format("schema version {}", future)) != std::string::npos);
    CHECK(message.find(fmt::format("version {}", SqliteStore::schema_version())) != std::string::npos);
  }
  CHECK(RawDb(path).value("PRAGMA user_version") == std::to_string(future));
}

TEST_CASE("a read-only open never creates the store") {
  bertlab::test::ScratchDir dir;
  const auto path = (dir / "missing.db").string();
  CHECK(error_of([&] { open_store(path, /*read_only=*/true); }) == "store not found: " + path);
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE_TEMPLATE("studies, trials and their details round-trip", Backend, Sqlite, Postgres) {
  bertlab::test::ScratchDir dir;
  const std::string location = Backend::new_store(dir);
  auto store = open_store(location);
  const auto study = store->get_or_create_study("s1", "model = 'bert'\n", "accuracy", Direction::maximize);
  CHECK(study.id > 0);
  CHECK(study.experiment == "model = 'bert'\n");
  CHECK(study.experiment_hash == bertlab::util::sha256_hex("model = 'bert'\n"));
  CHECK(study.created_at.size() == std::string_view("2026-11-25T12:00:00.123Z").size());
  CHECK(study.created_at.back() == 'Z');

  SUBCASE("an existing study is returned, and must keep its metric and direction") {
    CHECK(store->get_or_create_study("s1", "changed", "accuracy", Direction::maximize).id == study.id);
    CHECK(store->find_study("s1")->experiment_hash == study.experiment_hash);
    CHECK_FALSE(store->find_study("s2").has_value());
    CHECK(error_of([&] { store->get_or_create_study("s1", "", "loss", Direction::minimize); })
              .find("study 's1' exists with metric accuracy (maximize), not loss (minimize)") != std::string::npos);
  }

  SUBCASE("a trial keeps everything written to it") {
    const auto created = store->create_trial(study.id, [](const std::vector<TrialRecord>& existing, const std::optional<QueuedTrial>&) {
      CHECK(existing.empty());
      TrialInit init = with_params({{"lr", 3e-5}, {"layers", 12}, {"optimizer", "adamw"}});
      init.seed = 42;
      init.plugins = {{"searcher/random", "1.0.0"}};
      init.data_fingerprint = "abc123";
      return init;
    });
    CHECK(created.number == 0);
    CHECK(created.state == TrialState::running);
    CHECK(created.started_at == created.heartbeat_at);
    CHECK(created.finished_at.empty());

    store->report_intermediate(created.id, 1, {{"train_loss", 0.7}, {"accuracy", 0.6}});
    store->report_intermediate(created.id, 0, {{"accuracy", 0.5}, {"train_loss", std::nan("")}});
    store->set_attribute(created.id, "device", "cpu");
    store->set_attribute(created.id, "device", "cuda:0");
    store->set_attribute(created.id, "timings", {{"epoch", 1.5}});
    store->add_artifact(created.id, "model", "models/0");
    store->heartbeat(created.id);
    store->finish_trial(created.id, TrialState::complete, 0.875, "");

    const auto trial = store->trial(study.id, 0);
    REQUIRE(trial.has_value());
    CHECK(trial->id == created.id);
    CHECK(trial->study_id == study.id);
    CHECK(trial->state == TrialState::complete);
    CHECK(trial->params == nlohmann::json({{"lr", 3e-5}, {"layers", 12}, {"optimizer", "adamw"}}));
    CHECK(trial->params["layers"].is_number_integer());
    CHECK(trial->value == 0.875);
    CHECK(trial->error.empty());
    CHECK(trial->started_at == created.started_at);
    CHECK_FALSE(trial->finished_at.empty());
    CHECK(trial->seed == 42);
    CHECK(trial->plugins == nlohmann::json({{"searcher/random", "1.0.0"}}));
    CHECK(trial->data_fingerprint == "abc123");
    REQUIRE(trial->intermediate_values.size() == 4);
    CHECK(trial->intermediate_values[0].step == 0);
    CHECK(trial->intermediate_values[0].name == "accuracy");
    CHECK(trial->intermediate_values[0].value == 0.5);
    CHECK(std::isnan(trial->intermediate_values[1].value));  // stored as NULL
    CHECK(trial->intermediate_values[3].name == "train_loss");
    CHECK(trial->intermediate_values[3].value == 0.7);
    CHECK(trial->attributes == nlohmann::json({{"device", "cuda:0"}, {"timings", {{"epoch", 1.5}}}}));
    REQUIRE(trial->artifacts.size() == 1);
    CHECK(trial->artifacts[0].kind == "model");
    CHECK(trial->artifacts[0].path == "models/0");
    CHECK_FALSE(trial->artifacts[0].created_at.empty());
    CHECK_FALSE(store->trial(study.id, 1).has_value());
  }

  SUBCASE("a trial is finished once, from RUNNING, with a finite value when COMPLETE") {
    const auto trial = new_trial(*store, study.id);
    CHECK(error_of([&] { store->finish_trial(trial.id, TrialState::complete, std::nullopt, ""); })
              .find("needs a value") != std::string::npos);
    CHECK(error_of([&] { store->finish_trial(trial.id, TrialState::complete, INFINITY, ""); })
              .find("not finite") != std::string::npos);
    CHECK(store->trial(study.id, 0)->state == TrialState::running);

    store->finish_trial(trial.id, TrialState::failed, std::nullopt, "out of memory");
    const auto again = error_of([&] { store->finish_trial(trial.id, TrialState::complete, 1.0, ""); });
    CHECK(again.find("finish trial: trial 0 of study s1 is already FAILED") != std::string::npos);
    CHECK(error_of([&] { store->report_intermediate(trial.id, 0, {{"accuracy", 0.5}}); })
              .find("already FAILED") != std::string::npos);
    const auto failed = store->trial(study.id, 0);
    CHECK(failed->state == TrialState::failed);
    CHECK(failed->error == "out of memory");
    CHECK_FALSE(failed->value.has_value());
    CHECK(error_of([&] { store->heartbeat(12345); }).find("no trial with id 12345") != std::string::npos);
  }

  SUBCASE("numbers count 0, 1, 2 per study, and a failed prepare leaves no trial and no gap") {
    const auto other = store->get_or_create_study("s2", "exp", "loss", Direction::minimize);
    CHECK(new_trial(*store, study.id).number == 0);
    CHECK(new_trial(*store, study.id).number == 1);
    CHECK(new_trial(*store, other.id).number == 0);

    const auto exhausted = [](const std::vector<TrialRecord>& existing, const std::optional<QueuedTrial>&) -> TrialInit {
      CHECK(existing.size() == 2);
      throw std::runtime_error("search space exhausted");
    };
    CHECK_THROWS_WITH(store->create_trial(study.id, exhausted), "search space exhausted");
    CHECK(store->trials(study.id).size() == 2);

    const auto third = store->create_trial(study.id, [](const std::vector<TrialRecord>& existing, const std::optional<QueuedTrial>&) {
      return with_params({{"after", existing.back().number}});
    });
    CHECK(third.number == 2);
    CHECK(third.params == nlohmann::json({{"after", 1}}));
    CHECK(error_of([&] { new_trial(*store, 999); }).find("no study with id 999") != std::string::npos);
  }

  SUBCASE("list_studies counts states and finds the best value in the study's direction") {
    const auto minimizing = store->get_or_create_study("s2", "exp", "loss", Direction::minimize);
    for (double value : {0.3, 0.9, 0.6}) {
      store->finish_trial(new_trial(*store, study.id).id, TrialState::complete, value, "");
      store->finish_trial(new_trial(*store, minimizing.id).id, TrialState::complete, value, "");
    }
    new_trial(*store, study.id);
    store->finish_trial(new_trial(*store, study.id).id, TrialState::pruned, 5.0, "pruned at step 1");

    const auto summaries = store->list_studies();
    REQUIRE(summaries.size() == 2);
    CHECK(summaries[0].study.name == "s1");
    const std::map<TrialState, std::int64_t> expected_counts{
        {TrialState::running, 1}, {TrialState::complete, 3}, {TrialState::pruned, 1}};
    CHECK(summaries[0].counts == expected_counts);
    CHECK(summaries[0].best_value == 0.9);
    CHECK(summaries[0].best_trial == 1);
    CHECK(summaries[1].best_value == 0.3);
    CHECK(summaries[1].best_trial == 0);
  }
}

TEST_CASE_TEMPLATE("four processes writing at once get unique, gap-free trial numbers", Backend, Sqlite, Postgres) {
  bertlab::test::ScratchDir dir;
  const std::string path = Backend::new_store(dir);
  open_store(path);  // created (and migrated) before the writers race for it
  constexpr int kWriters = 4;
  constexpr int kTrialsEach = 250;

  std::vector<pid_t> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.push_back(spawn_writer({path, "shared", std::to_string(kTrialsEach)}));
  for (pid_t pid : writers) {
    const int status = wait_status(pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  auto store = open_store(path, /*read_only=*/true);
  const auto study = store->find_study("shared");
  REQUIRE(study.has_value());
  const auto trials = store->trials(study->id);
  REQUIRE(trials.size() == kWriters * kTrialsEach);

  std::vector<std::int64_t> numbers, expected(trials.size());
  std::map<std::int64_t, int> trials_per_writer;
  for (const auto& trial : trials) {
    numbers.push_back(trial.number);
    ++trials_per_writer[trial.params.at("writer").get<std::int64_t>()];
  }
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(numbers == expected);
  CHECK(trials_per_writer.size() == kWriters);
  for (const auto& [writer, count] : trials_per_writer) CHECK(count == kTrialsEach);
  CHECK(std::all_of(trials.begin(), trials.end(), [](const TrialRecord& trial) {
    return trial.state == TrialState::complete && trial.value.has_value() && trial.intermediate_values.size() == 3 &&
           trial.attributes.contains("writer") && trial.artifacts.size() == 1;
  }));
  Backend::check_integrity(path);
}

TEST_CASE_TEMPLATE("a reader sees whole trials while processes add them", Backend, Sqlite, Postgres) {
  // The dashboard reads a study while workers write it: each read must be
  // one snapshot, never a trial's values without the trial.
  bertlab::test::ScratchDir dir;
  const std::string path = Backend::new_store(dir);
  const auto study = open_store(path)->get_or_create_study("shared", "exp", "accuracy", Direction::maximize);
  std::vector<pid_t> writers{spawn_writer({path, "shared", "150"}), spawn_writer({path, "shared", "150"})};
  auto reader = open_store(path, /*read_only=*/true);
  int reads = 0;
  std::size_t seen = 0;
  auto writing = [&] {
    for (pid_t& pid : writers) {
      int status = 0;
      if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid) {
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        pid = 0;
      }
    }
    return std::any_of(writers.begin(), writers.end(), [](pid_t pid) { return pid > 0; });
  };
  while (writing()) {
    const auto trials = reader->trials(study.id);  // throws on a torn read
    ++reads;
    CHECK(trials.size() >= seen);
    seen = trials.size();
    for (const auto& trial : trials) {
      CHECK(trial.intermediate_values.size() <= 3);
      if (trial.state == TrialState::complete) {
        CHECK(trial.intermediate_values.size() == 3);
        CHECK(trial.artifacts.size() == 1);
      }
    }
  }
  CHECK(reads > 0);
  CHECK(reader->trials(study.id).size() == 300);
}

TEST_CASE_TEMPLATE("a writer killed inside its transaction leaves a consistent store", Backend, Sqlite, Postgres) {
  bertlab::test::ScratchDir dir;
  const std::string path = Backend::new_store(dir);
  int pipe_fds[2];
  REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
  const pid_t writer = spawn_writer({path, "held", "hold"}, pipe_fds[1]);
  ::close(pipe_fds[1]);
  const bool holding = read_until(pipe_fds[0], "holding\n");
  ::close(pipe_fds[0]);
  if (!holding) ::kill(writer, SIGKILL);
  REQUIRE(holding);

  // Readers are not blocked by the write transaction in progress (SQLite's WAL, PostgreSQL's MVCC).
  {
    auto reader = open_store(path, /*read_only=*/true);
    CHECK(reader->trials(reader->find_study("held")->id).empty());
  }

  REQUIRE(::kill(writer, SIGKILL) == 0);
  const int status = wait_status(writer);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  auto store = open_store(path);
  Backend::check_integrity(path);
  const auto study = store->find_study("held");
  REQUIRE(study.has_value());
  CHECK(store->trials(study->id).empty());
  const auto trial = new_trial(*store, study->id);
  CHECK(trial.number == 0);
  store->finish_trial(trial.id, TrialState::complete, 1.0, "");
  CHECK(store->trial(study->id, 0)->state == TrialState::complete);
}

TEST_CASE("query_readonly runs one read-only statement and refuses anything else") {
  bertlab::test::ScratchDir dir;
  const auto path = (dir / "trials.db").string();
  auto store = open_store(path);
  const auto study = store->get_or_create_study("s", "exp", "accuracy", Direction::maximize);
  store->finish_trial(new_trial(*store, study.id).id, TrialState::complete, 0.5, "");
  new_trial(*store, study.id);

  const auto result = store->query_readonly("SELECT number, state, value FROM trials ORDER BY number;  -- done");
  CHECK(result.columns == std::vector<std::string>{"number", "state", "value"});
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[0] == std::vector<nlohmann::json>{0, "COMPLETE", 0.5});
  CHECK(result.rows[1] == std::vector<nlohmann::json>{1, "RUNNING", nullptr});
  CHECK(store->query_readonly("SELECT x'00ff7a' AS blob").rows[0][0] == "00ff7a");

  CHECK(error_of([&] { store->query_readonly("DELETE FROM trials"); })
            .find("query refused: only read-only statements are allowed (DELETE FROM trials)") != std::string::npos);
  for (const char* sql : {"INSERT INTO studies (name, experiment, experiment_hash, metric, direction, created_at) "
                          "VALUES ('x', '', '', 'm', 'maximize', '')",
                          "DROP TABLE trials", "PRAGMA user_version = 99", "VACUUM INTO 'copy.db'"})
    CHECK(error_of([&] { store->query_readonly(sql); }).find("only read-only statements") != std::string::npos);
  CHECK(error_of([&] { store->query_readonly("SELECT 1; DELETE FROM trials"); })
            .find("query refused: only one statement is allowed (DELETE FROM trials)") != std::string::npos);
  CHECK(error_of([&] { store->query_readonly("ATTACH 'other.db' AS other"); }).find("attached") != std::string::npos);
  CHECK(error_of([&] { store->query_readonly("  ;  "); }).find("no SQL statement") != std::string::npos);
  CHECK(error_of([&] { store->query_readonly("SELECT * FROM nowhere"); }).find("no such table") != std::string::npos);

  // BEGIN counts as read-only; it must not leave later queries on an old snapshot.
  store->query_readonly("BEGIN");
  new_trial(*store, study.id);
  CHECK(store->query_readonly("SELECT COUNT(*) FROM trials").rows[0][0] == 3);

  CHECK(store->trials(study.id).size() == 3);
  CHECK(store->list_studies().size() == 1);
  CHECK(RawDb(path).value("PRAGMA user_version") == std::to_string(SqliteStore::schema_version()));
  CHECK(open_store(path, /*read_only=*/true)->query_readonly("SELECT COUNT(*) FROM studies").rows[0][0] == 1);
}

TEST_CASE_TEMPLATE("queued trials run once each, oldest first, and lost trials are failed and re-queued", Backend,
                   Sqlite, Postgres) {
  bertlab::test::ScratchDir dir;
  const std::string location = Backend::new_store(dir);
  auto store = open_store(location);
  const auto study = store->get_or_create_study("s", "exp", "accuracy", Direction::maximize, "/x/exp.toml");
  CHECK(store->find_study("s")->experiment_file == "/x/exp.toml");
  store->enqueue_trial(study.id, {{"lr", 1}}, "enqueue");
  store->enqueue_trial(study.id, {{"lr", 2}}, "enqueue");
  CHECK(store->queued_trials(study.id).size() == 2);

  // A prepare that throws leaves the queued trial waiting.
  CHECK_THROWS(store->create_trial(study.id, [](const auto&, const auto&) -> TrialInit { throw std::runtime_error("no"); }));
  std::vector<nlohmann::json> taken;
  const auto take = [&](const std::vector<TrialRecord>&, const std::optional<QueuedTrial>& queued) {
    taken.push_back(queued ? queued->params : nlohmann::json(nullptr));
    return with_params(queued ? queued->params : nlohmann::json{{"lr", 0}});
  };
  const auto first = store->create_trial(study.id, take);
  store->create_trial(study.id, take);
  store->create_trial(study.id, take);
  CHECK(taken == std::vector<nlohmann::json>{{{"lr", 1}}, {{"lr", 2}}, nullptr});
  CHECK(store->queued_trials(study.id).empty());

  // Trial 0 keeps beating; 1 and 2 go silent.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  store->heartbeat(first.id);
  const auto lost = store->fail_stale_trials(study.id, std::chrono::milliseconds(200), /*requeue=*/true);
  CHECK(lost == std::vector<std::int64_t>{1, 2});
  const auto trials = store->trials(study.id);
  CHECK(trials[0].state == TrialState::running);
  CHECK(trials[1].state == TrialState::failed);
  CHECK(trials[1].error.starts_with("worker lost: no heartbeat since "));
  CHECK(trials[1].attributes["requeued"] == true);
  const auto requeued = store->queued_trials(study.id);
  REQUIRE(requeued.size() == 2);
  CHECK(requeued[0].params == nlohmann::json{{"lr", 2}});
  CHECK(requeued[0].origin == "retry of trial 1");
  CHECK(requeued[1].origin == "retry of trial 2");
  // The lost trials' processes may still report; their writes are refused.
  CHECK(error_of([&] { store->finish_trial(trials[1].id, TrialState::complete, 0.5, ""); }).find("already FAILED") !=
        std::string::npos);
  CHECK(store->fail_stale_trials(study.id, std::chrono::milliseconds(200), true).empty());
}

TEST_CASE("postgresql store: schema version, a read-only open of an empty database, a server that is not there") {
  auto& server = bertlab::test::postgres_server();
  const auto url = server.new_database();
  CHECK(error_of([&] { open_store(url, /*read_only=*/true); }).find("store not found") != std::string::npos);
  open_store(url);
  bertlab::store::PgConnection raw(url);
  CHECK(raw.exec("read", "SELECT version FROM bertlab_schema").integer(0, 0) == PostgresStore::schema_version());
  CHECK(PostgresStore::schema_version() == SqliteStore::schema_version());
  open_store(url);  // reopening migrates nothing
  CHECK(raw.exec("read", "SELECT COUNT(*) FROM bertlab_schema").integer(0, 0) == 1);

  raw.exec("write", fmt::format("UPDATE bertlab_schema SET version = {}", PostgresStore::schema_version() + 1));
  const auto newer = error_of([&] { open_store(url); });
  CHECK(newer.find("newer than this bertlab's version") != std::string::npos);
  CHECK(newer.find("postgresql://bertlab@127.0.0.1") == 0);

  const auto refused = error_of([&] { open_store("postgresql://bertlab:secret@127.0.0.1:1/none"); });
  CHECK(refused.find("postgresql://bertlab:***@127.0.0.1:1/none: connect:") == 0);
  CHECK(refused.find("secret") == std::string::npos);
}

TEST_CASE("postgresql store: query_readonly runs one read-only statement and refuses anything else") {
  auto store = open_store(bertlab::test::postgres_server().new_database());
  const auto study = store->get_or_create_study("s", "exp", "accuracy", Direction::maximize);
  store->finish_trial(new_trial(*store, study.id).id, TrialState::complete, 0.5, "");
  new_trial(*store, study.id);

  const auto result = store->query_readonly("SELECT number, state, value FROM trials ORDER BY number");
  CHECK(result.columns == std::vector<std::string>{"number", "state", "value"});
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[0] == std::vector<nlohmann::json>{0, "COMPLETE", 0.5});
  CHECK(result.rows[1] == std::vector<nlohmann::json>{1, "RUNNING", nullptr});
  for (const char* sql : {"DELETE FROM trials", "UPDATE trials SET value = 1", "DROP TABLE trials",
                          "CREATE TABLE x (y INTEGER)"})
    CHECK(error_of([&] { store->query_readonly(sql); }).find("read-only transaction") != std::string::npos);
  CHECK(error_of([&] { store->query_readonly("SELECT 1; DELETE FROM trials"); }).find("multiple commands") !=
        std::string::npos);
  CHECK(error_of([&] { store->query_readonly("SELECT * FROM nowhere"); }).find("does not exist") != std::string::npos);
  CHECK(store->trials(study.id).size() == 2);
  // The connection is usable after a refused query.
  CHECK(store->query_readonly("SELECT COUNT(*) AS n FROM trials").rows[0][0] == 2);
}
