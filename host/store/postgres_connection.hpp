// A libpq connection to a PostgreSQL server, for the PostgreSQL store:
// statements with bound parameters (text format), results read by column,
// and transactions that are rerun from scratch when the server reports a
// serialization failure or a deadlock. Messages name the server (without its
// password) and the operation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

struct pg_conn;
struct pg_result;

namespace bertlab::store {

// A statement's parameters, $1, $2, ... in order; nullopt is NULL.
class PgParams {
 public:
  PgParams& add(std::int64_t value);
  // NaN and the infinities are stored as NULL, as in the SQLite store.
  PgParams& add(double value);
  PgParams& add(std::string value);
  PgParams& add(const char* value) { return add(std::string(value)); }
  PgParams& add_null();
  PgParams& add(std::optional<std::int64_t> value) { return value ? add(*value) : add_null(); }
  PgParams& add(std::optional<double> value) { return value ? add(*value) : add_null(); }
  // Empty text is NULL: the column has no value.
  PgParams& add_optional(const std::string& text) { return text.empty() ? add_null() : add(text); }

  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

class PgResult {
 public:
  explicit PgResult(pg_result* result);
  ~PgResult();
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  int columns() const;
  std::string column_name(int column) const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;  // "" for NULL
  std::int64_t integer(int row, int column) const;
  double real(int row, int column) const;  // NaN for NULL
  std::optional<std::int64_t> optional_integer(int row, int column) const;
  std::optional<double> optional_real(int row, int column) const;
  nlohmann::json json(int row, int column) const;  // a JSON text column, parsed
  // A column as query_readonly() returns it: integers, reals and booleans by
  // their type, everything else as text, NULL as null.
  nlohmann::json any(int row, int column) const;
  pg_result* raw() const { return result_; }

 private:
  pg_result* result_;
};

class PgConnection {
 public:
  // `url`: a libpq connection URI, postgresql://USER[:PASSWORD]@HOST[:PORT]/DB.
  explicit PgConnection(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // The URL without its password, for messages.
  const std::string& location() const { return location_; }
  StoreError error(std::string_view op, std::string_view detail) const;

  PgResult exec(std::string_view op, const std::string& sql, const PgParams& params = {});
  // Several statements without parameters (a migration step).
  void exec_script(std::string_view op, const std::string& sql);

  // Runs `body` in one transaction and returns what it returns; `read_only`
  // transactions refuse writes. A serialization failure or deadlock rolls
  // back and runs `body` again, so it must be safe to rerun.
  // A read runs its statements on one snapshot (REPEATABLE READ): a study's
  // trials and their intermediate values are separate SELECTs, and under
  // READ COMMITTED a trial inserted between them would have values but no
  // row. (Read-only, that level never fails to serialize.) Writes lock the
  // rows they depend on and stay READ COMMITTED.
  template <class Body>
  auto transact(std::string_view op, bool read_only, Body&& body) {
    for (int attempt = 1;; ++attempt) {
      exec(op, read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
      try {
        if constexpr (std::is_void_v<std::invoke_result_t<Body&>>) {
          body();
          exec(op, "COMMIT");
          return;
        } else {
          auto result = body();
          exec(op, "COMMIT");
          return result;
        }
      } catch (const Retry&) {
        rollback();
        if (attempt >= kMaxAttempts) throw error(op, "gave up after repeated serialization failures or deadlocks");
      } catch (...) {
        rollback();
        throw;
      }
    }
  }

 private:
  // A transaction the server aborted for contention: transact() reruns it.
  struct Retry {};
  static constexpr int kMaxAttempts = 50;

  void rollback();
  // Throws for a failed result: Retry for contention, StoreError otherwise.
  void check(std::string_view op, const PgResult& result);

  std::string location_;
  pg_conn* connection_ = nullptr;
};

}  // namespace bertlab::store
