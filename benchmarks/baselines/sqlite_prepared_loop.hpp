#pragma once

// BM_Sqlite_Baseline_PreparedLoop: the sqlite3 C API as a careful engineer writes a bulk load:
// a connection opened with SQLITE_OPEN_NOMUTEX (no lock per call; bench_sqlite.cpp opens it),
// one transaction, one prepared single-row INSERT, bind / step / reset per row, text bound
// SQLITE_STATIC (no copy), the timestamp formatted into a stack buffer that outlives the step.
// It stores exactly what the library stores (created_at as "YYYY-MM-DD HH:MM:SS.ffffff").

#include <sqlite3.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../harness.hpp"
#include "timestamp_text.hpp"

namespace baselines {

class SqlitePreparedLoop {
 public:
  /// Borrows `db`, which must outlive this object.
  explicit SqlitePreparedLoop(sqlite3* db) noexcept : db_(db) {}

  harness::Sent insert(std::string_view table, const std::vector<harness::User>& rows) {
    const std::string sql =
        "INSERT INTO " + std::string{table} + " (" + std::string{harness::column_list} + ") VALUES (?, ?, ?, ?)";
    exec("BEGIN");
    sqlite3_stmt* st = nullptr;
    try {
      check(sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr));
      TimestampText ts;
      char ts_buf[32];
      std::size_t bytes = 0;
      for (const harness::User& u : rows) {
        const std::size_t ts_len = ts.format(ts_buf, u.created_at, true);
        check(sqlite3_bind_text(st, 1, u.username.data(), static_cast<int>(u.username.size()), SQLITE_STATIC));
        check(sqlite3_bind_text(st, 2, u.email.data(), static_cast<int>(u.email.size()), SQLITE_STATIC));
        check(sqlite3_bind_text(st, 3, ts_buf, static_cast<int>(ts_len), SQLITE_STATIC));
        check(sqlite3_bind_int(st, 4, u.role_id));
        if (sqlite3_step(st) != SQLITE_DONE) {
          sqlite3_reset(st);  // makes the step's error readable on the handle
          fail();
        }
        sqlite3_reset(st);
        bytes += u.username.size() + u.email.size() + ts_len + 8;
      }
      sqlite3_finalize(st);
      st = nullptr;
      exec("COMMIT");
      return {rows.size(), bytes};
    } catch (...) {
      sqlite3_finalize(st);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

 private:
  void exec(const char* sql) { check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr)); }
  void check(int rc) {
    if (rc != SQLITE_OK) fail();
  }
  [[noreturn]] void fail() { throw std::runtime_error(std::string{"sqlite: "} + sqlite3_errmsg(db_)); }

  sqlite3* db_;
};

}  // namespace baselines
