#pragma once

#include <string_view>

#include "../error.hpp"

namespace bulkinsert::detail::mariadb {

/// What a MariaDB / MySQL error number means for a load (server errors below 2000, Connector/C's
/// client errors from 2000): a row's own values, the connection, or a lock wait that ran out.
[[nodiscard]] constexpr ErrorKind error_kind(unsigned code) noexcept {
  switch (code) {
    case 1048:  // column cannot be null
    case 1062:  // duplicate entry
    case 1216: case 1217: case 1451: case 1452:  // foreign key
    case 1264:  // out of range
    case 1265:  // data truncated
    case 1292:  // incorrect datetime / date value
    case 1364:  // field has no default value
    case 1365:  // division by 0
    case 1366:  // incorrect integer / string value
    case 1367:  // illegal value
    case 1406:  // data too long
    case 1411:  // incorrect value for function
    case 1690:  // value out of range
    case 4025:  // CHECK constraint
    case 3819:  // CHECK constraint (MySQL)
      return ErrorKind::row_values;
    case 1205:  // lock wait timeout
      return ErrorKind::lock_timeout;
    case 1053:  // server shutdown
    case 1153:  // packet bigger than max_allowed_packet: the server closes the connection
    case 1927:  // connection killed
    case 2002: case 2003: case 2006: case 2013: case 2055:
    case 4031:  // disconnected for inactivity
      return ErrorKind::connection_lost;
    default:
      return ErrorKind::statement;
  }
}

}  // namespace bulkinsert::detail::mariadb
