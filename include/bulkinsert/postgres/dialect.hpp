#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "../dialect.hpp"
#include "../dialects/postgres_family.hpp"
#include "../error.hpp"
#include "../table.hpp"

namespace bulkinsert {

/// PostgreSQL: "quoted" identifiers of at most 63 bytes, $1..$n placeholders, ON CONFLICT upserts.
struct PostgresDialect {
  static constexpr std::string_view name = "postgres";
  /// NAMEDATALEN - 1: PostgreSQL silently truncates longer identifiers, so we refuse them.
  static constexpr std::size_t max_identifier_bytes = 63;

  /// Appends `identifier` quoted; throws InputError for an empty, NUL-holding or over-long name.
  static void quote(std::string& out, std::string_view identifier, std::string_view what = "identifier") {
    if (identifier.size() > max_identifier_bytes)
      throw InputError(fmt::format("{} name \"{}\" is {} bytes; PostgreSQL truncates names longer than {} bytes",
                                   what, identifier, identifier.size(), max_identifier_bytes));
    detail::append_double_quoted(out, identifier, what);
  }
  /// Appends the placeholder for 1-based parameter `n`.
  static void placeholder(std::string& out, std::size_t n) { fmt::format_to(std::back_inserter(out), "${}", n); }

  static void append_upsert(std::string& out, const TableSpec& t) {
    detail::postgres_family::append_on_conflict<PostgresDialect>(out, t);
  }
  static void append_returning(std::string& out, const TableSpec& t) {
    detail::postgres_family::append_returning<PostgresDialect>(out, t);
  }
  /// A row an upsert inserted has no deleting transaction yet (xmax is 0); one it updated carries the
  /// updating transaction's id there, set when ON CONFLICT DO UPDATE locked the existing row.
  static void append_returning_with_updated_flag(std::string& out, const TableSpec& t) {
    append_returning(out, t);
    out += t.returning.empty() ? " RETURNING (xmax <> 0)" : ", (xmax <> 0)";
  }
  static std::string savepoint(std::string_view n) { return detail::postgres_family::savepoint(n); }
  static std::string rollback_to_savepoint(std::string_view n) { return detail::postgres_family::rollback_to_savepoint(n); }
  static std::string release_savepoint(std::string_view n) { return detail::postgres_family::release_savepoint(n); }
  static std::string progress_table_ddl(std::string_view table) { return detail::postgres_family::progress_table_ddl(table); }

  /// Only the inserted columns and their types: no constraints, defaults or indexes to slow the copy.
  /// A temporary table lives in this session's own schema and goes with the transaction if it fails.
  static std::string create_staging_table(std::string_view stage, std::string_view target, std::string_view columns) {
    return fmt::format("CREATE TEMP TABLE {} AS SELECT {} FROM {} WITH NO DATA", stage, columns, target);
  }
  static std::string drop_staging_table(std::string_view stage) { return fmt::format("DROP TABLE {}", stage); }
};

static_assert(staging_dialect<PostgresDialect>);
static_assert(upsert_outcome_dialect<PostgresDialect>);

}  // namespace bulkinsert
