// A connection to one SQLite file and its prepared statements, with the
// error and lock-contention handling every SQLite file bertlab touches needs:
// the trial store (sqlite_store.cpp) and Optuna's storage files
// (interchange/optuna_*). Messages name the file and the operation.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace bertlab::store {

// Whether a transaction reads only or writes.
enum class TxKind { read, write };

namespace sqlite_detail {

using namespace std::chrono_literals;

// SQLite itself waits this long for a lock before reporting SQLITE_BUSY...
inline constexpr int kBusyTimeoutMs = 10'000;
// ...and a transaction refused after that is retried until this much time has passed.
inline constexpr std::chrono::seconds kBusyGiveUp = 60s;
inline constexpr std::chrono::milliseconds kFirstBackoff = 10ms;
inline constexpr std::chrono::milliseconds kMaxBackoff = 1s;

// Lock contention: retry_busy() catches it and runs the attempt again.
struct Busy {
  std::string message;
};

inline bool is_busy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};


inline std::string_view trimmed(std::string_view sql) {
  constexpr std::string_view kBlank = " \t\r\n;";
  const auto first = sql.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return sql.substr(first, sql.find_last_not_of(kBlank) - first + 1);
}

}  // namespace sqlite_detail

class SqliteConnection {
 public:
  SqliteConnection(std::string path, int open_flags) : path_(std::move(path)) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path_.c_str(), &db, open_flags, nullptr);
    db_.reset(db);  // a failed open still returns a handle to close
    if (rc != SQLITE_OK) throw error("open", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(db, sqlite_detail::kBusyTimeoutMs);
  }

  sqlite3* handle() const { return db_.get(); }

  StoreError error(std::string_view op, std::string_view detail) const {
    return StoreError(fmt::format("{}: {}: {}", path_, op, detail));
  }

  // Lock contention becomes Busy, for retry_busy(); anything else StoreError.
  [[noreturn]] void fail(std::string_view op, int rc) const {
    if (sqlite_detail::is_busy(rc)) throw sqlite_detail::Busy{sqlite3_errmsg(db_.get())};
    throw error(op, sqlite3_errmsg(db_.get()));
  }

  // For fixed SQL only: values always go through bound parameters.
  void exec(std::string_view op, const char* sql) {
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(op, rc);
  }

  // Runs `attempt` until it gets past lock contention or kBusyGiveUp has
  // passed, backing off between tries. `attempt` must be safe to rerun.
  template <class Attempt>
  auto retry_busy(std::string_view op, Attempt&& attempt) {
    const auto give_up_at = std::chrono::steady_clock::now() + sqlite_detail::kBusyGiveUp;
    auto backoff = sqlite_detail::kFirstBackoff;
    for (;;) {
      try {
        return attempt();
      } catch (const sqlite_detail::Busy& busy) {
        if (std::chrono::steady_clock::now() + backoff > give_up_at)
          throw error(op, fmt::format("{} (gave up after {} s)", busy.message, sqlite_detail::kBusyGiveUp.count()));
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, sqlite_detail::kMaxBackoff);
      }
    }
  }

  // Runs `body` in one transaction and returns what it returns. Writes take
  // the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
  // reads and then writes could not wait for it and would fail. The whole
  // transaction is retried on contention, so `body` runs again from scratch.
  template <class Body>
  auto transact(std::string_view op, TxKind kind, Body&& body) {
    return retry_busy(op, [&] {
      Transaction transaction(*this, op, kind);
      if constexpr (std::is_void_v<std::invoke_result_t<Body&>>) {
        body();
        transaction.commit();
      } else {
        auto result = body();
        transaction.commit();
        return result;
      }
    });
  }

 private:
  // Rolls back unless committed, so an exception (SQLite's, contention's or a
  // caller's callback's) leaves nothing half-written.
  class Transaction {
   public:
    Transaction(SqliteConnection& connection, std::string_view op, TxKind kind)
        : connection_(connection), op_(op) {
      connection_.exec(op_, kind == TxKind::write ? "BEGIN IMMEDIATE" : "BEGIN");
    }
    ~Transaction() {
      if (!sqlite3_get_autocommit(connection_.handle()))
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit() { connection_.exec(op_, "COMMIT"); }

   private:
    SqliteConnection& connection_;
    std::string_view op_;
  };

  std::string path_;
  std::unique_ptr<sqlite3, sqlite_detail::CloseDatabase> db_;
};

class SqliteStatement {
 public:
  // Prepares the first statement of `sql`; `rest` receives the text after it.
  SqliteStatement(SqliteConnection& connection, std::string_view op, std::string_view sql,
            std::string_view* rest = nullptr)
      : connection_(connection), op_(op) {
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    const int rc =
        sqlite3_prepare_v2(connection.handle(), sql.data(), static_cast<int>(sql.size()), &statement, &tail);
    statement_.reset(statement);
    if (rc != SQLITE_OK) connection.fail(op, rc);
    if (rest) *rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
  }

  // False when the SQL held only whitespace, semicolons and comments.
  bool prepared() const { return statement_ != nullptr; }
  sqlite3_stmt* get() const { return statement_.get(); }
  std::string_view sql() const { return sqlite_detail::trimmed(sqlite3_sql(statement_.get())); }

  SqliteStatement& bind_int(int index, std::int64_t value) {
    return checked(sqlite3_bind_int64(get(), index, value));
  }
  // SQLite has no NaN, and a stored infinity would not survive JSON output:
  // every non-finite value is stored as NULL.
  SqliteStatement& bind_real(int index, double value) {
    if (!std::isfinite(value)) return bind_null(index);
    return checked(sqlite3_bind_double(get(), index, value));
  }
  SqliteStatement& bind_text(int index, std::string_view text) {
    return checked(sqlite3_bind_text64(get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  SqliteStatement& bind_null(int index) { return checked(sqlite3_bind_null(get(), index)); }
  SqliteStatement& bind_optional_int(int index, std::optional<std::int64_t> value) {
    return value ? bind_int(index, *value) : bind_null(index);
  }
  SqliteStatement& bind_optional_real(int index, std::optional<double> value) {
    return value ? bind_real(index, *value) : bind_null(index);
  }
  // Empty text is stored as NULL: the column has no value.
  SqliteStatement& bind_optional_text(int index, std::string_view text) {
    return text.empty() ? bind_null(index) : bind_text(index, text);
  }

  // True while a row is ready to read.
  bool step() {
    const int rc = sqlite3_step(get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_.fail(op_, rc);
  }
  // Runs a statement that returns no rows, ready to be bound and run again.
  void execute() {
    step();
    sqlite3_reset(get());
  }

  bool is_null(int column) const { return sqlite3_column_type(get(), column) == SQLITE_NULL; }
  std::int64_t integer(int column) const { return sqlite3_column_int64(get(), column); }
  double real(int column) const {
    return is_null(column) ? std::nan("") : sqlite3_column_double(get(), column);
  }
  std::optional<std::int64_t> optional_integer(int column) const {
    return is_null(column) ? std::nullopt : std::optional(integer(column));
  }
  std::optional<double> optional_real(int column) const {
    return is_null(column) ? std::nullopt : std::optional(real(column));
  }
  std::string text(int column) const {
    const auto* chars = reinterpret_cast<const char*>(sqlite3_column_text(get(), column));
    return chars ? std::string(chars, static_cast<std::size_t>(sqlite3_column_bytes(get(), column))) : std::string();
  }
  nlohmann::json json(int column) const {
    try {
      return nlohmann::json::parse(text(column));
    } catch (const nlohmann::json::parse_error& e) {
      throw connection_.error(op_, fmt::format("column {} holds invalid JSON: {}",
                                               sqlite3_column_name(get(), column), e.what()));
    }
  }
  // A column as query_readonly() returns it.
  nlohmann::json any(int column) const {
    switch (sqlite3_column_type(get(), column)) {
      case SQLITE_INTEGER: return integer(column);
      case SQLITE_FLOAT: return real(column);
      case SQLITE_TEXT: return text(column);
      case SQLITE_BLOB: return blob_hex(column);
      default: return nullptr;
    }
  }

 private:
  SqliteStatement& checked(int rc) {
    if (rc != SQLITE_OK) connection_.fail(op_, rc);
    return *this;
  }
  std::string blob_hex(int column) const {
    const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(get(), column));
    const int size = sqlite3_column_bytes(get(), column);
    std::string hex;
    hex.reserve(static_cast<std::size_t>(size) * 2);
    for (int i = 0; i < size; ++i) hex += fmt::format("{:02x}", bytes[i]);
    return hex;
  }

  SqliteConnection& connection_;
  std::string_view op_;
  std::unique_ptr<sqlite3_stmt, sqlite_detail::FinalizeStatement> statement_;
};

}  // namespace bertlab::store
