#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "../dialect.hpp"
#include "../error.hpp"
#include "../table.hpp"

namespace bulkinsert::detail {

/// `"schema"."table"`, or `"table"` without a schema.
template <dialect D>
void append_table_name(std::string& out, const TableSpec& t) {
  if (!t.schema.empty()) {
    D::quote(out, t.schema, "schema");
    out += '.';
  }
  D::quote(out, t.name, "table");
}

/// `("a", "b", "c")`
template <dialect D>
void append_column_list(std::string& out, const TableSpec& t) {
  out += '(';
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (c != 0) out += ", ";
    D::quote(out, t.columns[c], "column");
  }
  out += ')';
}

/// Whether an INSERT into `t` in dialect D returns, after the spec's RETURNING columns, whether each row
/// was updated (see upsert_outcome_dialect).
template <dialect D>
[[nodiscard]] bool returns_updated_flag(const TableSpec& t) noexcept {
  if constexpr (upsert_outcome_dialect<D>)
    return updates_on_conflict(t);
  else
    return false;
}

/// What the spec adds after an INSERT's rows: the upsert clause, then RETURNING, as dialect D spells them.
template <dialect D>
void append_insert_tail(std::string& out, const TableSpec& t) {
  D::append_upsert(out, t);
  if constexpr (upsert_outcome_dialect<D>)
    if (updates_on_conflict(t)) return D::append_returning_with_updated_flag(out, t);
  D::append_returning(out, t);
}

/// `INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $4)` for `rows` rows, plus the spec's tail.
template <dialect D>
[[nodiscard]] std::string insert_values_sql(const TableSpec& t, std::size_t rows) {
  const std::size_t cols = t.columns.size();
  std::string sql = "INSERT INTO ";
  append_table_name<D>(sql, t);
  sql += ' ';
  append_column_list<D>(sql, t);
  sql += " VALUES ";
  sql.reserve(sql.size() + rows * cols * 9);
  std::size_t n = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (std::size_t c = 0; c < cols; ++c) {
      if (c != 0) sql += ", ";
      D::placeholder(sql, ++n);
    }
    sql += ')';
  }
  append_insert_tail<D>(sql, t);
  return sql;
}

/// `INSERT INTO "t" ("a", "b") SELECT "a", "b" FROM <source>` plus the spec's tail: moves staged rows
/// into the target with the target's upsert clause. `source` is already quoted.
template <dialect D>
[[nodiscard]] std::string insert_select_sql(const TableSpec& t, std::string_view source) {
  std::string columns;
  append_column_list<D>(columns, t);
  std::string sql = "INSERT INTO ";
  append_table_name<D>(sql, t);
  sql += ' ';
  sql += columns;
  sql += " SELECT ";
  sql.append(columns, 1, columns.size() - 2);
  sql += " FROM ";
  sql += source;
  append_insert_tail<D>(sql, t);
  return sql;
}

/// The last INSERT text built, kept so that a run of chunks of one table and size builds it once.
/// Owned by one strategy object, which serves one connection at a time.
class InsertSqlCache {
 public:
  template <dialect D>
  const std::string& get(const TableSpec& t, std::size_t rows) {
    if (rows != rows_ || !(t == spec_)) {
      sql_ = insert_values_sql<D>(t, rows);
      spec_ = t;
      rows_ = rows;
    }
    return sql_;
  }

 private:
  TableSpec spec_;
  std::size_t rows_ = 0;
  std::string sql_;
};

/// Checks every name of `t` can be quoted in dialect D; throws InputError naming the first that cannot,
/// and for a table with no columns or a column named twice.
template <dialect D>
void check_names(const TableSpec& t) {
  if (t.columns.empty()) throw InputError(fmt::format("table \"{}\" has no columns", t.name));
  std::string scratch;
  append_table_name<D>(scratch, t);
  append_column_list<D>(scratch, t);
  append_insert_tail<D>(scratch, t);
  if (t.on_conflict)
    for (const auto& name : t.on_conflict->update)
      if (std::find(t.columns.begin(), t.columns.end(), name) == t.columns.end())
        throw InputError(fmt::format("table \"{}\": update column \"{}\" is not one of the inserted columns", t.name, name));
  std::vector<std::string_view> sorted(t.columns.begin(), t.columns.end());
  std::sort(sorted.begin(), sorted.end());
  if (const auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end())
    throw InputError(fmt::format("table \"{}\": column \"{}\" is listed twice", t.name, *twice));
}

}  // namespace bulkinsert::detail
