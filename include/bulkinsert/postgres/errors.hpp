#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "../error.hpp"

namespace bulkinsert::detail::pg {

/// SQLSTATE 08006, connection_failure: what the backend reports when libpq gives no SQLSTATE because the
/// connection itself failed.
inline constexpr std::string_view connection_failure = "08006";
/// SQLSTATE XX000, internal_error: a failure with no SQLSTATE on a connection that is still up.
inline constexpr std::string_view unknown_failure = "XX000";
/// SQLSTATE 08007, transaction_resolution_unknown: the connection broke after COMMIT was sent and
/// before the server answered.
inline constexpr std::string_view commit_in_doubt = "08007";

/// Where a failure happened, when the statement knows: the input row (and column) it carried.
struct FailedAt {
  std::size_t input_row = static_cast<std::size_t>(-1);
  std::string column{};
};

/// What a SQLSTATE means for a load (https://www.postgresql.org/docs/current/errcodes-appendix.html):
/// class 22 (data exception) and 23 (integrity constraint violation) are a row's own values; class 08
/// is the connection; 55P03 (lock_not_available) is a lock_timeout that ran out.
[[nodiscard]] inline ErrorKind error_kind(std::string_view sqlstate) noexcept {
  if (sqlstate == commit_in_doubt) return ErrorKind::commit_in_doubt;
  if (sqlstate == "55P03") return ErrorKind::lock_timeout;
  if (sqlstate.size() == 5 && sqlstate[0] == '2' && (sqlstate[1] == '2' || sqlstate[1] == '3')) return ErrorKind::row_values;
  if (sqlstate.size() == 5 && sqlstate[0] == '0' && sqlstate[1] == '8') return ErrorKind::connection_lost;
  return ErrorKind::statement;
}

}  // namespace bulkinsert::detail::pg
