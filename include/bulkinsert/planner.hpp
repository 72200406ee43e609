#pragma once

#include <algorithm>
#include <cstddef>

#include <fmt/format.h>

#include "error.hpp"

namespace bulkinsert {

/// What one statement may carry, read from the live connection. 0 means no limit.
struct Limits {
  std::size_t max_params = 0;  ///< bind parameters per statement
  std::size_t max_rows = 0;    ///< rows per statement (SQL Server's 1,000-row VALUES list)
  /// Bytes of parameters one statement may carry (a server's packet limit), estimated as each value's
  /// payload (text and bytes: their size; other kinds: detail::fixed_value_bytes) plus bytes_per_param.
  std::size_t max_statement_bytes = 0;
  std::size_t bytes_per_param = 0;  ///< what each parameter adds on the wire beyond its value's bytes
  friend bool operator==(const Limits&, const Limits&) = default;
};

/// Rows per statement = min(hint, max_params / params_per_row, max_rows); a hint of 0 means "as many
/// as the limits allow". Throws InputError, before anything is sent, if one row needs more
/// parameters than a statement may carry. A pure function.
[[nodiscard]] inline std::size_t plan_rows_per_statement(const Limits& limits, std::size_t params_per_row,
                                                         std::size_t hint) {
  if (params_per_row == 0) throw InputError("a table needs at least one column");
  std::size_t rows = hint == 0 ? static_cast<std::size_t>(-1) : hint;
  if (limits.max_params != 0) {
    if (params_per_row > limits.max_params)
      throw InputError(fmt::format("a row of {} columns needs {} bind parameters, but the database allows at most {} "
                                   "per statement; split the table or raise the limit",
                                   params_per_row, params_per_row, limits.max_params));
    rows = std::min(rows, limits.max_params / params_per_row);
  }
  if (limits.max_rows != 0) rows = std::min(rows, limits.max_rows);
  return rows;
}

}  // namespace bulkinsert
