#pragma once

// The real MariaDB server the CTest fixture starts ("mariadb: server start"), reached through
// BULKINSERT_TEST_MARIADB (a mariadb:// URL). Each MariaDb makes its own database, so tests running in
// parallel never collide.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>
#include <mysql.h>

#include <bulkinsert/mariadb.hpp>

#include "schema.hpp"

namespace test {

/// The fixture server's URL. Throws, failing the test, when the environment does not name one: a
/// missing server is a failure, never a skip.
inline std::string mariadb_url() {
  const char* u = std::getenv("BULKINSERT_TEST_MARIADB");
  if (u == nullptr || *u == '\0')
    throw std::runtime_error(
        "BULKINSERT_TEST_MARIADB is not set: run the MariaDB tests through ctest, whose fixture starts the server "
        "(tests/support/mariadb_server.sh), or export a mariadb:// URL");
  return u;
}

/// `url` with its database replaced by `database`.
inline std::string with_database(const std::string& url, const std::string& database) {
  const std::size_t start = url.find('/', url.find("://") + 3);
  const std::size_t end = url.find('?', start);
  return url.substr(0, start + 1) + database + (end == std::string::npos ? "" : url.substr(end));
}

/// A plain Connector/C connection for the tests' own SQL (autocommit, the same strict sql_mode), read
/// as text rows: what the checks shared by every backend read through.
class MariadbConnection {
 public:
  explicit MariadbConnection(const std::string& url) : db_(mysql_init(nullptr)) {
    const bulkinsert::MariadbOptions o = bulkinsert::parse_mariadb_url(url);
    mysql_optionsv(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (mysql_real_connect(db_, o.socket.empty() ? o.host.c_str() : nullptr, o.user.c_str(),
                           o.password.empty() ? nullptr : o.password.c_str(),
                           o.database.empty() ? nullptr : o.database.c_str(), o.port,
                           o.socket.empty() ? nullptr : o.socket.c_str(), 0) == nullptr)
      throw std::runtime_error(fmt::format("cannot connect to {}: {}", url, mysql_error(db_)));
    // The tests' own SQL is standard: "quoted" names and || for concatenation.
    exec(fmt::format("SET SESSION sql_mode = '{},ANSI_QUOTES,PIPES_AS_CONCAT', time_zone = '+00:00'",
                     bulkinsert::MariadbBackend::sql_mode));
  }
  MariadbConnection(const MariadbConnection&) = delete;
  MariadbConnection& operator=(const MariadbConnection&) = delete;
  ~MariadbConnection() { mysql_close(db_); }

  [[nodiscard]] MYSQL* handle() noexcept { return db_; }

  void exec(const std::string& sql) {
    if (mysql_real_query(db_, sql.data(), sql.size()) != 0)
      throw std::runtime_error(fmt::format("[{}] {}: {}", mysql_errno(db_), mysql_error(db_), sql));
    if (MYSQL_RES* res = mysql_store_result(db_)) mysql_free_result(res);
  }
  [[nodiscard]] TextRows rows(const std::string& sql) {
    if (mysql_real_query(db_, sql.data(), sql.size()) != 0)
      throw std::runtime_error(fmt::format("[{}] {}: {}", mysql_errno(db_), mysql_error(db_), sql));
    MYSQL_RES* res = mysql_store_result(db_);
    TextRows out;
    if (res == nullptr) return out;
    const unsigned n = mysql_num_fields(res);
    const MYSQL_FIELD* fields = mysql_fetch_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      const unsigned long* lengths = mysql_fetch_lengths(res);
      auto& values = out.emplace_back();
      for (unsigned c = 0; c < n; ++c) {
        if (row[c] == nullptr) values.emplace_back();
        // The shortest text that reads back as the same double, as the other readers give it.
        else if (fields[c].type == MYSQL_TYPE_DOUBLE || fields[c].type == MYSQL_TYPE_FLOAT)
          values.emplace_back(fmt::format("{}", fields[c].type == MYSQL_TYPE_FLOAT ? static_cast<double>(std::strtof(row[c], nullptr))
                                                                                   : std::strtod(row[c], nullptr)));
        else values.emplace_back(std::string{row[c], lengths[c]});
      }
    }
    mysql_free_result(res);
    return out;
  }
  [[nodiscard]] std::int64_t scalar(const std::string& sql) {
    const TextRows r = rows(sql);
    if (r.empty() || r[0].empty() || !r[0][0]) throw std::runtime_error("no value: " + sql);
    return std::stoll(*r[0][0]);
  }
  [[nodiscard]] std::string literal(const std::string& s) {
    std::string out(2 * s.size() + 1, '\0');
    out.resize(mysql_real_escape_string(db_, out.data(), s.data(), static_cast<unsigned long>(s.size())));
    return "'" + out + "'";
  }

 private:
  MYSQL* db_;
};

/// Reads a MariadbConnection: rows() and scalar() as a copyable object (support/progress_checks.hpp).
struct MariadbReader {
  MariadbConnection& connection;
  [[nodiscard]] TextRows rows(const std::string& sql) const { return connection.rows(sql); }
  [[nodiscard]] std::int64_t scalar(const std::string& sql) const { return connection.scalar(sql); }
};

/// A database of its own on the fixture's server, dropped with everything in it at the end.
class MariaDb {
 public:
  MariaDb() : database_(unique_database()), admin_(mariadb_url()) {
    admin_.exec(fmt::format("CREATE DATABASE `{}`", database_));
    reader_.emplace(url());
    backend_.emplace(url());
  }
  MariaDb(const MariaDb&) = delete;
  MariaDb& operator=(const MariaDb&) = delete;
  ~MariaDb() {
    backend_.reset();
    reader_.reset();
    try {
      admin_.exec(fmt::format("DROP DATABASE `{}`", database_));
    } catch (...) {
      // The server is thrown away after the run; a leftover database harms nobody.
    }
  }

  [[nodiscard]] bulkinsert::MariadbBackend& backend() { return *backend_; }
  [[nodiscard]] const std::string& database() const noexcept { return database_; }
  /// The URL of this test's database.
  [[nodiscard]] std::string url() const { return with_database(mariadb_url(), database_); }

  void exec(const std::string& sql) { reader_->exec(sql); }
  [[nodiscard]] MariadbReader reader() { return MariadbReader{*reader_}; }
  [[nodiscard]] MariadbConnection& connection() { return *reader_; }
  [[nodiscard]] std::int64_t count(const std::string& table) { return reader_->scalar("SELECT count(*) FROM " + table); }

  void create_roles_users() {
    for (const std::string& sql : schema_sql("mariadb")) exec(sql);
  }

  [[nodiscard]] std::vector<UserRead> read_users() {
    std::vector<UserRead> out;
    for (const auto& row : reader_->rows("SELECT id, username, email, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f'), "
                                         "role_id FROM users ORDER BY id")) {
      UserRead u;
      u.id = std::stoll(*row[0]);
      u.username = *row[1];
      u.email = row[2];
      u.created_at = row[3];
      if (row[4]) u.role_id = std::stoll(*row[4]);
      out.push_back(std::move(u));
    }
    return out;
  }

 private:
  static std::string unique_database() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    return fmt::format("bi_test_{}_{}_{:08x}", static_cast<long>(::getpid()), counter++, rd());
  }

  std::string database_;
  MariadbConnection admin_;
  std::optional<MariadbConnection> reader_;
  std::optional<bulkinsert::MariadbBackend> backend_;
};

}  // namespace test
