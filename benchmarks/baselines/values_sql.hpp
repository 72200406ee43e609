#pragma once

// The text of a multi-row INSERT, shared by the hand-written multi-row baselines: PostgreSQL numbers
// its placeholders ($1, $2, ...), MariaDB writes ? for each.

#include <cstddef>
#include <string>
#include <string_view>

#include "../harness.hpp"

namespace baselines {

/// "INSERT INTO table (columns) VALUES (p, p, p, p), ..." for `rows` rows of `columns` placeholders,
/// the k-th (from 1) written by `placeholder(sql, k)`.
template <class Placeholder>
[[nodiscard]] std::string insert_values_sql(std::string_view table, std::size_t rows, std::size_t columns,
                                            Placeholder&& placeholder) {
  std::string sql = "INSERT INTO " + std::string{table} + " (" + std::string{harness::column_list} + ") VALUES ";
  sql.reserve(sql.size() + rows * 9 * columns);
  for (std::size_t r = 0, p = 1; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (std::size_t c = 0; c < columns; ++c) {
      if (c != 0) sql += ',';
      placeholder(sql, p++);
    }
    sql += ')';
  }
  return sql;
}

}  // namespace baselines
