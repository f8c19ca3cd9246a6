#include "interchange/optuna_storage.hpp"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/sqlite_connection.hpp"

namespace bertlab::interchange {

namespace {

using store::SqliteStatement;
using store::TxKind;

// The DDL SQLAlchemy emits for Optuna 5.0.0's models on SQLite (the tables
// of optuna/storages/_rdb/models.py), so that Optuna finds what it created
// itself. Enum columns are VARCHARs holding the enum's member name.
constexpr const char* kSchema = R"sql(
CREATE TABLE studies (
  study_id INTEGER NOT NULL,
  study_name VARCHAR(512) NOT NULL,
  PRIMARY KEY (study_id)
);
CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name);
CREATE TABLE version_info (
  version_info_id INTEGER NOT NULL,
  schema_version INTEGER,
  library_version VARCHAR(256),
  PRIMARY KEY (version_info_id),
  CHECK (version_info_id=1)
);
CREATE TABLE study_directions (
  study_direction_id INTEGER NOT NULL,
  direction VARCHAR(8) NOT NULL,
  study_id INTEGER NOT NULL,
  objective INTEGER NOT NULL,
  PRIMARY KEY (study_direction_id),
  UNIQUE (study_id, objective),
  FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE TABLE study_user_attributes (
  study_user_attribute_id INTEGER NOT NULL,
  study_id INTEGER,
  "key" VARCHAR(512),
  value_json TEXT,
  PRIMARY KEY (study_user_attribute_id),
  UNIQUE (study_id, "key"),
  FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE TABLE study_system_attributes (
  study_system_attribute_id INTEGER NOT NULL,
  study_id INTEGER,
  "key" VARCHAR(512),
  value_json TEXT,
  PRIMARY KEY (study_system_attribute_id),
  UNIQUE (study_id, "key"),
  FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE TABLE trials (
  trial_id INTEGER NOT NULL,
  number INTEGER,
  study_id INTEGER,
  state VARCHAR(8) NOT NULL,
  datetime_start DATETIME,
  datetime_complete DATETIME,
  PRIMARY KEY (trial_id),
  FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE INDEX ix_trials_study_id ON trials (study_id);
CREATE TABLE trial_user_attributes (
  trial_user_attribute_id INTEGER NOT NULL,
  trial_id INTEGER,
  "key" VARCHAR(512),
  value_json TEXT,
  PRIMARY KEY (trial_user_attribute_id),
  UNIQUE (trial_id, "key"),
  FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE trial_system_attributes (
  trial_system_attribute_id INTEGER NOT NULL,
  trial_id INTEGER,
  "key" VARCHAR(512),
  value_json TEXT,
  PRIMARY KEY (trial_system_attribute_id),
  UNIQUE (trial_id, "key"),
  FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE trial_params (
  param_id INTEGER NOT NULL,
  trial_id INTEGER,
  param_name VARCHAR(512),
  param_value FLOAT,
  distribution_json TEXT,
  PRIMARY KEY (param_id),
  UNIQUE (trial_id, param_name),
  FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE trial_values (
  trial_value_id INTEGER NOT NULL,
  trial_id INTEGER NOT NULL,
  objective INTEGER NOT NULL,
  value FLOAT,
  value_type VARCHAR(7) NOT NULL,
  PRIMARY KEY (trial_value_id),
  UNIQUE (trial_id, objective),
  FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE trial_intermediate_values (
  trial_intermediate_value_id INTEGER NOT NULL,
  trial_id INTEGER NOT NULL,
  step INTEGER NOT NULL,
  intermediate_value FLOAT,
  intermediate_value_type VARCHAR(7) NOT NULL,
  PRIMARY KEY (trial_intermediate_value_id),
  UNIQUE (trial_id, step),
  FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE trial_heartbeats (
  trial_heartbeat_id INTEGER NOT NULL,
  trial_id INTEGER NOT NULL,
  heartbeat DATETIME NOT NULL,
  PRIMARY KEY (trial_heartbeat_id),
  UNIQUE (trial_id),
  FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
)sql";

bool has_table(store::SqliteConnection& connection, std::string_view op, const char* name) {
  SqliteStatement row(connection, op, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  row.bind_text(1, name);
  return row.step();
}

}  // namespace

std::string optuna_sqlite_path(const std::string& storage) {
  constexpr std::string_view kScheme = "sqlite:///";
  if (storage.rfind(kScheme, 0) == 0) return storage.substr(kScheme.size());  // "sqlite:////abs" keeps its '/'
  if (storage.find("://") != std::string::npos)
    throw InterchangeError(fmt::format("{}: only Optuna storages in SQLite files (sqlite:///PATH or a path) are "
                                       "supported",
                                       storage));
  return storage;
}

OptunaStorage::OptunaStorage(const std::string& storage, Mode mode) : path_(optuna_sqlite_path(storage)) {
  std::error_code ignored;
  if (mode == Mode::read && !std::filesystem::exists(path_, ignored))
    throw InterchangeError(fmt::format("{}: no such Optuna storage file", path_));
  connection_ = std::make_unique<store::SqliteConnection>(
      path_, mode == Mode::read ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (mode == Mode::write) {
    constexpr std::string_view op = "create Optuna schema";
    const bool empty = connection_->transact(op, TxKind::read, [&] {
      SqliteStatement any(*connection_, op, "SELECT 1 FROM sqlite_master");
      return !any.step();
    });
    if (empty) create_schema();
  }
  check_version();
}

OptunaStorage::~OptunaStorage() = default;

void OptunaStorage::create_schema() {
  constexpr std::string_view op = "create Optuna schema";
  connection_->transact(op, TxKind::write, [&] {
    connection_->exec(op, kSchema);
    SqliteStatement version(*connection_, op,
                            "INSERT INTO version_info (version_info_id, schema_version, library_version) "
                            "VALUES (1, ?1, ?2)");
    version.bind_int(1, kOptunaSchemaVersion).bind_text(2, kOptunaLibraryVersion).execute();
    SqliteStatement alembic(*connection_, op, "INSERT INTO alembic_version (version_num) VALUES (?1)");
    alembic.bind_text(1, kOptunaAlembicRevision).execute();
  });
}

void OptunaStorage::check_version() {
  constexpr std::string_view op = "read Optuna schema version";
  connection_->transact(op, TxKind::read, [&] {
    if (!has_table(*connection_, op, "version_info") || !has_table(*connection_, op, "alembic_version"))
      throw InterchangeError(fmt::format("{}: not an Optuna storage (no version_info or alembic_version table)", path_));
    SqliteStatement version(*connection_, op, "SELECT schema_version, library_version FROM version_info");
    if (!version.step()) throw InterchangeError(fmt::format("{}: not an Optuna storage (version_info is empty)", path_));
    SqliteStatement alembic(*connection_, op, "SELECT version_num FROM alembic_version");
    const std::string revision = alembic.step() ? alembic.text(0) : "none";
    if (version.integer(0) != kOptunaSchemaVersion || revision != kOptunaAlembicRevision)
      throw InterchangeError(fmt::format(
          "{}: Optuna storage schema version {} (revision {}, written by optuna {}); bertlab reads and writes "
          "version {} (revision {}, optuna {}): upgrade it with `optuna storage upgrade --storage sqlite:///{}`",
          path_, version.integer(0), revision, version.text(1), kOptunaSchemaVersion, kOptunaAlembicRevision,
          kOptunaLibraryVersion, path_));
  });
}

std::string to_optuna_datetime(const std::string& iso) {
  if (iso.empty()) return {};
  // "YYYY-MM-DDTHH:MM:SS[.fff]Z" -> "YYYY-MM-DD HH:MM:SS.ffffff"
  std::string text = iso;
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  if (text.size() > 10 && text[10] == 'T') text[10] = ' ';
  const auto dot = text.find('.');
  std::string fraction = dot == std::string::npos ? std::string() : text.substr(dot + 1);
  if (dot != std::string::npos) text.resize(dot);
  fraction.resize(6, '0');
  return text + "." + fraction;
}

std::string from_optuna_datetime(const std::string& text) {
  if (text.empty()) return {};
  std::string iso = text;
  if (iso.size() > 10 && iso[10] == ' ') iso[10] = 'T';
  const auto dot = iso.find('.');
  std::string fraction = dot == std::string::npos ? std::string() : iso.substr(dot + 1);
  if (dot != std::string::npos) iso.resize(dot);
  fraction.resize(3, '0');  // the store keeps milliseconds
  return iso + "." + fraction + "Z";
}

}  // namespace bertlab::interchange
