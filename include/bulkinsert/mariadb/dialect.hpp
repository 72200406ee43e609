#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "../dialect.hpp"
#include "../dialects/postgres_family.hpp"
#include "../error.hpp"
#include "../table.hpp"

namespace bulkinsert {

namespace detail::mariadb {

/// What MariaDB's catalog can hold as a name, exactly: valid UTF-8 of at most 64 characters, all in the
/// Basic Multilingual Plane (names are stored as utf8mb3), no NUL, and no trailing blank (a space, tab,
/// CR, LF, VT or FF: error 1166).
inline void check_identifier(std::string_view name, std::string_view what) {
  if (name.empty()) throw InputError(fmt::format("{} name is empty", what));
  std::size_t characters = 0;
  for (std::size_t i = 0; i < name.size(); ++characters) {
    const auto lead = static_cast<unsigned char>(name[i]);
    const std::size_t n = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    bool valid = n != 0 && i + n <= name.size();
    for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(name[i + k]) & 0xC0) == 0x80;
    if (!valid)
      throw InputError(fmt::format("{} name \"{}\" is not valid UTF-8, which MariaDB names must be", what, name));
    if (n == 4)
      throw InputError(fmt::format("{} name \"{}\" holds a character beyond U+FFFF, which MariaDB names (utf8mb3) cannot "
                                   "hold",
                                   what, name));
    if (lead == 0)
      throw InputError(fmt::format("{} name \"{}\" contains a NUL byte, which no SQL identifier can hold", what,
                                   name.substr(0, i)));
    i += n;
  }
  // A table (or database) is stored in files named after it, each character but [0-9A-Za-z_] written
  // as up to five bytes (@ and four hex digits), and a file name holds 255 bytes with its extension.
  if (what == "table" || what == "schema") {
    std::size_t file_name = 0;
    for (const char c : name) {
      const auto u = static_cast<unsigned char>(c);
      if ((u & 0xC0) == 0x80) continue;  // a continuation byte: counted with its lead
      const bool plain = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      file_name += plain ? 1 : 5;
    }
    if (file_name > 250)
      throw InputError(fmt::format("{} name \"{}\" would be a file name of up to {} bytes; MariaDB names its files after "
                                   "it and a file name holds 255 bytes",
                                   what, name, file_name));
  }
  if (characters > 64)
    throw InputError(fmt::format("{} name \"{}\" is {} characters; MariaDB names hold at most 64", what, name, characters));
  if (const char last = name.back(); last == ' ' || (last >= '\t' && last <= '\r'))
    throw InputError(fmt::format("{} name \"{}\" ends with a blank character, which MariaDB refuses in names", what, name));
}

/// Whether `sql` (as this dialect writes it) is an upsert that updates: ON DUPLICATE KEY UPDATE with
/// VALUES(...), outside quoted names and strings. Its rows affected count 2 for an updated row.
[[nodiscard]] inline bool updates_on_duplicate(std::string_view sql) {
  std::string bare;
  bare.reserve(sql.size());
  char quote = 0;
  for (const char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      bare += ' ';
    } else if (c == '`' || c == '\'' || c == '"') {
      quote = c;
      bare += ' ';
    } else {
      bare += c;
    }
  }
  const std::size_t at = bare.find(" ON DUPLICATE KEY UPDATE ");
  return at != std::string::npos && bare.find(" = VALUES(", at) != std::string::npos;
}

}  // namespace detail::mariadb

/// MariaDB and MySQL: `backquoted` identifiers (a backquote doubled), anonymous ? placeholders,
/// INSERT ... ON DUPLICATE KEY UPDATE upserts, INSERT ... RETURNING (MariaDB 10.5+).
struct MariadbDialect {
  static constexpr std::string_view name = "mariadb";

  static void quote(std::string& out, std::string_view identifier, std::string_view what = "identifier") {
    detail::mariadb::check_identifier(identifier, what);
    out += '`';
    for (const char c : identifier) {
      if (c == '`') out += '`';
      out += c;
    }
    out += '`';
  }
  static void placeholder(std::string& out, std::size_t /*n*/) { out += '?'; }

  /// ` ON DUPLICATE KEY UPDATE `a` = VALUES(`a`)`. MariaDB has no conflict target: a duplicate in any
  /// unique key takes the update. "Do nothing" assigns a key column to itself: only a duplicate key is
  /// passed over, where INSERT IGNORE would turn every error of the row into a warning.
  static void append_upsert(std::string& out, const TableSpec& t) {
    if (!t.on_conflict) return;
    out += " ON DUPLICATE KEY UPDATE ";
    // Names qualified by the target's: in INSERT ... SELECT (a staged upsert) the source has them too.
    std::string target;
    if (!t.schema.empty()) {
      quote(target, t.schema, "schema");
      target += '.';
    }
    quote(target, t.name, "table");
    target += '.';
    if (t.on_conflict->update.empty()) {
      const std::string& key = !t.on_conflict->target.empty() ? t.on_conflict->target.front() : t.columns.front();
      out += target;
      quote(out, key, "conflict column");
      out += " = ";
      out += target;
      quote(out, key, "conflict column");
      return;
    }
    for (std::size_t i = 0; i < t.on_conflict->update.size(); ++i) {
      if (i != 0) out += ", ";
      out += target;
      quote(out, t.on_conflict->update[i], "update column");
      out += " = VALUES(";
      quote(out, t.on_conflict->update[i], "update column");
      out += ')';
    }
  }
  /// ` RETURNING `id``: MariaDB 10.5 and later (MySQL has none).
  /// RETURNING and savepoints are spelled as in PostgreSQL, and written by the same code.
  static void append_returning(std::string& out, const TableSpec& t) {
    detail::postgres_family::append_returning<MariadbDialect>(out, t);
  }
  static std::string savepoint(std::string_view n) { return detail::postgres_family::savepoint(n); }
  static std::string rollback_to_savepoint(std::string_view n) { return detail::postgres_family::rollback_to_savepoint(n); }
  static std::string release_savepoint(std::string_view n) { return detail::postgres_family::release_savepoint(n); }
  /// A binary-collated key, so that import ids differing in case or accents stay apart.
  static std::string progress_table_ddl(std::string_view table) {
    return fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (import_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, "
        "first_row BIGINT NOT NULL, last_row BIGINT NOT NULL, PRIMARY KEY (import_id, first_row)) ENGINE=InnoDB",
        table);
  }

  /// The inserted columns and their types, no keys. Temporary tables are not transactional in MariaDB: a
  /// stage left by a failed chunk is replaced.
  static std::string create_staging_table(std::string_view stage, std::string_view target, std::string_view columns) {
    return fmt::format("CREATE OR REPLACE TEMPORARY TABLE {} ENGINE=InnoDB AS SELECT {} FROM {} WHERE 1 = 0", stage,
                       columns, target);
  }
  static std::string drop_staging_table(std::string_view stage) { return fmt::format("DROP TEMPORARY TABLE {}", stage); }
};

static_assert(staging_dialect<MariadbDialect>);

}  // namespace bulkinsert
