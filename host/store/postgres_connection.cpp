#include "store/postgres_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <regex>

#include <fmt/format.h>

namespace bertlab::store {

namespace {

// Type OIDs of PostgreSQL's built-in types (pg_type.dat), for any().
constexpr unsigned kBoolOid = 16;
constexpr unsigned kInt8Oid = 20;
constexpr unsigned kInt2Oid = 21;
constexpr unsigned kInt4Oid = 23;
constexpr unsigned kFloat4Oid = 700;
constexpr unsigned kFloat8Oid = 701;
constexpr unsigned kNumericOid = 1700;

std::string without_password(const std::string& url) {
  static const std::regex password(R"(^(postgres(?:ql)?://[^:@/]+):[^@/]*@)");
  return std::regex_replace(url, password, "$1:***@");
}

}  // namespace

PgParams& PgParams::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

PgParams& PgParams::add(double value) {
  if (!std::isfinite(value)) return add_null();
  values_.emplace_back(fmt::format("{}", value));  // shortest text that reads back as the same double
  return *this;
}

PgParams& PgParams::add(std::string value) {
  values_.emplace_back(std::move(value));
  return *this;
}

PgParams& PgParams::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

PgResult::PgResult(pg_result* result) : result_(result) {}
PgResult::~PgResult() {
  if (result_) PQclear(result_);
}
PgResult::PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }

int PgResult::rows() const { return PQntuples(result_); }
int PgResult::columns() const { return PQnfields(result_); }
std::string PgResult::column_name(int column) const { return PQfname(result_, column); }
bool PgResult::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string PgResult::text(int row, int column) const {
  if (is_null(row, column)) return {};
  return std::string(PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t PgResult::integer(int row, int column) const {
  const std::string value = text(row, column);
  std::int64_t parsed = 0;
  std::from_chars(value.data(), value.data() + value.size(), parsed);
  return parsed;
}

double PgResult::real(int row, int column) const {
  if (is_null(row, column)) return std::nan("");
  return std::strtod(PQgetvalue(result_, row, column), nullptr);
}

std::optional<std::int64_t> PgResult::optional_integer(int row, int column) const {
  return is_null(row, column) ? std::nullopt : std::optional(integer(row, column));
}

std::optional<double> PgResult::optional_real(int row, int column) const {
  return is_null(row, column) ? std::nullopt : std::optional(real(row, column));
}

nlohmann::json PgResult::json(int row, int column) const {
  try {
    return nlohmann::json::parse(text(row, column));
  } catch (const nlohmann::json::parse_error& e) {
    throw StoreError(fmt::format("column {} holds invalid JSON: {}", column_name(column), e.what()));
  }
}

nlohmann::json PgResult::any(int row, int column) const {
  if (is_null(row, column)) return nullptr;
  switch (PQftype(result_, column)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: return integer(row, column);
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: return real(row, column);
    case kBoolOid: return text(row, column) == "t";
    default: return text(row, column);
  }
}

PgConnection::PgConnection(const std::string& url) : location_(without_password(url)) {
  connection_ = PQconnectdb(url.c_str());
  if (PQstatus(connection_) != CONNECTION_OK) {
    const std::string message = connection_ ? PQerrorMessage(connection_) : "out of memory";
    PQfinish(connection_);
    connection_ = nullptr;
    throw error("connect", message);
  }
  // Notices ("relation already exists, skipping") are not for the user.
  PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
  if (connection_) PQfinish(connection_);
}

StoreError PgConnection::error(std::string_view op, std::string_view detail) const {
  std::string text(detail);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return StoreError(fmt::format("{}: {}: {}", location_, op, text));
}

PgResult PgConnection::exec(std::string_view op, const std::string& sql, const PgParams& params) {
  std::vector<const char*> values;
  for (const auto& value : params.values()) values.push_back(value ? value->c_str() : nullptr);
  PGresult* raw = PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, /*resultFormat=text*/ 0);
  PgResult result(raw);
  check(op, result);
  return result;
}

void PgConnection::check(std::string_view op, const PgResult& result) {
  pg_result* raw = result.raw();
  const auto status = PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  const char* sqlstate = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  // serialization_failure, deadlock_detected: the transaction may succeed when run again.
  if (sqlstate && (std::string_view(sqlstate) == "40001" || std::string_view(sqlstate) == "40P01")) throw Retry{};
  throw error(op, raw ? PQresultErrorMessage(raw) : PQerrorMessage(connection_));
}

void PgConnection::exec_script(std::string_view op, const std::string& sql) {
  PgResult result(PQexec(connection_, sql.c_str()));
  check(op, result);
}

void PgConnection::rollback() {
  PGresult* result = PQexec(connection_, "ROLLBACK");
  PQclear(result);
}

}  // namespace bertlab::store
