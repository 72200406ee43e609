#pragma once

// What the MariaDB baselines and bench_mariadb share: a raw Connector/C connection set up as the
// library sets up its own (utf8mb4, time zone +00:00, the same strict sql_mode, LOAD DATA LOCAL
// allowed), statements run through it, and the row data as Connector/C's binary protocol takes it.

#include <mysql.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <bulkinsert/mariadb.hpp>

#include "../harness.hpp"

namespace baselines {

[[noreturn]] inline void mariadb_fail(MYSQL* c, std::string_view what) {
  throw std::runtime_error(fmt::format("{}: [{}] {}", what, mysql_errno(c), mysql_error(c)));
}
[[noreturn]] inline void mariadb_stmt_fail(MYSQL_STMT* s, std::string_view what) {
  throw std::runtime_error(fmt::format("{}: [{}] {}", what, mysql_stmt_errno(s), mysql_stmt_error(s)));
}

/// Runs `sql` (one statement), dropping any rows it returns.
inline void mariadb_exec(MYSQL* c, std::string_view sql) {
  if (mysql_real_query(c, sql.data(), sql.size()) != 0) mariadb_fail(c, sql.substr(0, 60));
  if (MYSQL_RES* r = mysql_store_result(c)) mysql_free_result(r);
  else if (mysql_field_count(c) != 0) mariadb_fail(c, sql.substr(0, 60));
}

/// The first column of the first row of `sql`, as text.
inline std::string mariadb_scalar(MYSQL* c, std::string_view sql) {
  if (mysql_real_query(c, sql.data(), sql.size()) != 0) mariadb_fail(c, sql.substr(0, 60));
  MYSQL_RES* r = mysql_store_result(c);
  if (r == nullptr) mariadb_fail(c, sql.substr(0, 60));
  const std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> owned{r, &mysql_free_result};
  MYSQL_ROW row = mysql_fetch_row(r);
  if (row == nullptr || row[0] == nullptr) throw std::runtime_error(fmt::format("no value: {}", sql));
  return std::string{row[0], mysql_fetch_lengths(r)[0]};
}

/// A raw connection to mariadb://... (bulkinsert::parse_mariadb_url), configured as the library's.
/// With `create_database`, connects without a database first and creates the URL's if it is missing.
class MariadbConnection {
 public:
  explicit MariadbConnection(const std::string& url, bool create_database = false) : c_(mysql_init(nullptr)) {
    if (c_ == nullptr) throw std::runtime_error("mysql_init: out of memory");
    const bulkinsert::MariadbOptions o = bulkinsert::parse_mariadb_url(url);
    mysql_optionsv(c_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const unsigned int local_infile = 1;
    mysql_optionsv(c_, MYSQL_OPT_LOCAL_INFILE, &local_infile);
    const char* socket = o.socket.empty() ? nullptr : o.socket.c_str();
    if (mysql_real_connect(c_, socket != nullptr ? nullptr : o.host.c_str(), o.user.c_str(),
                           o.password.empty() ? nullptr : o.password.c_str(),
                           create_database ? nullptr : o.database.c_str(), o.port, socket, CLIENT_LOCAL_FILES) == nullptr) {
      const std::string msg = fmt::format("cannot connect to MariaDB ({}): {}", url, mysql_error(c_));
      mysql_close(c_);
      throw std::runtime_error(msg);
    }
    if (create_database) {
      std::string quoted = "`";
      for (const char ch : o.database) quoted += ch == '`' ? std::string{"``"} : std::string{ch};
      quoted += '`';
      exec("CREATE DATABASE IF NOT EXISTS " + quoted);
      if (mysql_select_db(c_, o.database.c_str()) != 0) mariadb_fail(c_, "USE " + quoted);
    }
    exec(fmt::format("SET SESSION sql_mode = '{}', time_zone = '+00:00', NAMES utf8mb4",
                     bulkinsert::MariadbBackend::sql_mode));
  }
  MariadbConnection(const MariadbConnection&) = delete;
  MariadbConnection& operator=(const MariadbConnection&) = delete;
  ~MariadbConnection() { mysql_close(c_); }

  [[nodiscard]] MYSQL* get() const noexcept { return c_; }
  void exec(std::string_view sql) { mariadb_exec(c_, sql); }

 private:
  MYSQL* c_;
};

/// A prepared statement, closed on destruction.
class MariadbStatement {
 public:
  MariadbStatement(MYSQL* c, const std::string& sql) : s_(mysql_stmt_init(c)) {
    if (s_ == nullptr) mariadb_fail(c, "mysql_stmt_init");
    if (mysql_stmt_prepare(s_, sql.data(), sql.size()) != 0) {
      const std::string msg = fmt::format("PREPARE {}: {}", sql.substr(0, 60), mysql_stmt_error(s_));
      mysql_stmt_close(s_);
      throw std::runtime_error(msg);
    }
  }
  MariadbStatement(const MariadbStatement&) = delete;
  MariadbStatement& operator=(const MariadbStatement&) = delete;
  ~MariadbStatement() { mysql_stmt_close(s_); }
  [[nodiscard]] MYSQL_STMT* get() const noexcept { return s_; }

  /// Binds `binds` (as arrays of `array_size` rows, 0 for single values), executes, checks the rows affected.
  void execute(MYSQL_BIND* binds, unsigned int array_size, std::size_t expect_rows) const {
    mysql_stmt_attr_set(s_, STMT_ATTR_ARRAY_SIZE, &array_size);
    if (mysql_stmt_bind_param(s_, binds) != 0) mariadb_stmt_fail(s_, "mysql_stmt_bind_param");
    if (mysql_stmt_execute(s_) != 0) mariadb_stmt_fail(s_, "mysql_stmt_execute");
    if (mysql_stmt_affected_rows(s_) != expect_rows)
      throw std::runtime_error(fmt::format("INSERT stored {} rows of {}", mysql_stmt_affected_rows(s_), expect_rows));
  }

 private:
  MYSQL_STMT* s_;
};

/// created_at as the binary protocol's MYSQL_TIME (DATETIME), the date part cached: rows come in time order.
class MysqlTimeOf {
 public:
  MYSQL_TIME operator()(bulkinsert::Timestamp t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    if (day != day_) {
      day_ = day;
      ymd_ = std::chrono::year_month_day{std::chrono::sys_days{day}};
    }
    const std::int64_t us = (t - day).count();
    MYSQL_TIME m{};
    m.year = static_cast<unsigned>(static_cast<int>(ymd_.year()));
    m.month = static_cast<unsigned>(ymd_.month());
    m.day = static_cast<unsigned>(ymd_.day());
    m.hour = static_cast<unsigned>(us / 3'600'000'000LL);
    m.minute = static_cast<unsigned>(us / 60'000'000LL % 60);
    m.second = static_cast<unsigned>(us / 1'000'000 % 60);
    m.second_part = static_cast<unsigned long>(us % 1'000'000);
    m.time_type = MYSQL_TIMESTAMP_DATETIME;
    return m;
  }

 private:
  std::chrono::time_point<std::chrono::system_clock, std::chrono::days> day_{std::chrono::days{INT32_MIN}};
  std::chrono::year_month_day ymd_{};
};

/// One transaction around `f()`: START TRANSACTION, then COMMIT, or ROLLBACK if `f` throws.
template <class F>
auto mariadb_transaction(MYSQL* c, F&& f) {
  mariadb_exec(c, "START TRANSACTION");
  try {
    auto result = f();
    mariadb_exec(c, "COMMIT");
    return result;
  } catch (...) {
    (void)mysql_real_query(c, "ROLLBACK", 8);
    throw;
  }
}

}  // namespace baselines
