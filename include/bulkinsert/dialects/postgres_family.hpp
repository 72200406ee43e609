#pragma once

// The SQL that PostgreSQL, SQLite and MariaDB spell alike: the ON CONFLICT upsert tail (SQLite 3.24+
// adopted PostgreSQL's), RETURNING, savepoints and the progress table's DDL. Dialect code, shared by
// the backends' own dialects (postgres/, sqlite/, mariadb/) and installed with any of them; the core
// never includes it.

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "../dialect.hpp"
#include "../error.hpp"
#include "../table.hpp"

namespace bulkinsert {

namespace detail::postgres_family {

/// ` ON CONFLICT ("k") DO UPDATE SET "a" = excluded."a"` (or `DO NOTHING`), names quoted by dialect D.
/// Written once here for every dialect that adopted PostgreSQL's upsert (SQLite 3.24+ did).
template <class D>
void append_on_conflict(std::string& out, const TableSpec& t) {
  if (!t.on_conflict) return;
  out += " ON CONFLICT";
  if (!t.on_conflict->target.empty()) {
    out += " (";
    for (std::size_t i = 0; i < t.on_conflict->target.size(); ++i) {
      if (i != 0) out += ", ";
      D::quote(out, t.on_conflict->target[i], "conflict column");
    }
    out += ')';
  }
  if (t.on_conflict->update.empty()) {
    out += " DO NOTHING";
    return;
  }
  out += " DO UPDATE SET ";
  for (std::size_t i = 0; i < t.on_conflict->update.size(); ++i) {
    if (i != 0) out += ", ";
    D::quote(out, t.on_conflict->update[i], "update column");
    out += " = excluded.";
    D::quote(out, t.on_conflict->update[i], "update column");
  }
}

/// ` RETURNING "id", "name"`.
template <class D>
void append_returning(std::string& out, const TableSpec& t) {
  if (t.returning.empty()) return;
  out += " RETURNING ";
  for (std::size_t i = 0; i < t.returning.size(); ++i) {
    if (i != 0) out += ", ";
    D::quote(out, t.returning[i], "returning column");
  }
}

inline std::string savepoint(std::string_view name) { return fmt::format("SAVEPOINT {}", name); }
inline std::string rollback_to_savepoint(std::string_view name) { return fmt::format("ROLLBACK TO SAVEPOINT {}", name); }
inline std::string release_savepoint(std::string_view name) { return fmt::format("RELEASE SAVEPOINT {}", name); }

/// TEXT has no length limit in PostgreSQL or SQLite, so the 255-byte bound is the caller's promise.
inline std::string progress_table_ddl(std::string_view table) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (import_id TEXT NOT NULL, first_row BIGINT NOT NULL, last_row BIGINT NOT NULL, "
      "PRIMARY KEY (import_id, first_row))",
      table);
}

}  // namespace detail::postgres_family

}  // namespace bulkinsert
