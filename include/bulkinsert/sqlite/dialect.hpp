#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "../dialect.hpp"
#include "../dialects/postgres_family.hpp"
#include "../table.hpp"

namespace bulkinsert {

/// SQLite: "quoted" identifiers of any length, anonymous ? placeholders numbered by position. Its UPSERT,
/// RETURNING and savepoints follow PostgreSQL's syntax (https://sqlite.org/lang_upsert.html says so), so
/// they are written by the same code.
struct SqliteDialect {
  static constexpr std::string_view name = "sqlite";
  static void quote(std::string& out, std::string_view identifier, std::string_view what = "identifier") {
    detail::append_double_quoted(out, identifier, what);
  }
  static void placeholder(std::string& out, std::size_t /*n*/) { out += '?'; }

  static void append_upsert(std::string& out, const TableSpec& t) {
    detail::postgres_family::append_on_conflict<SqliteDialect>(out, t);
  }
  static void append_returning(std::string& out, const TableSpec& t) {
    detail::postgres_family::append_returning<SqliteDialect>(out, t);
  }
  static std::string savepoint(std::string_view n) { return detail::postgres_family::savepoint(n); }
  static std::string rollback_to_savepoint(std::string_view n) { return detail::postgres_family::rollback_to_savepoint(n); }
  static std::string release_savepoint(std::string_view n) { return detail::postgres_family::release_savepoint(n); }
  static std::string progress_table_ddl(std::string_view table) { return detail::postgres_family::progress_table_ddl(table); }
};

static_assert(dialect<SqliteDialect>);

}  // namespace bulkinsert
