#pragma once

// A real SQLite database file in a temporary directory, and read-back helpers.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <bulkinsert/sqlite.hpp>

#include "schema.hpp"
#include "temp_dir.hpp"

namespace test {

/// Reads any SQLite connection as text rows: what the checks shared by every backend read through.
struct SqliteReader {
  SQLite::Database& db;

  [[nodiscard]] TextRows rows(const std::string& sql) const {
    SQLite::Statement q{db, sql};
    TextRows out;
    while (q.executeStep()) {
      auto& row = out.emplace_back();
      for (int c = 0; c < q.getColumnCount(); ++c) {
        const SQLite::Column v = q.getColumn(c);
        if (v.isNull()) row.emplace_back();
        // SQLite's own text for a REAL has 15 digits: the shortest text that reads back exactly instead.
        else if (v.getType() == SQLITE_FLOAT) row.emplace_back(fmt::format("{}", v.getDouble()));
        else row.emplace_back(std::string{static_cast<const char*>(v.getBlob()), static_cast<std::size_t>(v.getBytes())});
      }
    }
    return out;
  }
  [[nodiscard]] std::int64_t scalar(const std::string& sql) const { return db.execAndGet(sql).getInt64(); }
};

/// A fresh database file in its own temporary directory, foreign keys enforced (as on PostgreSQL).
class SqliteDb {
 public:
  SqliteDb() : backend_(dir_.file("test.db")) { exec("PRAGMA foreign_keys = ON"); }

  [[nodiscard]] bulkinsert::SqliteBackend& backend() noexcept { return backend_; }
  [[nodiscard]] SQLite::Database& db() noexcept { return backend_.database(); }
  [[nodiscard]] std::string path() const { return dir_.file("test.db"); }

  void exec(const std::string& sql) { db().exec(sql); }
  [[nodiscard]] SqliteReader reader() { return SqliteReader{db()}; }

  [[nodiscard]] std::int64_t count(const std::string& table) {
    return db().execAndGet("SELECT count(*) FROM " + table).getInt64();
  }

  void create_roles_users() {
    for (const std::string& sql : schema_sql("sqlite")) exec(sql);
  }

  [[nodiscard]] std::vector<UserRead> read_users() {
    SQLite::Statement q{db(), "SELECT id, username, email, created_at, role_id FROM users ORDER BY id"};
    std::vector<UserRead> out;
    while (q.executeStep()) {
      UserRead u;
      u.id = q.getColumn(0).getInt64();
      u.username = q.getColumn(1).getString();
      if (!q.getColumn(2).isNull()) u.email = q.getColumn(2).getString();
      if (!q.getColumn(3).isNull()) u.created_at = q.getColumn(3).getString();
      if (!q.getColumn(4).isNull()) u.role_id = q.getColumn(4).getInt64();
      out.push_back(std::move(u));
    }
    return out;
  }

 private:
  TempDir dir_;  // declared first: removed after the backend has closed the file
  bulkinsert::SqliteBackend backend_;
};

}  // namespace test
