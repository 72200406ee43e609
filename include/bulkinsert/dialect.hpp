#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "error.hpp"
#include "table.hpp"

namespace bulkinsert {

/// A dialect: how one database spells the SQL that the core builds. Dialects differ by overloads on
/// their own type, never by a switch on a database's name. A backend names its dialect as
/// `Backend::dialect_type`; each dialect lives beside its backend (postgres/dialect.hpp,
/// sqlite/dialect.hpp, mariadb/dialect.hpp; the syntax those three share is in
/// dialects/postgres_family.hpp).
///
/// - `quote(out, name, what)` appends an identifier quoted, or throws InputError naming `what` ("table",
///   "column") for a name the database cannot hold exactly;
/// - `placeholder(out, n)` appends the placeholder of 1-based parameter n;
/// - `append_upsert(out, spec)` appends what makes an INSERT honour `spec.on_conflict` (nothing without it);
/// - `append_returning(out, spec)` appends what makes an INSERT return `spec.returning` (nothing if empty);
/// - `savepoint(name)`, `rollback_to_savepoint(name)`, `release_savepoint(name)`: the statements;
/// - `progress_table_ddl(table)`: creates the resumable imports' progress table (already quoted) if it
///   does not exist, with columns import_id (text, up to 255 bytes), first_row and last_row (64-bit
///   integers) and the primary key (import_id, first_row).
template <class D>
concept dialect = requires(std::string& out, std::string_view id, std::size_t n, const TableSpec& spec) {
  { D::name } -> std::convertible_to<std::string_view>;
  D::quote(out, id, id);
  D::placeholder(out, n);
  D::append_upsert(out, spec);
  D::append_returning(out, spec);
  { D::savepoint(id) } -> std::convertible_to<std::string>;
  { D::rollback_to_savepoint(id) } -> std::convertible_to<std::string>;
  { D::release_savepoint(id) } -> std::convertible_to<std::string>;
  { D::progress_table_ddl(id) } -> std::convertible_to<std::string>;
};

/// A dialect that can stage rows in a temporary table shaped like the target's inserted columns, so that a
/// COPY-class strategy can upsert: copy into the stage, then one INSERT ... SELECT with the upsert clause.
template <class D>
concept staging_dialect = dialect<D> && requires(std::string_view quoted) {
  { D::create_staging_table(quoted, quoted, quoted) } -> std::convertible_to<std::string>;
  { D::drop_staging_table(quoted) } -> std::convertible_to<std::string>;
};

/// A dialect whose do-update upserts can say which rows they updated: `append_returning_with_updated_flag`
/// writes the spec's RETURNING list followed by one boolean, true where the row existed and was updated,
/// false where it was inserted. The load engine counts the flags for Report::rows_updated and hands the
/// rest of each row to the caller.
template <class D>
concept upsert_outcome_dialect = dialect<D> && requires(std::string& out, const TableSpec& t) {
  D::append_returning_with_updated_flag(out, t);
};

namespace detail {
/// The SQL standard's delimited identifier: double quotes, an embedded quote doubled. NUL cannot be
/// escaped this way, and an empty name is not a name.
inline void append_double_quoted(std::string& out, std::string_view name, std::string_view what) {
  if (name.empty()) throw InputError(fmt::format("{} name is empty", what));
  if (name.find('\0') != std::string_view::npos)
    throw InputError(fmt::format("{} name \"{}\" contains a NUL byte, which no SQL identifier can hold", what,
                                 name.substr(0, name.find('\0'))));
  out += '"';
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}
}  // namespace detail

/// `identifier` quoted for dialect D.
template <dialect D>
[[nodiscard]] std::string quote_identifier(std::string_view identifier) {
  std::string out;
  D::quote(out, identifier, "identifier");
  return out;
}

}  // namespace bulkinsert
