#pragma once

// The real PostgreSQL server the CTest fixture starts ("postgres: cluster start"), reached through
// BULKINSERT_TEST_PG. Each PgDb makes its own schema, so tests running in parallel never collide.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include <bulkinsert/postgres.hpp>

#include "schema.hpp"

namespace test {

/// The libpq connection string of the fixture's server. Throws, failing the test, when the
/// environment does not name one: a missing server is a failure, never a skip.
inline std::string pg_conninfo() {
  const char* c = std::getenv("BULKINSERT_TEST_PG");
  if (c == nullptr || *c == '\0')
    throw std::runtime_error(
        "BULKINSERT_TEST_PG is not set: run the PostgreSQL tests through ctest, whose fixture starts the server "
        "(tests/support/pg_cluster.sh), or export a libpq connection string");
  return c;
}

/// Reads any libpqxx connection as text rows: what the checks shared by every backend read through.
struct PgReader {
  pqxx::connection_base& connection;

  [[nodiscard]] TextRows rows(const std::string& sql) const {
    pqxx::work w{connection};
    const pqxx::result r = w.exec(sql);
    w.commit();
    TextRows out;
    for (const auto& row : r) {
      auto& values = out.emplace_back();
      for (const auto& v : row) {
        if (v.is_null()) values.emplace_back();
        else values.emplace_back(std::string{v.c_str(), v.size()});
      }
    }
    return out;
  }
  [[nodiscard]] std::int64_t scalar(const std::string& sql) const {
    pqxx::work w{connection};
    const auto v = w.exec(sql)[0][0].as<std::int64_t>();
    w.commit();
    return v;
  }
};

/// A schema of its own on the fixture's server, dropped with everything in it at the end.
/// Connections made with conninfo() use it as search_path, with TimeZone UTC and ISO dates.
class PgDb {
 public:
  PgDb() : schema_(unique_schema()), reader_(conninfo_without_schema()) {
    pqxx::nontransaction n{reader_};
    n.exec(fmt::format("CREATE SCHEMA \"{}\"", schema_));
    n.exec(fmt::format("SET search_path TO \"{}\"", schema_));
    backend_.emplace(conninfo());
  }
  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;
  ~PgDb() {
    backend_.reset();
    try {
      pqxx::nontransaction n{reader_};
      n.exec(fmt::format("DROP SCHEMA \"{}\" CASCADE", schema_));
    } catch (...) {
      // The server is thrown away after the run; a leftover schema harms nobody.
    }
  }

  [[nodiscard]] bulkinsert::PostgresBackend& backend() { return *backend_; }
  [[nodiscard]] const std::string& schema() const noexcept { return schema_; }

  /// A conninfo whose sessions default to this schema, UTC and ISO dates.
  [[nodiscard]] std::string conninfo() const {
    return fmt::format("{} options='-c search_path={} -c TimeZone=UTC -c DateStyle=ISO'", pg_conninfo(), schema_);
  }

  void exec(const std::string& sql) {
    pqxx::nontransaction n{reader_};
    n.exec(sql);
  }
  [[nodiscard]] pqxx::result query(const std::string& sql) {
    pqxx::work w{reader_};
    pqxx::result r = w.exec(sql);
    w.commit();
    return r;
  }
  [[nodiscard]] PgReader reader() { return PgReader{reader_}; }
  [[nodiscard]] std::int64_t count(const std::string& table) {
    return query("SELECT count(*) FROM " + table)[0][0].as<std::int64_t>();
  }

  void create_roles_users() {
    for (const std::string& sql : schema_sql("postgres")) exec(sql);
  }

  [[nodiscard]] std::vector<UserRead> read_users() {
    const pqxx::result r = query(
        "SELECT id, username, email, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US'), role_id FROM users ORDER BY id");
    std::vector<UserRead> out;
    for (const auto& row : r) {
      UserRead u;
      u.id = row[0].as<std::int64_t>();
      u.username = row[1].c_str();
      if (!row[2].is_null()) u.email = row[2].c_str();
      if (!row[3].is_null()) u.created_at = row[3].c_str();
      if (!row[4].is_null()) u.role_id = row[4].as<std::int64_t>();
      out.push_back(std::move(u));
    }
    return out;
  }

  /// created_at as microseconds since 1970 (NULL as nullopt), ordered by id.
  [[nodiscard]] std::vector<std::optional<std::int64_t>> read_created_at_us() {
    const pqxx::result r = query("SELECT (extract(epoch FROM created_at) * 1000000)::bigint FROM users ORDER BY id");
    std::vector<std::optional<std::int64_t>> out;
    for (const auto& row : r)
      out.push_back(row[0].is_null() ? std::nullopt : std::optional<std::int64_t>{row[0].as<std::int64_t>()});
    return out;
  }

 private:
  static std::string unique_schema() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    return fmt::format("bi_test_{}_{}_{:08x}", static_cast<long>(::getpid()), counter++, rd());
  }
  static std::string conninfo_without_schema() {
    return pg_conninfo() + " options='-c TimeZone=UTC -c DateStyle=ISO'";
  }

  std::string schema_;
  pqxx::connection reader_;
  std::optional<bulkinsert::PostgresBackend> backend_;
};

}  // namespace test
