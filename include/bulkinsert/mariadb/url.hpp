#pragma once

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "../error.hpp"

namespace bulkinsert {

/// Where MariadbBackend connects: a host and port, or a Unix socket (`socket` set; `host` is then ignored).
struct MariadbOptions {
  std::string host = "localhost";
  unsigned port = 0;  ///< 0: Connector/C's default, 3306
  std::string user{};
  std::string password{};
  std::string database{};
  std::string socket{};  ///< a Unix socket path: used instead of TCP when set
  /// execute_many binds a batch as arrays (one COM_STMT_BULK_EXECUTE) where the server has it (MariaDB
  /// 10.2+); false sends one execution per row, as against a server without it (MySQL).
  bool array_binding = true;
  /// The most bytes one statement may carry, when fewer than the server's max_allowed_packet (which
  /// is always the bound): smaller statements and array batches hold less memory each. 0: the server's.
  std::size_t max_packet = 0;
};

namespace detail::mariadb {

inline std::string percent_decoded(std::string_view s, std::string_view url) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= s.size() || std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16).ptr != s.data() + i + 3)
      throw InputError(fmt::format("malformed percent escape in the URL \"{}\"", url));
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

}  // namespace detail::mariadb

/// Whether `url` is a MariaDB / MySQL URL (mariadb:// or mysql://).
[[nodiscard]] inline bool is_mariadb_url(std::string_view url) noexcept {
  return url.starts_with("mariadb://") || url.starts_with("mysql://");
}

/// Parses mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH] (mysql:// is a synonym). USER,
/// PASSWORD, DATABASE and PATH may be percent-encoded. Throws InputError naming what is wrong.
[[nodiscard]] inline MariadbOptions parse_mariadb_url(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (!is_mariadb_url(url)) throw InputError(fmt::format("\"{}\" is not a mariadb:// or mysql:// URL", url));
  std::string_view rest = url.substr(scheme + 3);
  MariadbOptions o;
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 == rest.size())
    throw InputError(fmt::format("the URL \"{}\" names no database: mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE", url));
  o.database = detail::mariadb::percent_decoded(rest.substr(slash + 1), url);
  std::string_view authority = rest.substr(0, slash);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    o.user = detail::mariadb::percent_decoded(userinfo.substr(0, colon), url);
    if (colon != std::string_view::npos) o.password = detail::mariadb::percent_decoded(userinfo.substr(colon + 1), url);
  }
  if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), o.port);
    if (ec != std::errc{} || end != port.data() + port.size() || o.port == 0 || o.port > 65535)
      throw InputError(fmt::format("the URL \"{}\" has a bad port \"{}\"", url, port));
    authority = authority.substr(0, colon);
  }
  if (!authority.empty()) o.host = std::string{authority};
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param.starts_with("socket=")) o.socket = detail::mariadb::percent_decoded(param.substr(7), url);
    else throw InputError(fmt::format("the URL \"{}\" has an unknown parameter \"{}\" (it takes socket=PATH)", url, param));
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return o;
}

}  // namespace bulkinsert
