// Optuna's RDB storage in an SQLite file, as `optuna==5.0.0` lays it out
// (schema version 12, alembic revision v3.2.0.a): the tables bertlab writes
// when it exports a study and reads when it imports one. Writing the schema
// ourselves, rather than running Optuna, keeps Python out of bertlab; the
// tests open what we write with the real `optuna` package.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace bertlab::store {
class SqliteConnection;
}

namespace bertlab::interchange {

class InterchangeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kOptunaSchemaVersion = 12;
inline constexpr const char* kOptunaAlembicRevision = "v3.2.0.a";
inline constexpr const char* kOptunaLibraryVersion = "5.0.0";

// The file an Optuna storage names: "sqlite:///relative.db",
// "sqlite:////absolute.db" or a plain path. Other URLs (a server database)
// are an error that says so.
std::string optuna_sqlite_path(const std::string& storage);

// An Optuna storage file, open for reading (it must exist and carry the
// schema above) or for writing (created with the schema when new or empty).
// A file of another schema version is refused with both versions named.
class OptunaStorage {
 public:
  enum class Mode { read, write };
  OptunaStorage(const std::string& storage, Mode mode);
  ~OptunaStorage();
  OptunaStorage(const OptunaStorage&) = delete;
  OptunaStorage& operator=(const OptunaStorage&) = delete;

  const std::string& path() const { return path_; }
  store::SqliteConnection& connection() { return *connection_; }

 private:
  void create_schema();
  void check_version();

  std::string path_;
  std::unique_ptr<store::SqliteConnection> connection_;
};

// Timestamps: the store's ISO 8601 ("2026-11-30T01:09:24.527Z") and
// Optuna's naive UTC DATETIME text ("2026-11-30 01:09:24.527000").
std::string to_optuna_datetime(const std::string& iso);
std::string from_optuna_datetime(const std::string& text);

}  // namespace bertlab::interchange
